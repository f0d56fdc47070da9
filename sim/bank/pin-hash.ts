import { scrypt, timingSafeEqual } from 'node:crypto';
import type { Random } from '../../core/random.js';
import { BANK_LIMITS } from './limits.js';

const OPTS = { N: BANK_LIMITS.pinScryptCostFactor, r: BANK_LIMITS.pinScryptBlockSizeFactor, p: BANK_LIMITS.pinScryptParallelFactor };

function derive(pin: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(Buffer.from(pin, 'ascii'), salt, BANK_LIMITS.pinHashBytes, OPTS, (e, k) => (e ? reject(e) : resolve(k))),
  );
}

export interface PinHash {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** The bank stores only a salted scrypt hash of a PIN (or of a provider account's security code). */
export async function hashPin(pin: string, random: Random): Promise<PinHash> {
  const salt = random.bytes(BANK_LIMITS.pinSaltBytes);
  return { salt, hash: await derive(pin, salt) };
}

export async function pinMatches(pin: string, stored: PinHash): Promise<boolean> {
  const h = await derive(pin, stored.salt);
  return h.length === stored.hash.length && timingSafeEqual(h, stored.hash);
}
