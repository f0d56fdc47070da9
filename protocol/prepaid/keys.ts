/**
 * Key diversification of the prepaid center (docs/MEDIUM.md, "Keys"). Pure
 * functions here so the test vectors pin them; only the prepaid center ever
 * calls them (a client holds no key).
 *
 *   K1(v), K2(v)  = HKDF-SHA-256(master, salt_v, "tessera prepaid k1|k2" || medium id || u32 v), 32 bytes
 *                   salt_v: 16 random bytes of the key table row (medium, v). Erasing the row's salt
 *                   erases the key: the master alone does not give it back (the seed's "old key erased").
 *   log key       = HKDF-SHA-256(master, "", "tessera prepaid log" || medium id), 32 bytes (not rotated:
 *                   the log is re-MAC'd at every generation and must verify across them)
 *   password(g)   = HMAC-SHA-256(K2, "TSPM-PASSWORD" || u32 g), first 16 bytes (S31: renewed with the keys)
 *   nonces        = HMAC-SHA-256(K1 | K2, "TSPM-NONCE-FILE" | "TSPM-NONCE-PW" || u32 g), first 12 bytes
 *
 * One key version seals exactly one generation's file, whose content the
 * center fixes when it creates the generation, so a derived nonce only ever
 * encrypts the same plaintext again (a resent pending file is byte for byte
 * the first one).
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { prepaidError } from './errors.js';
import { MEDIUM_FORMAT, type MediumKeys, type MediumNonces } from './medium.js';

const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};

function hkdf(master: Buffer, salt: Buffer, info: Buffer): Buffer {
  if (master.length !== MEDIUM_FORMAT.keyBytes) throw prepaidError('PREPAID_BAD_ARGUMENT', 'the prepaid master key is 32 bytes');
  return Buffer.from(hkdfSync('sha256', master, salt, info, 32));
}

/** The first and second keys of one key version of one medium. */
export function mediumKeys(master: Buffer, mediumId: Buffer, keyVersion: number, salt: Buffer): MediumKeys {
  if (salt.length !== 16) throw prepaidError('PREPAID_BAD_ARGUMENT', 'a key salt is 16 bytes');
  const info = (which: string) => Buffer.concat([Buffer.from(`tessera prepaid ${which}`), mediumId, u32(keyVersion)]);
  return { k1: hkdf(master, salt, info('k1')), k2: hkdf(master, salt, info('k2')) };
}

export function logKey(master: Buffer, mediumId: Buffer): Buffer {
  return hkdf(master, Buffer.alloc(0), Buffer.concat([Buffer.from('tessera prepaid log'), mediumId]));
}

export function systemPassword(keys: MediumKeys, generation: number): Buffer {
  return createHmac('sha256', keys.k2).update('TSPM-PASSWORD').update(u32(generation)).digest().subarray(0, MEDIUM_FORMAT.passwordBytes);
}

export function mediumNonces(keys: MediumKeys, generation: number): MediumNonces {
  const n = (k: Buffer, label: string) => createHmac('sha256', k).update(label).update(u32(generation)).digest().subarray(0, MEDIUM_FORMAT.nonceBytes);
  return { file: n(keys.k1, 'TSPM-NONCE-FILE'), password: n(keys.k2, 'TSPM-NONCE-PW') };
}

/** What the password table stores: never the password itself. */
export function passwordVerifier(password: Buffer): Buffer {
  return createHash('sha256').update('TSPM-PWV').update(password).digest();
}
