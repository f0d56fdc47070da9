/**
 * The TTP's keys, all from one 32-byte secret (the passwords.ttpKeyFile, 64
 * hex characters, mode 0600): the Ed25519 signing key (the seed itself) and
 * the lookup key, HMAC-SHA-256(seed, "tessera-password-lookup"), under which
 * the database keeps each code's hash. A database copy alone therefore does
 * not let anyone test keypad codes (53 bits) offline.
 */
import { createHmac, type KeyObject } from 'node:crypto';
import { TesseraError } from '../../core/errors.js';
import { privateKeyFromSeed, rawPublicKey } from '../../protocol/password/keys.js';
import { keyIdOf } from '../../protocol/password/terms.js';
import { readSecretFile } from '../kit/secret-files.js';

export interface TtpKeys {
  readonly signing: KeyObject;
  /** The public key (32 raw bytes) shops and terminals trust. */
  readonly publicKey: Buffer;
  readonly keyId: Buffer;
  /** The lookup hash of a canonical code (hex). */
  codeHash(code: string): string;
}

export function ttpKeys(seed: Buffer): TtpKeys {
  if (seed.length !== 32) throw new TesseraError('PASSWORD_KEY_FILE', 'the TTP key is a 32-byte seed', { length: seed.length });
  const signing = privateKeyFromSeed(seed);
  const publicKey = rawPublicKey(signing);
  const lookup = createHmac('sha256', seed).update('tessera-password-lookup').digest();
  return { signing, publicKey, keyId: keyIdOf(publicKey), codeHash: (code) => createHmac('sha256', lookup).update(code, 'ascii').digest('hex') };
}

/** Reads the key file: 64 hex characters (whitespace around them ignored), 0600. Coded errors; the value is never shown. */
export function readTtpKeyFile(path: string): Buffer {
  const raw = readSecretFile(path, { what: 'TTP signing key', unreadable: 'PASSWORD_KEY_FILE', permissions: 'PASSWORD_KEY_FILE_PERMISSIONS' });
  const text = raw.toString('ascii').trim();
  raw.fill(0);
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new TesseraError('PASSWORD_KEY_FILE', 'the TTP key file must hold 64 hex characters', { path });
  return Buffer.from(text, 'hex');
}
