import { createHash } from 'node:crypto';

/**
 * Every file Tessera writes on a removable medium is wrapped so a torn,
 * truncated or tampered-by-accident file is detected on read:
 *
 *   magic "TSF1" (4) | payload length u32 BE (4) | SHA-256(payload) (32) | payload
 *
 * (Integrity only; confidentiality and anti-replay of the prepaid file are
 * the prepaid protocol's job, not the store's.)
 */
export const ENVELOPE_MAGIC = Buffer.from('TSF1', 'ascii');
export const ENVELOPE_HEADER_BYTES = 4 + 4 + 32;

export function wrapFile(payload: Buffer): Buffer {
  const header = Buffer.alloc(ENVELOPE_HEADER_BYTES);
  ENVELOPE_MAGIC.copy(header, 0);
  header.writeUInt32BE(payload.length, 4);
  createHash('sha256').update(payload).digest().copy(header, 8);
  return Buffer.concat([header, payload]);
}

/** The payload, or null when the bytes are not a complete, intact envelope. */
export function unwrapFile(bytes: Buffer): Buffer | null {
  if (bytes.length < ENVELOPE_HEADER_BYTES || !bytes.subarray(0, 4).equals(ENVELOPE_MAGIC)) return null;
  const length = bytes.readUInt32BE(4);
  if (bytes.length !== ENVELOPE_HEADER_BYTES + length) return null;
  const payload = bytes.subarray(ENVELOPE_HEADER_BYTES);
  const digest = createHash('sha256').update(payload).digest();
  return digest.equals(bytes.subarray(8, ENVELOPE_HEADER_BYTES)) ? Buffer.from(payload) : null;
}
