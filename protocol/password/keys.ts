/**
 * Ed25519 keys as the password formats carry them: 32 raw bytes (the TTP's
 * public key a shop trusts, the device key in the terms). node:crypto only.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { TesseraError } from '../../core/errors.js';
import { keyIdOf } from './terms.js';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A public key from its 32 raw bytes (PWTOKEN_MALFORMED otherwise). */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new TesseraError('PWTOKEN_MALFORMED', 'an Ed25519 public key is 32 bytes', { length: raw.length });
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** A private key from its 32-byte seed (test vectors, key files). */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new TesseraError('PWTOKEN_MALFORMED', 'an Ed25519 seed is 32 bytes', { length: seed.length });
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** A fresh key pair (the phone app's device key). */
export function newKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}

export function ed25519Sign(data: Uint8Array, key: KeyObject): Buffer {
  return sign(null, data, key);
}

export function ed25519Verify(data: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  return signature.length === 64 && verify(null, data, key, signature);
}

/**
 * The TTP public keys a verifier trusts, by key id (SHA-256 of the raw key,
 * 4 bytes): a shop or terminal configures them; a rotation adds a key.
 */
export class TrustedKeys {
  private readonly keys = new Map<string, KeyObject>();
  constructor(rawKeys: readonly Uint8Array[]) {
    for (const raw of rawKeys) this.keys.set(keyIdOf(raw).toString('hex'), publicKeyFromRaw(raw));
  }
  byId(keyId: Uint8Array): KeyObject | undefined {
    return this.keys.get(Buffer.from(keyId).toString('hex'));
  }
}
