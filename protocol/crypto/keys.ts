/**
 * Session key schedule (PROTOCOL.md §4.2). Every key is HKDF-SHA-256 over
 * the 32-byte terminal key, salted with both nonces, separated by label and
 * bound to the terminal id. Keys never leave this process in logs or errors.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { assert } from '../../core/assert.js';

export const TERMINAL_KEY_BYTES = 32;
export const NONCE_BYTES = 32;

export interface SessionKeys {
  /** Handshake proofs. */
  auth: Buffer;
  /** Frame MACs, terminal → center and center → terminal. */
  macT2c: Buffer;
  macC2t: Buffer;
  /** Sealed fields (PIN block, security code), by direction. */
  encT2c: Buffer;
  encC2t: Buffer;
}

export const KEY_LABELS = {
  auth: 'tessera v1 auth',
  macT2c: 'tessera v1 mac t2c',
  macC2t: 'tessera v1 mac c2t',
  encT2c: 'tessera v1 enc t2c',
  encC2t: 'tessera v1 enc c2t',
} as const;

function info(label: string, terminalId: string): Buffer {
  return Buffer.concat([Buffer.from(label, 'latin1'), Buffer.from([0]), Buffer.from(terminalId, 'latin1')]);
}

export function deriveSessionKeys(terminalKey: Buffer, terminalNonce: Buffer, centerNonce: Buffer, terminalId: string): SessionKeys {
  assert(terminalKey.length === TERMINAL_KEY_BYTES, 'terminal key must be 32 bytes');
  assert(terminalNonce.length === NONCE_BYTES && centerNonce.length === NONCE_BYTES, 'nonces must be 32 bytes');
  const salt = Buffer.concat([terminalNonce, centerNonce]);
  const derive = (label: string): Buffer => Buffer.from(hkdfSync('sha256', terminalKey, salt, info(label, terminalId), 32));
  return {
    auth: derive(KEY_LABELS.auth),
    macT2c: derive(KEY_LABELS.macT2c),
    macC2t: derive(KEY_LABELS.macC2t),
    encT2c: derive(KEY_LABELS.encT2c),
    encC2t: derive(KEY_LABELS.encC2t),
  };
}

export const PROOF_LABELS = {
  terminal: 'tessera v1 terminal proof',
  center: 'tessera v1 center proof',
  callback: 'tessera v1 callback proof',
} as const;

/** HMAC-SHA-256(K_auth, label || 0x00 || parts...), full 32 bytes. */
export function proofOf(keys: SessionKeys, label: keyof typeof PROOF_LABELS, ...parts: Buffer[]): Buffer {
  const h = createHmac('sha256', keys.auth);
  h.update(PROOF_LABELS[label], 'latin1');
  h.update(Buffer.from([0]));
  for (const p of parts) h.update(p);
  return h.digest();
}
