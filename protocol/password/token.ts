/**
 * The forms a settlement password travels in (docs/PASSWORDS.md):
 *
 * - the **signed token**, `TPW1:` + base32(terms ‖ TTP signature 64): what
 *   the TTP delivers to the device beside the code, and what a phone stores;
 * - the **QR payload** a device shows a shop's scanner, `TPQ1:` + base32(body):
 *
 *     off  len  field
 *       0    1  kind: 1 bearer (static), 2 device-signed (dynamic)
 *       1    2  terms length n, u16 BE
 *       3    n  terms (protocol/password/terms.ts)
 *     3+n   64  the TTP's Ed25519 signature over the terms
 *     kind 1:   1  code length (16), then the code (Crockford base32)
 *     kind 2:   8  timeMs u64 BE (the device's clock)
 *               4  counter u32 BE (the device's presentation counter, rising)
 *               1  shop id length 0-16, then the shop id [A-Z0-9-] (0: not entered)
 *               8  amountMinor u64 BE (0: not entered)
 *              64  the device's Ed25519 signature over the presentation bytes
 *
 * - the **presentation bytes** the device signs:
 *   "TPD1" ‖ serial 16 ‖ timeMs u64 ‖ counter u32 ‖ shop length u8 ‖ shop ‖ amountMinor u64.
 *
 * Base32 is RFC 4648 without padding, so the whole QR text lies in QR's
 * alphanumeric mode and a serial scanner types it as it is.
 */
import type { KeyObject } from 'node:crypto';
import { TesseraError } from '../../core/errors.js';
import { base32Decode, base32Encode } from './base32.js';
import { ed25519Sign } from './keys.js';
import { PASSWORD_TOKEN_LIMITS as L } from './limits.js';
import { encodeTerms, readTerms, TokenReader, type PasswordTerms } from './terms.js';

export const TOKEN_PREFIX = 'TPW1:';
export const QR_PREFIX = 'TPQ1:';
export const PRESENTATION_MAGIC = Buffer.from('TPD1', 'ascii');
export const QR_KIND = { bearer: 1, device: 2 } as const;

export interface SignedTerms {
  readonly terms: PasswordTerms;
  /** The canonical bytes the signature covers. */
  readonly termsBytes: Buffer;
  readonly signature: Buffer;
}

/** What the user's device adds to a device-bound QR. */
export interface Presentation {
  readonly timeMs: number;
  readonly counter: number;
  /** The shop the user chose on the device, or null. */
  readonly shopId: string | null;
  /** The amount the user entered on the device, or null. */
  readonly amountMinor: number | null;
}

export type QrPayload =
  | { readonly kind: 'bearer'; readonly signed: SignedTerms; readonly code: string }
  | { readonly kind: 'device'; readonly signed: SignedTerms; readonly presentation: Presentation; readonly deviceSignature: Buffer };

const malformed = (message: string, details: Record<string, unknown> = {}): TesseraError => new TesseraError('PWTOKEN_MALFORMED', message, details);

/** Signs terms with the TTP's key (the TTP's side; the verifier is in verify.ts). */
export function signTerms(terms: PasswordTerms, ttpKey: KeyObject): SignedTerms {
  const termsBytes = encodeTerms(terms);
  return { terms, termsBytes, signature: ed25519Sign(termsBytes, ttpKey) };
}

export function encodeToken(s: Pick<SignedTerms, 'termsBytes' | 'signature'>): string {
  return TOKEN_PREFIX + base32Encode(Buffer.concat([s.termsBytes, s.signature]));
}

export function decodeToken(text: string): SignedTerms {
  if (!text.startsWith(TOKEN_PREFIX)) throw malformed(`a password token starts with ${TOKEN_PREFIX}`);
  const bytes = base32Decode(text.slice(TOKEN_PREFIX.length));
  if (bytes.length < 64 + 1) throw malformed('a password token is terms and a 64-byte signature');
  const r = new TokenReader(bytes);
  const terms = readTerms(r);
  const termsBytes = bytes.subarray(0, bytes.length - r.remaining);
  const signature = r.bytes(64, 'signature');
  r.end('token');
  return { terms, termsBytes: Buffer.from(termsBytes), signature };
}

/** The bytes a device signs for a presentation of the password with this serial. */
export function presentationBytes(serial: Buffer, p: Presentation): Buffer {
  checkPresentation(p);
  const shop = p.shopId ?? '';
  const b = Buffer.alloc(4 + 16 + 8 + 4 + 1 + shop.length + 8);
  PRESENTATION_MAGIC.copy(b, 0);
  serial.copy(b, 4);
  b.writeBigUInt64BE(BigInt(p.timeMs), 20);
  b.writeUInt32BE(p.counter, 28);
  b[32] = shop.length;
  b.write(shop, 33, 'ascii');
  b.writeBigUInt64BE(BigInt(p.amountMinor ?? 0), 33 + shop.length);
  return b;
}

function checkPresentation(p: Presentation): void {
  if (!Number.isSafeInteger(p.timeMs) || p.timeMs < 0) throw malformed('presentation time is a safe integer >= 0', { field: 'timeMs' });
  if (!Number.isInteger(p.counter) || p.counter < 0 || p.counter > 0xffffffff) throw malformed('presentation counter is a u32', { field: 'counter' });
  if (p.shopId !== null && (p.shopId.length < 1 || p.shopId.length > L.payeeCharsMax || !/^[A-Z0-9-]+$/.test(p.shopId))) throw malformed('presentation shop id', { field: 'shopId' });
  if (p.amountMinor !== null && (!Number.isSafeInteger(p.amountMinor) || p.amountMinor < 1)) throw malformed('presentation amount is a safe integer >= 1 or absent', { field: 'amountMinor' });
}

/** A bearer QR: the signed terms and the code. */
export function encodeBearerQr(s: SignedTerms, code: string): string {
  if (s.terms.binding !== 'bearer') throw malformed('only a bearer password has a static QR', { field: 'binding' });
  return QR_PREFIX + base32Encode(Buffer.concat([head(QR_KIND.bearer, s), Buffer.from([code.length]), Buffer.from(code, 'ascii')]));
}

/** A device-signed QR (the phone app): the presentation signed with the device's private key. */
export function encodeDeviceQr(s: SignedTerms, p: Presentation, deviceKey: KeyObject): string {
  if (s.terms.binding !== 'device') throw malformed('only a device-bound password has a device QR', { field: 'binding' });
  const signed = presentationBytes(s.terms.serial, p);
  const tail = signed.subarray(PRESENTATION_MAGIC.length + 16); // time, counter, shop, amount: as signed
  return QR_PREFIX + base32Encode(Buffer.concat([head(QR_KIND.device, s), tail, ed25519Sign(signed, deviceKey)]));
}

function head(kind: number, s: SignedTerms): Buffer {
  const h = Buffer.alloc(3);
  h[0] = kind;
  h.writeUInt16BE(s.termsBytes.length, 1);
  return Buffer.concat([h, s.termsBytes, s.signature]);
}

/** Parses a QR text (strict; no signature checked here: verify.ts). */
export function decodeQr(text: string): QrPayload {
  const t = text.trim();
  if (!t.startsWith(QR_PREFIX)) throw malformed(`a password QR starts with ${QR_PREFIX}`);
  const body = base32Decode(t.slice(QR_PREFIX.length));
  if (body.length > L.qrBodyBytesMax) throw malformed('QR payload too long', { bytes: body.length, max: L.qrBodyBytesMax });
  const r = new TokenReader(body);
  const kind = r.u8('kind');
  const n = r.u16('termsLength');
  if (n > L.termsBytesMax) throw malformed('terms too long', { field: 'termsLength' });
  const termsBytes = r.bytes(n, 'terms');
  const tr = new TokenReader(termsBytes);
  const terms = readTerms(tr);
  tr.end('terms');
  const signed: SignedTerms = { terms, termsBytes, signature: r.bytes(64, 'signature') };
  if (kind === QR_KIND.bearer) {
    const codeLen = r.u8('code');
    if (codeLen !== L.codeChars) throw malformed(`the code is ${L.codeChars} characters`, { field: 'code' });
    const code = r.bytes(codeLen, 'code').toString('latin1');
    r.end('qr');
    return { kind: 'bearer', signed, code };
  }
  if (kind !== QR_KIND.device) throw malformed('QR kind 1 or 2', { field: 'kind' });
  const timeMs = r.u64('timeMs');
  const counter = r.u32('counter');
  const shopId = r.ascii('shopId', L.payeeCharsMax);
  const amountMinor = r.u64('amountMinor');
  const deviceSignature = r.bytes(64, 'deviceSignature');
  r.end('qr');
  const presentation: Presentation = { timeMs, counter, shopId: shopId.length === 0 ? null : shopId, amountMinor: amountMinor === 0 ? null : amountMinor };
  checkPresentation(presentation);
  return { kind: 'device', signed, presentation, deviceSignature };
}

export const REVOCATION_MAGIC = Buffer.from('TPR1', 'ascii');

/** The bytes a device signs to revoke its password: "TPR1" ‖ serial 16 ‖ timeMs u64 BE. */
export function revocationBytes(serial: Buffer, timeMs: number): Buffer {
  if (serial.length !== L.serialBytes) throw malformed('a serial is 16 bytes', { field: 'serial' });
  if (!Number.isSafeInteger(timeMs) || timeMs < 0) throw malformed('revocation time is a safe integer >= 0', { field: 'timeMs' });
  const b = Buffer.alloc(4 + 16 + 8);
  REVOCATION_MAGIC.copy(b, 0);
  serial.copy(b, 4);
  b.writeBigUInt64BE(BigInt(timeMs), 20);
  return b;
}

export const STATUS_QUERY_MAGIC = Buffer.from('TPS1', 'ascii');

/** The bytes a device signs to ask its password's value left: "TPS1" ‖ serial 16 ‖ timeMs u64 BE (the TTP answers only the bound device). */
export function statusQueryBytes(serial: Buffer, timeMs: number): Buffer {
  const b = revocationBytes(serial, timeMs);
  STATUS_QUERY_MAGIC.copy(b, 0);
  return b;
}
