/**
 * Merchant API keys: `tsk-<key id>-<secret>`. The key id (16 hex chars) is
 * public (listings, logs); the secret (32 random bytes, 64 hex chars) is shown
 * once and stored only as its SHA-256. A fast hash is enough here: the secret
 * is 256 random bits, not a password, so there is nothing to brute-force.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { Random } from '../../core/random.js';

const KEY_RE = /^tsk-([0-9a-f]{16})-([0-9a-f]{64})$/;
export const KEY_ID_RE = /^[0-9a-f]{16}$/;

export interface ParsedKey {
  readonly keyId: string;
  readonly secret: string;
}

export function newApiKey(random: Random): { keyId: string; key: string; secretHash: string } {
  const keyId = random.bytes(8).toString('hex');
  const secret = random.bytes(32).toString('hex');
  return { keyId, key: `tsk-${keyId}-${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a presented key; undefined when malformed (never echo the input). */
export function parseApiKey(text: string): ParsedKey | undefined {
  const m = KEY_RE.exec(text);
  return m ? { keyId: m[1]!, secret: m[2]! } : undefined;
}

export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** The stored hash (hex) as the bytes secretMatches compares with: decoded once per cached key, not per request. */
export function storedHashBytes(storedHash: string): Buffer {
  return Buffer.from(storedHash, 'hex');
}

/** Constant-time comparison of a presented secret with a stored hash (hex, or its bytes from storedHashBytes). */
export function secretMatches(secret: string, storedHash: string | Buffer): boolean {
  const a = hash('sha256', secret, 'buffer') as unknown as Buffer;
  const b = typeof storedHash === 'string' ? storedHashBytes(storedHash) : storedHash;
  return a.length === b.length && timingSafeEqual(a, b);
}
