/**
 * PINs: 16 decimal digits drawn from the injected Random (the system CSPRNG
 * in production; `randomInt`, no modulo bias), stored only as
 * HMAC-SHA256(pinKey, pin) (the lookup index) and, until their batch is
 * printed, sealed with AES-256-GCM (a random 96-bit nonce per PIN, the
 * serial as associated data). Both keys are derived (HKDF-SHA256) from the
 * one 32-byte key file (voucher.pinKeyFile, 0600); the file must stay the
 * same for the life of the cards.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { TesseraError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import { readSecretFile } from '../kit/secret-files.js';

export const PIN_DIGITS = 16;
const PIN_RE = /^[0-9]{16}$/;
const KEY_FILE = { what: 'voucher PIN key', unreadable: 'VOUCHER_KEY_FILE', permissions: 'CENTER_SECRET_FILE_PERMISSIONS' } as const;

/** 32 raw bytes or 64 hex chars (surrounding whitespace ignored), mode 0600. */
export function readPinKeyFile(path: string): Buffer {
  const raw = readSecretFile(path, KEY_FILE);
  if (raw.length === 32) return Buffer.from(raw);
  const text = raw.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  throw new TesseraError('VOUCHER_KEY_FILE', 'the voucher PIN key file must hold 32 raw bytes or 64 hex chars', { path, bytes: raw.length });
}

export function isPinForm(pin: unknown): pin is string {
  return typeof pin === 'string' && PIN_RE.test(pin);
}

export class PinKeys {
  private readonly hmacKey: Buffer;
  private readonly sealKey: Buffer;

  constructor(master: Buffer) {
    if (master.length !== 32) throw new TesseraError('VOUCHER_KEY_FILE', 'the voucher PIN key is 32 bytes', { bytes: master.length });
    this.hmacKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'tessera voucher pin hmac', 32));
    this.sealKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'tessera voucher pin seal', 32));
  }

  /** A new PIN: 16 digits, each drawn uniformly. */
  static generate(random: Random): string {
    let pin = '';
    for (let i = 0; i < PIN_DIGITS; i++) pin += String(random.int(10));
    return pin;
  }

  hash(pin: string): Buffer {
    return createHmac('sha256', this.hmacKey).update(pin, 'latin1').digest();
  }

  /** Constant-time comparison of a stored hash with the hash of a PIN. */
  matches(stored: Buffer, pin: string): boolean {
    const h = this.hash(pin);
    return stored.length === h.length && timingSafeEqual(stored, h);
  }

  /** nonce (12) | ciphertext (16) | tag (16), bound to the serial. */
  seal(serial: string, pin: string, random: Random): Buffer {
    const iv = random.bytes(12);
    const c = createCipheriv('aes-256-gcm', this.sealKey, iv);
    c.setAAD(Buffer.from(serial, 'latin1'));
    const ct = Buffer.concat([c.update(pin, 'latin1'), c.final()]);
    return Buffer.concat([iv, ct, c.getAuthTag()]);
  }

  open(serial: string, sealed: Buffer): string {
    const iv = sealed.subarray(0, 12);
    const tag = sealed.subarray(sealed.length - 16);
    const d = createDecipheriv('aes-256-gcm', this.sealKey, iv);
    d.setAAD(Buffer.from(serial, 'latin1'));
    d.setAuthTag(tag);
    try {
      return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]).toString('latin1');
    } catch (e) {
      throw new TesseraError('VOUCHER_KEY_FILE', 'a sealed PIN does not open with this key file (another key than at issue?)', { serial }, { cause: e });
    }
  }
}
