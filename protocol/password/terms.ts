/**
 * The terms of a settlement password and their one canonical encoding: the
 * bytes the TTP signs with Ed25519 (docs/PASSWORDS.md "Terms", byte by byte;
 * vectors in test/protocol/password/vectors.test.ts). Decoding is strict: a
 * second encoding of the same terms does not exist (no trailing bytes, goods
 * codes ascending and unique, unknown flag bits and empty optional fields
 * refused), so "the signature verifies" means "these are the terms".
 *
 *   off  len  field
 *     0    4  magic "TPW1" (54 50 57 31): domain separation and format version
 *     4    4  ttpKeyId: SHA-256(TTP public key, 32 raw bytes)[0..4]
 *     8   16  serial
 *    24   16  codeDigest: SHA-256("tessera-password-code:" ‖ code)[0..16]
 *    40    1  binding: 0 bearer, 1 device, 2 keypad
 *    41    1  flags: bit 0 partial use allowed; bits 1-7 zero
 *    42    8  amountMinor u64 BE, 1 .. 2^53-1
 *    50    3  currency, ISO 4217 alpha [A-Z]{3}
 *    53    8  issuedAtMs u64 BE
 *    61    8  expiresAtMs u64 BE, > issuedAtMs
 *    69    1  issuer length 1-16, then the issuer [A-Z0-9-]
 *     .    1  payee kind: 0 none, 1 shop, 2 category
 *     .    1  payee length (0 with kind 0, else 1-16), then the payee [A-Z0-9-]
 *     .    1  user length 0-64, then the user restriction (printable ASCII 0x20-0x7e)
 *     .    1  goods count 0-16, then per code: length 1-8 and the code [A-Z0-9]
 *     .   32  device public key (Ed25519 raw), present exactly when binding = device
 */
import { createHash } from 'node:crypto';
import { TesseraError } from '../../core/errors.js';
import { PASSWORD_TOKEN_LIMITS as L } from './limits.js';

export const TERMS_MAGIC = Buffer.from('TPW1', 'ascii');

export const BINDINGS = ['bearer', 'device', 'keypad'] as const;
export type Binding = (typeof BINDINGS)[number];
export const PAYEE_KINDS = ['shop', 'category'] as const;
export type PayeeKind = (typeof PAYEE_KINDS)[number];

export interface Payee {
  readonly kind: PayeeKind;
  /** The shop's merchant id, or the category code, [A-Z0-9-]{1,16}. */
  readonly id: string;
}

export interface PasswordTerms {
  readonly ttpKeyId: Buffer;
  readonly serial: Buffer;
  readonly codeDigest: Buffer;
  readonly binding: Binding;
  readonly partial: boolean;
  readonly amountMinor: number;
  readonly currency: string;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
  /** The credit company (or bank, phone company) that asked for the password and funds it. */
  readonly issuer: string;
  readonly payee: Payee | null;
  /** The user restriction (an opaque reference the issuer and the shop agree on), or null. */
  readonly user: string | null;
  /** Goods category codes the password may buy, ascending; empty: any goods. */
  readonly goods: readonly string[];
  /** The bound device's Ed25519 public key (32 raw bytes) when binding = device, else null. */
  readonly deviceKey: Buffer | null;
}

const ID = /^[A-Z0-9-]+$/;
const GOODS = /^[A-Z0-9]+$/;
const PRINTABLE = /^[\x20-\x7e]*$/;

const bad = (field: string, message: string): TesseraError => new TesseraError('PWTOKEN_MALFORMED', `terms: ${message}`, { field });

/** The key id of a TTP public key (32 raw bytes). */
export function keyIdOf(publicKeyRaw: Uint8Array): Buffer {
  return createHash('sha256').update(publicKeyRaw).digest().subarray(0, L.keyIdBytes);
}

/** Throws PWTOKEN_MALFORMED (naming the field) unless the terms can be encoded canonically. */
export function checkTerms(t: PasswordTerms): void {
  if (t.ttpKeyId.length !== L.keyIdBytes) throw bad('ttpKeyId', `${L.keyIdBytes} bytes`);
  if (t.serial.length !== L.serialBytes) throw bad('serial', `${L.serialBytes} bytes`);
  if (t.codeDigest.length !== L.codeDigestBytes) throw bad('codeDigest', `${L.codeDigestBytes} bytes`);
  if (!BINDINGS.includes(t.binding)) throw bad('binding', 'bearer, device or keypad');
  if (!Number.isSafeInteger(t.amountMinor) || t.amountMinor < 1) throw bad('amountMinor', 'a safe integer >= 1');
  if (!/^[A-Z]{3}$/.test(t.currency)) throw bad('currency', 'three letters A-Z');
  if (!Number.isSafeInteger(t.issuedAtMs) || t.issuedAtMs < 0) throw bad('issuedAtMs', 'a safe integer >= 0');
  if (!Number.isSafeInteger(t.expiresAtMs) || t.expiresAtMs <= t.issuedAtMs) throw bad('expiresAtMs', 'after issuedAtMs');
  if (t.issuer.length < 1 || t.issuer.length > L.issuerCharsMax || !ID.test(t.issuer)) throw bad('issuer', `1-${L.issuerCharsMax} of [A-Z0-9-]`);
  if (t.payee && (!PAYEE_KINDS.includes(t.payee.kind) || t.payee.id.length < 1 || t.payee.id.length > L.payeeCharsMax || !ID.test(t.payee.id))) throw bad('payee', `shop or category, 1-${L.payeeCharsMax} of [A-Z0-9-]`);
  if (t.user !== null && (t.user.length < 1 || t.user.length > L.userCharsMax || !PRINTABLE.test(t.user))) throw bad('user', `null or 1-${L.userCharsMax} printable characters`);
  if (t.goods.length > L.goodsCodesMax) throw bad('goods', `at most ${L.goodsCodesMax} codes`);
  for (const [i, g] of t.goods.entries()) {
    if (g.length < 1 || g.length > L.goodsCodeCharsMax || !GOODS.test(g)) throw bad('goods', `codes of 1-${L.goodsCodeCharsMax} [A-Z0-9]`);
    if (i > 0 && !(t.goods[i - 1]! < g)) throw bad('goods', 'codes ascending and unique');
  }
  if ((t.binding === 'device') !== (t.deviceKey !== null)) throw bad('deviceKey', 'present exactly when binding = device');
  if (t.deviceKey && t.deviceKey.length !== 32) throw bad('deviceKey', '32 bytes');
}

/** Goods codes in canonical order (ascending, unique): what an issuer passes to build terms. */
export function canonicalGoods(goods: readonly string[]): string[] {
  return [...new Set(goods)].sort();
}

/** The canonical bytes of the terms (what the TTP signs). */
export function encodeTerms(t: PasswordTerms): Buffer {
  checkTerms(t);
  const parts: Buffer[] = [TERMS_MAGIC, t.ttpKeyId, t.serial, t.codeDigest];
  const fixed = Buffer.alloc(2 + 8 + 3 + 8 + 8);
  fixed[0] = BINDINGS.indexOf(t.binding);
  fixed[1] = t.partial ? 1 : 0;
  fixed.writeBigUInt64BE(BigInt(t.amountMinor), 2);
  fixed.write(t.currency, 10, 'ascii');
  fixed.writeBigUInt64BE(BigInt(t.issuedAtMs), 13);
  fixed.writeBigUInt64BE(BigInt(t.expiresAtMs), 21);
  parts.push(fixed, lv(t.issuer));
  parts.push(Buffer.from([t.payee ? PAYEE_KINDS.indexOf(t.payee.kind) + 1 : 0]), lv(t.payee?.id ?? ''));
  parts.push(lv(t.user ?? ''), Buffer.from([t.goods.length]), ...t.goods.map(lv));
  if (t.deviceKey) parts.push(t.deviceKey);
  return Buffer.concat(parts);
}

const lv = (s: string): Buffer => Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'ascii')]);

/** A small strict reader: every short read is PWTOKEN_MALFORMED. */
export class TokenReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  bytes(n: number, field: string): Buffer {
    if (n > this.remaining) throw bad(field, 'ends early');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return Buffer.from(b);
  }
  u8(field: string): number {
    return this.bytes(1, field)[0]!;
  }
  u16(field: string): number {
    return this.bytes(2, field).readUInt16BE(0);
  }
  u32(field: string): number {
    return this.bytes(4, field).readUInt32BE(0);
  }
  u64(field: string): number {
    const v = this.bytes(8, field).readBigUInt64BE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(field, 'above 2^53-1');
    return Number(v);
  }
  ascii(field: string, max: number): string {
    const n = this.u8(field);
    if (n > max) throw bad(field, `longer than ${max}`);
    const b = this.bytes(n, field);
    if (b.some((c) => c < 0x20 || c > 0x7e)) throw bad(field, 'printable ASCII');
    return b.toString('ascii');
  }
  end(what: string): void {
    if (this.remaining !== 0) throw bad(what, 'trailing bytes');
  }
}

/** Reads terms from r (strict); the caller checks the end. */
export function readTerms(r: TokenReader): PasswordTerms {
  if (!r.bytes(4, 'magic').equals(TERMS_MAGIC)) throw bad('magic', 'not TPW1');
  const ttpKeyId = r.bytes(L.keyIdBytes, 'ttpKeyId');
  const serial = r.bytes(L.serialBytes, 'serial');
  const digest = r.bytes(L.codeDigestBytes, 'codeDigest');
  const b = r.u8('binding');
  const binding = BINDINGS[b];
  if (!binding) throw bad('binding', 'bearer, device or keypad');
  const flags = r.u8('flags');
  if (flags & ~1) throw bad('flags', 'unknown bits set');
  const amountMinor = r.u64('amountMinor');
  const currency = r.bytes(3, 'currency').toString('latin1');
  const issuedAtMs = r.u64('issuedAtMs');
  const expiresAtMs = r.u64('expiresAtMs');
  const issuer = r.ascii('issuer', L.issuerCharsMax);
  const pk = r.u8('payee');
  if (pk > PAYEE_KINDS.length) throw bad('payee', 'kind 0, 1 or 2');
  const payeeId = r.ascii('payee', L.payeeCharsMax);
  if ((pk === 0) !== (payeeId.length === 0)) throw bad('payee', 'an id exactly when a kind is given');
  const user = r.ascii('user', L.userCharsMax);
  const n = r.u8('goods');
  if (n > L.goodsCodesMax) throw bad('goods', `at most ${L.goodsCodesMax} codes`);
  const goods: string[] = [];
  for (let i = 0; i < n; i++) {
    const g = r.ascii('goods', L.goodsCodeCharsMax);
    goods.push(g);
  }
  const deviceKey = binding === 'device' ? r.bytes(32, 'deviceKey') : null;
  const t: PasswordTerms = {
    ttpKeyId, serial, codeDigest: digest, binding, partial: (flags & 1) === 1, amountMinor, currency, issuedAtMs, expiresAtMs, issuer,
    payee: pk === 0 ? null : { kind: PAYEE_KINDS[pk - 1]!, id: payeeId }, user: user.length === 0 ? null : user, goods, deviceKey,
  };
  checkTerms(t);
  return t;
}

/** Decodes canonical terms (the whole buffer). */
export function decodeTerms(bytes: Buffer): PasswordTerms {
  const r = new TokenReader(bytes);
  const t = readTerms(r);
  r.end('terms');
  return t;
}
