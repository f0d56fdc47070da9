/**
 * The prepaid information file of seed 000, format version 1, byte by byte
 * (docs/MEDIUM.md is the same table with its test vectors). Pure code, no
 * I/O: the client (which holds no key) reads the clear part and the display
 * copy; the prepaid center (which holds the keys) seals and opens it.
 *
 *   clear part (the AEAD's associated data; readable without a key)
 *     0   4  magic "TSPM"
 *     4   1  format version (1)
 *     5   1  flags (0; reserved)
 *     6   4  issuer id (u32)
 *    10  16  medium id
 *    26   4  generation (u32, >= 1)
 *    30   4  key version (u32, >= 1)           bytes 0-33: the "binding header"
 *    34   3  currency (ISO 4217 alpha)
 *    37   8  display copy of the balance (u64, minor units)
 *    45   8  written at (u64, ms, the center's clock)
 *    53   1  log entry count n (0..logEntriesMax)
 *    54  32  log anchor (chain hash of the entries no longer on the medium; zeros at first)
 *    86  45n log entries (seq u32, kind u8, amount u64, balance after u64, at ms u64, reference 16)
 *   86+45n 16 log MAC (HMAC-SHA-256/16 under the medium's log key over the chain head)
 *   sealed part
 *     +0  12  nonce of the first key's AEAD
 *    +12  52  AES-256-GCM ciphertext under K1 of the secret body:
 *               balance u64 | password nonce 12 | password ciphertext 16 | password tag 16
 *               (the system password, AES-256-GCM under K2, the binding header as AAD)
 *    +64  16  AES-256-GCM tag (AAD: the whole clear part)
 *    +80  16  check: SHA-256 of every byte before it, first 16 bytes (a torn write, seen without a key)
 *
 * Every malformed input is a coded PREPAID_FILE_* / PREPAID_* error, never
 * an exception of another kind: lengths are checked before any field is read.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { prepaidError } from './errors.js';

export const MEDIUM_FORMAT = {
  magic: Buffer.from('TSPM', 'ascii'),
  version: 1,
  bindingHeaderBytes: 34,
  logStartOffset: 86,
  logEntryBytes: 45,
  logMacBytes: 16,
  /** Entries kept on the medium; older ones are folded into the anchor (the center keeps them all). */
  logEntriesMax: 32,
  nonceBytes: 12,
  secretBodyBytes: 52,
  tagBytes: 16,
  checkBytes: 16,
  passwordBytes: 16,
  mediumIdBytes: 16,
  keyBytes: 32,
} as const;

/** Bytes of a file with `n` log entries. */
export function mediumFileBytes(n: number): number {
  const F = MEDIUM_FORMAT;
  return F.logStartOffset + n * F.logEntryBytes + F.logMacBytes + F.nonceBytes + F.secretBodyBytes + F.tagBytes + F.checkBytes;
}
export const MEDIUM_FILE_BYTES_MIN = mediumFileBytes(0);
export const MEDIUM_FILE_BYTES_MAX = mediumFileBytes(MEDIUM_FORMAT.logEntriesMax);

/** What a log entry records (docs/MEDIUM.md). */
export const LOG_KIND = { ISSUED: 1, VENDOR_PAYMENT: 2, PROVIDER_FEE: 3, RECOVERY_CREDIT: 4 } as const;
export type LogKind = (typeof LOG_KIND)[keyof typeof LOG_KIND];
const LOG_KINDS: readonly number[] = Object.values(LOG_KIND);

export interface LogEntry {
  readonly seq: number;
  readonly kind: LogKind;
  readonly amountMinor: number;
  readonly balanceAfterMinor: number;
  readonly atMs: number;
  /** The request id of the use (16 bytes). */
  readonly reference: Buffer;
}

export interface UsageLog {
  /** Chain hash of the entries before the first one kept (32 zero bytes when none were dropped). */
  readonly anchor: Buffer;
  readonly entries: readonly LogEntry[];
  /** The center's MAC over the chain head (logMac()). */
  readonly mac: Buffer;
}

/** The clear part: everything a client reads without a key. */
export interface MediumClear {
  readonly issuerId: number;
  readonly mediumId: Buffer;
  readonly generation: number;
  readonly keyVersion: number;
  readonly currency: string;
  readonly displayBalanceMinor: number;
  readonly writtenAtMs: number;
  readonly log: UsageLog;
}

/** A parsed file: the clear part and the sealed part's bytes (views into `bytes`). */
export interface MediumView extends MediumClear {
  readonly formatVersion: number;
  readonly bytes: Buffer;
  /** The binding header (bytes 0-33): the password's associated data. */
  readonly bindingHeader: Buffer;
  /** The whole clear part: the file AEAD's associated data. */
  readonly clearPart: Buffer;
  readonly nonce: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/** What only the key holder reads. */
export interface MediumSecret {
  readonly balanceMinor: number;
  readonly password: Buffer;
}

export interface MediumKeys {
  readonly k1: Buffer;
  readonly k2: Buffer;
}

export interface MediumNonces {
  readonly file: Buffer;
  readonly password: Buffer;
}

const ZERO_ANCHOR = Buffer.alloc(32);
export const EMPTY_LOG_ANCHOR: Buffer = ZERO_ANCHOR;

/** The 32-hex text form of a 16-byte medium id. */
export const mediumIdHex = (id: Buffer): string => id.toString('hex');
export const isMediumIdHex = (s: string): boolean => /^[0-9a-f]{32}$/.test(s);

// ---------------------------------------------------------------- reading

/** Parses a file's clear part and checks its structure and integrity check. Needs no key. */
export function readMediumFile(input: Uint8Array): MediumView {
  const F = MEDIUM_FORMAT;
  const b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (b.length < 6) throw prepaidError('PREPAID_FILE_TRUNCATED', 'shorter than the magic and version', { length: b.length });
  if (!b.subarray(0, 4).equals(F.magic)) throw prepaidError('PREPAID_FILE_BAD_MAGIC', 'not a prepaid information file', { length: b.length });
  if (b[4] !== F.version) throw prepaidError('PREPAID_FILE_VERSION', `format version ${b[4]} is not read here (reads ${F.version})`, { version: b[4] });
  if (b.length < MEDIUM_FILE_BYTES_MIN) throw prepaidError('PREPAID_FILE_TRUNCATED', 'shorter than the fixed part', { length: b.length, min: MEDIUM_FILE_BYTES_MIN });
  const n = b[53]!;
  if (n > F.logEntriesMax) throw prepaidError('PREPAID_FILE_MALFORMED', 'log count over the maximum', { offset: 53, count: n, max: F.logEntriesMax });
  const expected = mediumFileBytes(n);
  if (b.length < expected) throw prepaidError('PREPAID_FILE_TRUNCATED', 'shorter than its log count says', { length: b.length, expected });
  if (b.length > expected) throw prepaidError('PREPAID_FILE_MALFORMED', 'trailing bytes after the check', { length: b.length, expected });
  const checkAt = expected - F.checkBytes;
  if (!timingSafeEqual(check(b.subarray(0, checkAt)), b.subarray(checkAt))) {
    throw prepaidError('PREPAID_FILE_CHECK_FAILED', 'integrity check does not match (torn or damaged write)', { length: b.length });
  }
  return parseChecked(b, n);
}

function parseChecked(b: Buffer, n: number): MediumView {
  const F = MEDIUM_FORMAT;
  if (b[5] !== 0) throw malformed(5, 'reserved flags set');
  const generation = b.readUInt32BE(26);
  const keyVersion = b.readUInt32BE(30);
  if (generation === 0) throw malformed(26, 'generation 0');
  if (keyVersion === 0) throw malformed(30, 'key version 0');
  const currency = b.subarray(34, 37).toString('latin1');
  if (!/^[A-Z]{3}$/.test(currency)) throw malformed(34, 'currency is not 3 letters A-Z');
  const entries: LogEntry[] = [];
  for (let i = 0; i < n; i++) entries.push(readEntry(b, F.logStartOffset + i * F.logEntryBytes, entries[i - 1]));
  const macAt = F.logStartOffset + n * F.logEntryBytes;
  const clearEnd = macAt + F.logMacBytes;
  const tagAt = clearEnd + F.nonceBytes + F.secretBodyBytes;
  return {
    formatVersion: b[4]!,
    issuerId: b.readUInt32BE(6),
    mediumId: b.subarray(10, 26),
    generation,
    keyVersion,
    currency,
    displayBalanceMinor: safe(b, 37),
    writtenAtMs: safe(b, 45),
    log: { anchor: b.subarray(54, 86), entries, mac: b.subarray(macAt, clearEnd) },
    bytes: b,
    bindingHeader: b.subarray(0, F.bindingHeaderBytes),
    clearPart: b.subarray(0, clearEnd),
    nonce: b.subarray(clearEnd, clearEnd + F.nonceBytes),
    ciphertext: b.subarray(clearEnd + F.nonceBytes, tagAt),
    tag: b.subarray(tagAt, tagAt + F.tagBytes),
  };
}

function readEntry(b: Buffer, at: number, prev: LogEntry | undefined): LogEntry {
  const seq = b.readUInt32BE(at);
  const kind = b[at + 4]!;
  if (seq === 0 || (prev !== undefined && seq !== prev.seq + 1)) throw malformed(at, 'log entries out of sequence');
  if (!LOG_KINDS.includes(kind)) throw malformed(at + 4, 'unknown log entry kind');
  return {
    seq,
    kind: kind as LogKind,
    amountMinor: safe(b, at + 5),
    balanceAfterMinor: safe(b, at + 13),
    atMs: safe(b, at + 21),
    reference: b.subarray(at + 29, at + 45),
  };
}

function safe(b: Buffer, at: number): number {
  const v = b.readBigUInt64BE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(at, 'amount or time past 2^53');
  return Number(v);
}

const malformed = (offset: number, what: string) => prepaidError('PREPAID_FILE_MALFORMED', what, { offset });

/**
 * Opens the sealed part with the generation's keys: the file AEAD under K1
 * (the whole clear part as associated data), then the system password under
 * K2 (the binding header as associated data). The balance inside must equal
 * the display copy.
 */
export function openMediumFile(view: MediumView, keys: MediumKeys): MediumSecret {
  checkKeys(keys);
  let body: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', keys.k1, view.nonce);
    d.setAAD(view.clearPart);
    d.setAuthTag(view.tag);
    body = Buffer.concat([d.update(view.ciphertext), d.final()]);
  } catch {
    throw prepaidError('PREPAID_FILE_AUTH_FAILED', 'the file does not authenticate under its first key', { generation: view.generation, keyVersion: view.keyVersion });
  }
  const balance = body.readBigUInt64BE(0);
  if (balance > BigInt(Number.MAX_SAFE_INTEGER) || Number(balance) !== view.displayBalanceMinor) {
    throw prepaidError('PREPAID_FILE_MALFORMED', 'sealed balance differs from the display copy', { generation: view.generation });
  }
  let password: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', keys.k2, body.subarray(8, 20));
    d.setAAD(view.bindingHeader);
    d.setAuthTag(body.subarray(36, 52));
    password = Buffer.concat([d.update(body.subarray(20, 36)), d.final()]);
  } catch {
    throw prepaidError('PREPAID_PASSWORD_MISMATCH', 'the system password does not open under the second key', { generation: view.generation });
  }
  return { balanceMinor: Number(balance), password };
}

// ---------------------------------------------------------------- writing

/** Builds a file. Deterministic in its inputs (the center derives the nonces: keys.ts). */
export function sealMediumFile(clear: MediumClear, secret: MediumSecret, keys: MediumKeys, nonces: MediumNonces): Buffer {
  const F = MEDIUM_FORMAT;
  checkClear(clear, secret);
  checkKeys(keys);
  if (nonces.file.length !== F.nonceBytes || nonces.password.length !== F.nonceBytes) throw bad('nonces are 12 bytes');
  const clearPart = encodeClearPart(clear);
  const bindingHeader = clearPart.subarray(0, F.bindingHeaderBytes);
  const pw = createCipheriv('aes-256-gcm', keys.k2, nonces.password);
  pw.setAAD(bindingHeader);
  const pwCipher = Buffer.concat([pw.update(secret.password), pw.final()]);
  const body = Buffer.alloc(F.secretBodyBytes);
  body.writeBigUInt64BE(BigInt(secret.balanceMinor), 0);
  nonces.password.copy(body, 8);
  pwCipher.copy(body, 20);
  pw.getAuthTag().copy(body, 36);
  const c = createCipheriv('aes-256-gcm', keys.k1, nonces.file);
  c.setAAD(clearPart);
  const cipher = Buffer.concat([c.update(body), c.final()]);
  const sealed = Buffer.concat([clearPart, nonces.file, cipher, c.getAuthTag()]);
  return Buffer.concat([sealed, check(sealed)]);
}

function encodeClearPart(c: MediumClear): Buffer {
  const F = MEDIUM_FORMAT;
  const n = c.log.entries.length;
  const b = Buffer.alloc(F.logStartOffset + n * F.logEntryBytes + F.logMacBytes);
  F.magic.copy(b, 0);
  b[4] = F.version;
  b[5] = 0;
  b.writeUInt32BE(c.issuerId, 6);
  c.mediumId.copy(b, 10);
  b.writeUInt32BE(c.generation, 26);
  b.writeUInt32BE(c.keyVersion, 30);
  b.write(c.currency, 34, 'latin1');
  b.writeBigUInt64BE(BigInt(c.displayBalanceMinor), 37);
  b.writeBigUInt64BE(BigInt(c.writtenAtMs), 45);
  b[53] = n;
  c.log.anchor.copy(b, 54);
  c.log.entries.forEach((e, i) => encodeLogEntry(e).copy(b, F.logStartOffset + i * F.logEntryBytes));
  c.log.mac.copy(b, F.logStartOffset + n * F.logEntryBytes);
  return b;
}

export function encodeLogEntry(e: LogEntry): Buffer {
  const b = Buffer.alloc(MEDIUM_FORMAT.logEntryBytes);
  b.writeUInt32BE(e.seq, 0);
  b[4] = e.kind;
  b.writeBigUInt64BE(BigInt(e.amountMinor), 5);
  b.writeBigUInt64BE(BigInt(e.balanceAfterMinor), 13);
  b.writeBigUInt64BE(BigInt(e.atMs), 21);
  e.reference.copy(b, 29);
  return b;
}

const u32ok = (v: number) => Number.isInteger(v) && v >= 1 && v <= 0xffffffff;
const minorOk = (v: number) => Number.isSafeInteger(v) && v >= 0;

function checkClear(c: MediumClear, s: MediumSecret): void {
  const F = MEDIUM_FORMAT;
  if (!(Number.isInteger(c.issuerId) && c.issuerId >= 0 && c.issuerId <= 0xffffffff)) throw bad('issuer id is a u32');
  if (c.mediumId.length !== F.mediumIdBytes) throw bad('medium id is 16 bytes');
  if (!u32ok(c.generation) || !u32ok(c.keyVersion)) throw bad('generation and key version are u32 >= 1');
  if (!/^[A-Z]{3}$/.test(c.currency)) throw bad('currency is 3 letters A-Z');
  if (!minorOk(c.displayBalanceMinor) || !minorOk(c.writtenAtMs) || c.displayBalanceMinor !== s.balanceMinor) throw bad('balance and time are safe integers >= 0; display copy = balance');
  if (c.log.entries.length > F.logEntriesMax) throw bad('too many log entries');
  if (c.log.anchor.length !== 32 || c.log.mac.length !== F.logMacBytes) throw bad('log anchor 32 bytes, MAC 16');
  c.log.entries.forEach((e, i) => {
    const prev = c.log.entries[i - 1];
    if (!u32ok(e.seq) || (prev && e.seq !== prev.seq + 1)) throw bad('log entries in sequence from 1');
    if (!LOG_KINDS.includes(e.kind) || !minorOk(e.amountMinor) || !minorOk(e.balanceAfterMinor) || !minorOk(e.atMs) || e.reference.length !== 16) throw bad('log entry field');
  });
  if (s.password.length !== F.passwordBytes) throw bad('password is 16 bytes');
}

function checkKeys(k: MediumKeys): void {
  if (k.k1.length !== MEDIUM_FORMAT.keyBytes || k.k2.length !== MEDIUM_FORMAT.keyBytes) throw bad('keys are 32 bytes');
}

const bad = (what: string) => prepaidError('PREPAID_BAD_ARGUMENT', what);

function check(b: Buffer): Buffer {
  return createHash('sha256').update(b).digest().subarray(0, MEDIUM_FORMAT.checkBytes);
}

// ---------------------------------------------------------------- the usage log

/** h_i = SHA-256("TSPM-LOG" || h_{i-1} || entry_i); h_0 = the anchor. */
export function logChain(prev: Buffer, entry: LogEntry): Buffer {
  return createHash('sha256').update('TSPM-LOG').update(prev).update(encodeLogEntry(entry)).digest();
}

export function logHead(anchor: Buffer, entries: readonly LogEntry[]): Buffer {
  return entries.reduce((h, e) => logChain(h, e), anchor);
}

/** The center's MAC: HMAC-SHA-256(logKey, "TSPM-LOGMAC" || medium id || u32 last seq || head), first 16 bytes. */
export function logMac(logKey: Buffer, mediumId: Buffer, anchor: Buffer, entries: readonly LogEntry[]): Buffer {
  const last = Buffer.alloc(4);
  last.writeUInt32BE(entries.at(-1)?.seq ?? 0);
  return createHmac('sha256', logKey).update('TSPM-LOGMAC').update(mediumId).update(last).update(logHead(anchor, entries)).digest().subarray(0, MEDIUM_FORMAT.logMacBytes);
}

/** Throws PREPAID_LOG_FORGED unless the log shown is the one the center MAC'd. */
export function verifyLog(view: MediumClear, logKey: Buffer): void {
  const want = logMac(logKey, view.mediumId, view.log.anchor, view.log.entries);
  if (!timingSafeEqual(want, view.log.mac)) throw prepaidError('PREPAID_LOG_FORGED', 'the usage log does not verify', { mediumId: mediumIdHex(view.mediumId) });
}

/** SHA-256 of a whole file: the center's record of exactly what it wrote for a generation. */
export function fileDigest(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}
