/**
 * Issue: on the issuer's (credit company's) request, idempotent by its
 * request id. One unit writes the password (code hash, signed terms), books
 * the prefunding (ISSUE: pw-funds@issuer → pw-outstanding) and logs it; the
 * code exists in clear only in memory until it is handed to the delivery
 * port after the commit (passwords.ts). The issuer's answer carries the
 * serial and the signed token, never the code: the issuer does not learn it.
 */
import { createHash } from 'node:crypto';
import { TesseraError } from '../../core/errors.js';
import { formatCode, newCode, newKeypadCode } from '../../protocol/password/codes.js';
import { codeDigest } from '../../protocol/password/codes.js';
import { canonicalGoods, checkTerms, type Binding, type PasswordTerms, type Payee } from '../../protocol/password/terms.js';
import { encodeToken, signTerms } from '../../protocol/password/token.js';
import type { Tx } from '../storage/types.js';
import { DELIVERY_CHANNELS, MSISDN_RE, normaliseMsisdn, type DeliveryChannel, type PasswordMessage } from './delivery-port.js';
import { badRequest, logEvent, type PasswordsDeps } from './deps.js';
import { applyMoves, issuerAccounts, move } from './ledger-map.js';
import { PASSWORDS_LIMITS as L } from './limits.js';
import { PASSWORD_ROWS, PASSWORD_STATES, type PasswordRow } from './records.js';

export interface IssueRequest {
  /** The issuer (credit company) id, configured at the TTP. */
  readonly issuer: string;
  /** The issuer's request id: a retry with the same id and fields answers the same password. */
  readonly requestId: string;
  readonly amountMinor: number;
  readonly currency: string;
  /** Absent: PASSWORDS_LIMITS.lifetimeMsDefault from now. */
  readonly expiresAtMs?: number;
  readonly payee?: Payee | null;
  readonly user?: string | null;
  readonly goods?: readonly string[];
  /** Partial use allowed (the rest stays spendable); false: one redemption uses it, the rest goes back. */
  readonly partial: boolean;
  /** device: the app's key (deviceKey) is bound; keypad: display-only device, 16-digit code, lower limits. */
  readonly binding: Binding;
  /** Ed25519 public key (32 raw bytes) of the device, exactly when binding = device. */
  readonly deviceKey?: Buffer | null;
  readonly channel: DeliveryChannel;
  readonly address: string;
}

export interface IssuedPassword {
  readonly passwordId: string;
  readonly serial: string;
  readonly state: PasswordRow['state'];
  readonly amountMinor: number;
  readonly currency: string;
  readonly expiresAtMs: number;
  /** The signed token (TPW1:…); null for a keypad password. */
  readonly token: string | null;
  /** True when the request id was seen before (nothing new was issued). */
  readonly replayed: boolean;
  /** When the TTP issued it (its clock): the day the issue is booked on in the issuer's daily file. */
  readonly issuedAtMs: number;
}

/** What issue() hands on for delivery (only for a new password). */
export interface PendingDelivery {
  readonly passwordId: string;
  readonly channel: DeliveryChannel;
  readonly address: string;
  readonly message: PasswordMessage;
}

const REQUEST_ID = /^[\x21-\x7e]+$/;

/** Checks the request, with the limits of its binding; returns the expiry. */
function checkRequest(r: IssueRequest, d: PasswordsDeps, nowMs: number): number {
  if (!d.issuers.has(r.issuer)) throw new TesseraError('PASSWORD_ISSUER_UNKNOWN', 'the issuer is not configured at this TTP', { issuer: r.issuer });
  if (r.requestId.length < 1 || r.requestId.length > L.requestIdCharsMax || !REQUEST_ID.test(r.requestId)) throw badRequest('requestId', `1-${L.requestIdCharsMax} printable characters`);
  const keypad = r.binding === 'keypad';
  const amountMax = keypad ? L.keypadAmountMinorMax : L.amountMinorMax;
  if (r.currency !== d.currency) throw badRequest('currency', `this TTP holds ${d.currency} only (passwords.currency)`);
  if (!Number.isSafeInteger(r.amountMinor) || r.amountMinor < 1) throw badRequest('amountMinor', 'a positive integer');
  if (r.amountMinor > amountMax) throw new TesseraError(keypad ? 'PASSWORD_KEYPAD_LIMIT' : 'PASSWORD_BAD_REQUEST', `at most ${amountMax}`, { field: 'amountMinor', max: amountMax });
  const lifetimeMax = keypad ? L.keypadLifetimeMsMax : L.lifetimeMsMax;
  const expiresAtMs = r.expiresAtMs ?? nowMs + Math.min(L.lifetimeMsDefault, lifetimeMax);
  if (!Number.isSafeInteger(expiresAtMs) || expiresAtMs <= nowMs) throw badRequest('expiresAtMs', 'in the future');
  if (expiresAtMs - nowMs > lifetimeMax) throw new TesseraError(keypad ? 'PASSWORD_KEYPAD_LIMIT' : 'PASSWORD_BAD_REQUEST', `a lifetime of at most ${lifetimeMax} ms`, { field: 'expiresAtMs', max: lifetimeMax });
  if (!DELIVERY_CHANNELS.includes(r.channel)) throw badRequest('channel', DELIVERY_CHANNELS.join(' or '));
  if (r.address.length < 1 || r.address.length > L.addressCharsMax || !/^[\x21-\x7e]+$/.test(r.address)) throw badRequest('address', `1-${L.addressCharsMax} printable characters`);
  if (r.channel === 'sms' && !MSISDN_RE.test(r.address)) throw badRequest('address', 'an MSISDN for sms: 6-15 digits, an optional leading + (spaces and dashes ignored)');
  if (r.channel === 'email' && !/^[^@\s]+@[^@\s]+$/.test(r.address)) throw badRequest('address', 'an e-mail address for email');
  return expiresAtMs;
}

/** A fingerprint of the request's fields: the same request id with another fingerprint is refused. */
function fingerprint(r: IssueRequest, expiresAtMs: number | null): string {
  const f = [
    r.issuer, r.requestId, r.amountMinor, r.currency, expiresAtMs, r.payee?.kind ?? null, r.payee?.id ?? null, r.user ?? null, canonicalGoods(r.goods ?? []),
    r.partial, r.binding, r.deviceKey?.toString('hex') ?? null, r.channel, r.address,
  ];
  return createHash('sha256').update(JSON.stringify(f)).digest('hex');
}

export function answerOf(p: PasswordRow, replayed: boolean, token: string | null): IssuedPassword {
  return { passwordId: p.id, serial: p.id, state: p.state, amountMinor: p.amount, currency: p.currency, expiresAtMs: p.expiresMs, token, replayed, issuedAtMs: p.issuedMs };
}

/** The issue unit: the answer, and the delivery to make after the commit (null on a replay). */
export async function issueIn(tx: Tx, d: PasswordsDeps, asked: IssueRequest): Promise<{ answer: IssuedPassword; delivery: PendingDelivery | null }> {
  const nowMs = d.clock.nowMs();
  // One spelling of an MSISDN (6-15 digits, what the delivery side accepts): `+81 90-…` and `8190…` are the same request.
  const r: IssueRequest = asked.channel === 'sms' ? { ...asked, address: normaliseMsisdn(asked.address) ?? asked.address } : asked;
  const hash = fingerprint(r, r.expiresAtMs ?? null);
  const prior = await PASSWORD_ROWS.get(tx, 'WHERE issuer = ? AND request_id = ?', [r.issuer, r.requestId]);
  if (prior) {
    if (prior.requestHash !== hash) throw new TesseraError('PASSWORD_EXISTS_WITH_DIFFERENT_FIELDS', 'this request id was used with other fields', { issuer: r.issuer, requestId: r.requestId });
    return { answer: answerOf(prior, true, prior.binding === 'keypad' ? null : encodeToken({ termsBytes: prior.terms, signature: prior.signature })), delivery: null };
  }
  const expiresAtMs = checkRequest(r, d, nowMs);
  const code = await freshCode(tx, d, r.binding);
  const terms: PasswordTerms = {
    ttpKeyId: d.keys.keyId, serial: d.random.bytes(16), codeDigest: codeDigest(code), binding: r.binding, partial: r.partial,
    amountMinor: r.amountMinor, currency: r.currency, issuedAtMs: nowMs, expiresAtMs, issuer: r.issuer, payee: r.payee ?? null,
    user: r.user ?? null, goods: canonicalGoods(r.goods ?? []), deviceKey: r.binding === 'device' ? (r.deviceKey ?? null) : null,
  };
  try {
    checkTerms(terms);
  } catch (e) {
    throw badRequest(String((e as TesseraError).details?.['field'] ?? 'terms'), (e as Error).message);
  }
  if (r.binding !== 'device' && r.deviceKey) throw badRequest('deviceKey', 'only with binding = device');
  const signed = signTerms(terms, d.keys.signing);
  const id = terms.serial.toString('hex');
  PASSWORD_STATES.check(null, 'issued');
  await insertPassword(tx, d, { id, r, hash, code, terms, signature: signed.signature, termsBytes: signed.termsBytes, nowMs });
  const results = await d.ledger.createAccountsIn(tx, issuerAccounts(r.issuer, r.currency), false);
  void results; // ok or exists; a clash (another currency) makes the ISSUE move below refuse
  await applyMoves(tx, d.ledger, [move('ISSUE', id, { issuer: r.issuer }, r.amountMinor, r.currency, id)]);
  await logEvent(tx, id, nowMs, 'issued', `${r.amountMinor} ${r.currency} by ${r.issuer} via ${r.channel}`);
  const p = (await PASSWORD_ROWS.get(tx, 'WHERE id = ?', [id]))!;
  const token = r.binding === 'keypad' ? null : encodeToken(signed);
  return { answer: answerOf(p, false, token), delivery: { passwordId: id, channel: r.channel, address: r.address, message: messageOf(p, code, token) } };
}

/** A code no password holds yet (a clash is about 1e-10 for keypad codes; bounded retries). */
async function freshCode(tx: Tx, d: PasswordsDeps, binding: Binding): Promise<string> {
  for (let i = 0; i < 4; i++) {
    const code = binding === 'keypad' ? newKeypadCode(d.random) : newCode(d.random);
    if (!(await tx.get('SELECT id FROM passwords WHERE code_hash = ?', [d.keys.codeHash(code)]))) return code;
  }
  throw new TesseraError('PASSWORD_LEDGER_REFUSED', 'no fresh code after 4 draws: the random source is broken');
}

interface NewRow {
  readonly id: string;
  readonly r: IssueRequest;
  readonly hash: string;
  readonly code: string;
  readonly terms: PasswordTerms;
  readonly termsBytes: Buffer;
  readonly signature: Buffer;
  readonly nowMs: number;
}

async function insertPassword(tx: Tx, d: PasswordsDeps, n: NewRow): Promise<void> {
  const t = n.terms;
  await tx.run(
    `INSERT INTO passwords (id, issuer, request_id, request_hash, code_hash, binding, partial, amount, currency, remaining, reserved, captured, returned,
       issued_ms, expires_ms, payee_kind, payee, user_ref, goods, device_key, device_counter, terms, signature, channel, address, state, reason, created_ms, updated_ms)
     VALUES (?,?,?,?,?,?,?,?,?,?,0,0,0,?,?,?,?,?,?,?,-1,?,?,?,?,'issued',NULL,?,?)`,
    [
      n.id, n.r.issuer, n.r.requestId, n.hash, d.keys.codeHash(n.code), t.binding, t.partial ? 1 : 0, t.amountMinor, t.currency, t.amountMinor,
      t.issuedAtMs, t.expiresAtMs, t.payee?.kind ?? null, t.payee?.id ?? null, t.user, t.goods.join(','), t.deviceKey, n.termsBytes, n.signature,
      n.r.channel, n.r.address, n.nowMs, n.nowMs,
    ],
  );
}

/** The message to the device: amount, expiry (UTC date), serial prefix and the code; the token for an app. */
export function messageOf(p: PasswordRow, code: string, token: string | null): PasswordMessage {
  const until = new Date(p.expiresMs).toISOString().slice(0, 10);
  const shown = p.binding === 'keypad' ? code : formatCode(code);
  const text = `Tessera settlement password ${p.amount} ${p.currency}, valid until ${until} (UTC), serial ${p.id.slice(0, 8)}: ${shown}`;
  return { text: text.slice(0, L.messageCharsMax), token, serial: p.id };
}
