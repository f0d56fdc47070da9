/**
 * Sealed fields (PROTOCOL.md §4.4): secrets inside a body (PIN block,
 * security code) are AES-256-GCM encrypted under the sending direction's
 * K_enc: iv(12) || ciphertext || tag(16), with the field's TLV tag (u16) as
 * additional data so a sealed value cannot be moved to another field.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { assert } from '../../core/assert.js';
import type { Random } from '../../core/random.js';
import { protoError } from '../errors.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

function aad(fieldTag: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(fieldTag, 0);
  return b;
}

export function seal(key: Buffer, fieldTag: number, plaintext: Buffer, random: Random): Buffer {
  assert(key.length === 32, 'seal key must be 32 bytes');
  const iv = random.bytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad(fieldTag));
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([iv, body, c.getAuthTag()]);
}

export function open(key: Buffer, fieldTag: number, sealed: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES + 1) throw protoError('PROTO_SEAL_FAILED', 'sealed value too short');
  try {
    const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    d.setAAD(aad(fieldTag));
    d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([d.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), d.final()]);
  } catch {
    throw protoError('PROTO_SEAL_FAILED', 'sealed value did not authenticate', { fieldTag });
  }
}

/** ISO 9564-1 format 2 PIN block: 0x2, length nibble, PIN digits, 0xF fill, 8 bytes. */
export function pinBlockFormat2(pin: string): Buffer {
  assert(/^[0-9]{4,12}$/.test(pin), 'PIN must be 4-12 digits');
  const hex = `2${pin.length.toString(16)}${pin}`.padEnd(16, 'f');
  return Buffer.from(hex, 'hex');
}

/** The PIN digits of a format-2 block (coded error if malformed; the PIN is never put in the error). */
export function pinFromBlockFormat2(block: Buffer): string {
  const hex = block.toString('hex');
  const len = parseInt(hex[1] ?? 'z', 16);
  const ok = block.length === 8 && hex[0] === '2' && len >= 4 && len <= 12 && /^[0-9]+f*$/.test(hex.slice(2)) && hex.slice(2).replace(/f+$/, '').length === len;
  if (!ok) throw protoError('PROTO_SEAL_FAILED', 'PIN block malformed');
  return hex.slice(2, 2 + len);
}
