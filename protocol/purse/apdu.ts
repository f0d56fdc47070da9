import { SW } from './status-words.js';

/** A command APDU split into its parts (short APDUs only; the purse needs no extended length). */
export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  /** Command data (empty when Lc is absent). */
  readonly data: Buffer;
  /** Le as sent (0 means 256), or null when absent. */
  readonly le: number | null;
}

export type ParsedApdu = { readonly ok: true; readonly apdu: CommandApdu } | { readonly ok: false; readonly sw: number };

/**
 * Splits a short command APDU (ISO 7816-4 cases 1-4). Anything else (shorter
 * than a header, Lc disagreeing with the length, extended length) is 6700.
 */
export function parseCommandApdu(bytes: Buffer): ParsedApdu {
  if (bytes.length < 4) return { ok: false, sw: SW.wrongLength };
  const header = { cla: bytes[0] as number, ins: bytes[1] as number, p1: bytes[2] as number, p2: bytes[3] as number };
  if (bytes.length === 4) return { ok: true, apdu: { ...header, data: Buffer.alloc(0), le: null } };
  if (bytes.length === 5) return { ok: true, apdu: { ...header, data: Buffer.alloc(0), le: bytes[4] as number } };
  const lc = bytes[4] as number;
  if (lc === 0) return { ok: false, sw: SW.wrongLength }; // extended length: not supported
  const data = Buffer.from(bytes.subarray(5, 5 + lc));
  if (bytes.length === 5 + lc) return { ok: true, apdu: { ...header, data, le: null } };
  if (bytes.length === 6 + lc) return { ok: true, apdu: { ...header, data, le: bytes[5 + lc] as number } };
  return { ok: false, sw: SW.wrongLength };
}

/** Builds a short command APDU; `le` null omits Le. */
export function buildCommandApdu(cla: number, ins: number, p1: number, p2: number, data: Buffer, le: number | null): Buffer {
  const parts: Buffer[] = [Buffer.from([cla, ins, p1, p2])];
  if (data.length > 0) parts.push(Buffer.from([data.length]), data);
  if (le !== null) parts.push(Buffer.from([le]));
  return Buffer.concat(parts);
}
