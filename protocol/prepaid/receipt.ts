/**
 * The vendor's receipt (seed 000: "the vendor's center returns a receipt";
 * for a shareware registration it carries the licence key): a small binary
 * record signed with the vendor's Ed25519 key, so the client stores it on
 * the medium beside the prepaid file and anyone holding the vendor's public
 * key verifies it offline. Layout (docs/PREPAID.md, "The vendor's receipt";
 * big-endian, strings ASCII unless said):
 *
 *   4      "TSPR"
 *   1      version (1)
 *   1      kind: 1 registration (licence key), 2 goods
 *   8      key id: the first 8 bytes of SHA-256(vendor public key, 32 raw bytes)
 *   1+n    vendor id (1-16 of [A-Z0-9-]: the payee of the prepaid use)
 *   1+n    order id (1-40 of [A-Za-z0-9_-])
 *   16     request id of the prepaid payment (the use's request id)
 *   1+n    item code (1-32 of [A-Za-z0-9._-])
 *   1+n    item name (0-64 bytes of UTF-8, for display)
 *   8      amount paid, minor units (u64, <= 2^53 - 1)
 *   3      currency (A-Z)
 *   8      paid at: the payment's time at the prepaid center (ms since the epoch)
 *   1+n    licence key (0-64 of printable ASCII; empty for goods)
 *   64     Ed25519 signature over "TSPR-SIG1" ‖ every byte above
 *
 * Every field comes from the order and the prepaid center's payment record,
 * none from the moment of signing (Ed25519 is deterministic): the same
 * order and payment always give the same bytes, so a vendor that crashed
 * after verifying a payment answers the retry with the identical receipt.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { prepaidError } from './errors.js';

export const RECEIPT_MAGIC = Buffer.from('TSPR', 'ascii');
export const RECEIPT_VERSION = 1;
export const RECEIPT_SIGNING_PREFIX = Buffer.from('TSPR-SIG1', 'ascii');
export const RECEIPT_KIND = { registration: 1, goods: 2 } as const;
export type ReceiptKind = keyof typeof RECEIPT_KIND;

/** Largest encoded receipt (every variable field at its maximum). */
export const RECEIPT_BYTES_MAX = 4 + 1 + 1 + 8 + 17 + 41 + 16 + 33 + 65 + 8 + 3 + 8 + 65 + 64;

export interface ReceiptFields {
  readonly kind: ReceiptKind;
  readonly vendorId: string;
  readonly orderId: string;
  /** 32 lowercase hex. */
  readonly requestId: string;
  readonly itemCode: string;
  readonly itemName: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly paidAtMs: number;
  /** Empty for goods. */
  readonly licenceKey: string;
}

export interface Receipt extends ReceiptFields {
  /** 16 hex: which vendor key signed it. */
  readonly keyId: string;
  readonly signature: Buffer;
  /** The whole encoded receipt. */
  readonly bytes: Buffer;
}

const VENDOR = /^[A-Z0-9-]{1,16}$/;
const ORDER = /^[A-Za-z0-9_-]{1,40}$/;
const ITEM = /^[A-Za-z0-9._-]{1,32}$/;
const LICENCE = /^[\x20-\x7e]{0,64}$/;
const REQUEST = /^[0-9a-f]{32}$/;
const CURRENCY = /^[A-Z]{3}$/;

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The vendor's signing key from its 32-byte seed (the 0600 key file). */
export function receiptSigningKey(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw prepaidError('PREPAID_BAD_ARGUMENT', 'an Ed25519 seed is 32 bytes', { length: seed.length });
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** The 32 raw bytes of the public key of a signing (or public) key. */
export function receiptPublicKeyRaw(key: KeyObject): Buffer {
  const der = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** A vendor public key from its 32 raw bytes (what a client is given, hex). */
export function receiptPublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw prepaidError('PREPAID_RECEIPT_FORGED', 'a vendor public key is 32 bytes', { length: raw.length });
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Key id: the first 8 bytes of SHA-256 of the raw public key, as 16 hex. */
export function receiptKeyId(publicRaw: Uint8Array): string {
  return createHash('sha256').update(publicRaw).digest().subarray(0, 8).toString('hex');
}

/** The receipt's bytes, signed. Fields out of range are PREPAID_BAD_ARGUMENT. */
export function signReceipt(f: ReceiptFields, key: KeyObject): Buffer {
  check(f);
  const keyId = Buffer.from(receiptKeyId(receiptPublicKeyRaw(key)), 'hex');
  const body = Buffer.concat([
    RECEIPT_MAGIC,
    Buffer.from([RECEIPT_VERSION, RECEIPT_KIND[f.kind]]),
    keyId,
    str(f.vendorId),
    str(f.orderId),
    Buffer.from(f.requestId, 'hex'),
    str(f.itemCode),
    str(f.itemName, 'utf8'),
    u64(f.amountMinor),
    Buffer.from(f.currency, 'ascii'),
    u64(f.paidAtMs),
    str(f.licenceKey),
  ]);
  return Buffer.concat([body, sign(null, Buffer.concat([RECEIPT_SIGNING_PREFIX, body]), key)]);
}

/** Parses a receipt without checking its signature (PREPAID_RECEIPT_MALFORMED when it does not parse). */
export function readReceipt(bytes: Uint8Array): Receipt {
  const b = Buffer.from(bytes);
  let at = 0;
  const bad = (why: string): never => {
    throw prepaidError('PREPAID_RECEIPT_MALFORMED', `receipt: ${why}`, { offset: at, length: b.length });
  };
  const take = (n: number): Buffer => {
    if (at + n > b.length) bad('truncated');
    const out = b.subarray(at, at + n);
    at += n;
    return out;
  };
  const text = (re: RegExp, what: string, enc: BufferEncoding = 'ascii'): string => {
    const n = take(1)[0]!;
    const raw = take(n);
    const s = raw.toString(enc);
    if (!Buffer.from(s, enc).equals(raw) || !re.test(s)) bad(`${what} out of range`);
    return s;
  };
  const u64r = (what: string): number => {
    const v = take(8).readBigUInt64BE();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) bad(`${what} past 2^53`);
    return Number(v);
  };
  if (b.length > RECEIPT_BYTES_MAX) bad('longer than any receipt');
  if (!take(4).equals(RECEIPT_MAGIC)) bad('not a receipt (magic)');
  const [version, kindByte] = take(2);
  if (version !== RECEIPT_VERSION) bad(`version ${version}`);
  const kind = (Object.keys(RECEIPT_KIND) as ReceiptKind[]).find((k) => RECEIPT_KIND[k] === kindByte) ?? bad(`kind ${kindByte}`);
  const keyId = take(8).toString('hex');
  const vendorId = text(VENDOR, 'vendor id');
  const orderId = text(ORDER, 'order id');
  const requestId = take(16).toString('hex');
  const itemCode = text(ITEM, 'item code');
  const itemName = text(/^[^\x00-\x1f]{0,64}$/u, 'item name', 'utf8');
  const amountMinor = u64r('amount');
  const currency = take(3).toString('ascii');
  if (!CURRENCY.test(currency)) bad('currency');
  const paidAtMs = u64r('paid at');
  const licenceKey = text(LICENCE, 'licence key');
  const signature = Buffer.from(take(64));
  if (at !== b.length) bad('trailing bytes');
  if ((kind === 'goods') !== (licenceKey.length === 0)) bad('a licence key belongs to a registration, and only there');
  return { kind, keyId, vendorId, orderId, requestId, itemCode, itemName, amountMinor, currency, paidAtMs, licenceKey, signature, bytes: b };
}

/**
 * Parses and verifies a receipt with the vendor's public key (32 raw bytes):
 * PREPAID_RECEIPT_MALFORMED if it does not parse, PREPAID_RECEIPT_FORGED if
 * another key signed it or the signature does not verify.
 */
export function verifyReceipt(bytes: Uint8Array, vendorPublicKeyRaw: Uint8Array): Receipt {
  const r = readReceipt(bytes);
  const pub = receiptPublicKey(vendorPublicKeyRaw);
  if (r.keyId !== receiptKeyId(vendorPublicKeyRaw)) throw prepaidError('PREPAID_RECEIPT_FORGED', 'the receipt names another vendor key', { keyId: r.keyId, vendorId: r.vendorId });
  const body = r.bytes.subarray(0, r.bytes.length - 64);
  if (!verify(null, Buffer.concat([RECEIPT_SIGNING_PREFIX, body]), pub, r.signature)) {
    throw prepaidError('PREPAID_RECEIPT_FORGED', 'the receipt signature does not verify', { vendorId: r.vendorId, orderId: r.orderId });
  }
  return r;
}

/** The receipt as lines for a person (the client shows it). */
export function receiptText(r: ReceiptFields): string {
  return [
    `receipt of ${r.vendorId}, order ${r.orderId}`,
    `${r.kind === 'registration' ? 'registration' : 'goods'}: ${r.itemName || r.itemCode} (${r.itemCode})`,
    `paid ${r.amountMinor} ${r.currency} at ${new Date(r.paidAtMs).toISOString()} (prepaid payment ${r.requestId})`,
    ...(r.licenceKey ? [`licence key: ${r.licenceKey}`] : []),
  ].join('\n');
}

function check(f: ReceiptFields): void {
  const bad = (field: string): never => {
    throw prepaidError('PREPAID_BAD_ARGUMENT', `receipt: ${field} out of range`, { field });
  };
  if (!(f.kind in RECEIPT_KIND)) bad('kind');
  if (!VENDOR.test(f.vendorId)) bad('vendorId');
  if (!ORDER.test(f.orderId)) bad('orderId');
  if (!REQUEST.test(f.requestId)) bad('requestId');
  if (!ITEM.test(f.itemCode)) bad('itemCode');
  if (Buffer.byteLength(f.itemName, 'utf8') > 64 || /[\x00-\x1f]/.test(f.itemName)) bad('itemName');
  if (!Number.isSafeInteger(f.amountMinor) || f.amountMinor < 0) bad('amountMinor');
  if (!CURRENCY.test(f.currency)) bad('currency');
  if (!Number.isSafeInteger(f.paidAtMs) || f.paidAtMs < 0) bad('paidAtMs');
  if (!LICENCE.test(f.licenceKey) || (f.kind === 'goods') !== (f.licenceKey.length === 0)) bad('licenceKey');
}

function str(s: string, enc: BufferEncoding = 'ascii'): Buffer {
  const raw = Buffer.from(s, enc);
  return Buffer.concat([Buffer.from([raw.length]), raw]);
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}
