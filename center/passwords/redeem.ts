/**
 * Spending: verify, redeem (reserve, or sale = reserve and capture at once),
 * capture, cancel, refund. Each runs in the caller's unit (the merchant
 * route's idempotency unit), reads the password FOR UPDATE, so two shops
 * presenting the same password at once are serialised on its row (one
 * writer on SQLite; the row lock across nodes on PostgreSQL): a single-use
 * password is won by exactly one, a partial one never captures more than
 * its value. Redemptions and refunds are idempotent by the shop's request id.
 */
import { createHash } from 'node:crypto';
import { TesseraError } from '../../core/errors.js';
import type { SqlExecutor, Tx } from '../storage/types.js';
import { badRequest, logEvent, numbersOf, settlePassword, type PasswordsDeps } from './deps.js';
import { derivedId, applyMoves, move, payableAccount } from './ledger-map.js';
import { PASSWORDS_LIMITS as L } from './limits.js';
import { merchantIdsOf, resolvePresented, type PresentedPassword, type ShopRef } from './present.js';
import { PASSWORD_ROWS, REDEMPTION_ROWS, REDEMPTION_STATES, REFUND_ROWS, SPENDABLE, type PasswordRow, type RedemptionRow } from './records.js';
import { updateState } from '../kit/transitions.js';

/** What a shop (or a terminal) learns of a password: its terms and what is left; never the code. */
export interface PasswordView {
  readonly serial: string;
  readonly state: PasswordRow['state'];
  readonly spendable: boolean;
  readonly amountMinor: number;
  readonly remainingMinor: number;
  readonly currency: string;
  readonly expiresAtMs: number;
  readonly partial: boolean;
  readonly binding: PasswordRow['binding'];
  readonly payee: { kind: 'shop' | 'category'; id: string } | null;
  readonly goods: string[];
  readonly userRestricted: boolean;
}

export interface RedeemRequest {
  readonly requestId: string;
  readonly presented: PresentedPassword;
  readonly amountMinor: number;
  readonly currency: string;
  /** true: a sale (captured now); false: a reservation to capture by its deadline. */
  readonly capture: boolean;
  /** Goods category codes of the basket (required when the password restricts goods). */
  readonly goods?: readonly string[];
  /** The customer's user reference (required when the password is restricted to a user). */
  readonly user?: string;
  /** Reservation deadline from now (default PASSWORDS_LIMITS.captureDeadlineMsDefault, at most captureDeadlineMsMax). */
  readonly captureWithinMs?: number;
}

export interface RedemptionView {
  readonly id: string;
  readonly serial: string;
  readonly state: RedemptionRow['state'];
  readonly amountMinor: number;
  readonly capturedMinor: number;
  readonly refundedMinor: number;
  readonly currency: string;
  readonly deadlineAtMs: number;
  /** The password's value left after this step (what the device shows). */
  readonly remainingMinor: number;
}

export function passwordView(p: PasswordRow, nowMs: number): PasswordView {
  return {
    serial: p.id, state: p.state, spendable: SPENDABLE.includes(p.state) && nowMs < p.expiresMs && p.remaining > 0 && (p.partial || (p.reserved === 0 && p.captured === 0)),
    amountMinor: p.amount, remainingMinor: p.remaining, currency: p.currency, expiresAtMs: p.expiresMs, partial: p.partial, binding: p.binding,
    payee: p.payeeKind && p.payee ? { kind: p.payeeKind, id: p.payee } : null, goods: p.goods === '' ? [] : p.goods.split(','), userRestricted: p.userRef !== null,
  };
}

const redemptionView = (r: RedemptionRow, p: Pick<PasswordRow, 'remaining'>): RedemptionView => ({
  id: r.id, serial: r.passwordId, state: r.state, amountMinor: r.amount, capturedMinor: r.captured, refundedMinor: r.refunded, currency: r.currency, deadlineAtMs: r.deadlineMs, remainingMinor: p.remaining,
});

/** Verify: the password behind a presentation and what is left on it. Changes nothing. */
export async function verifyIn(tx: Tx, d: PasswordsDeps, shop: ShopRef, presented: PresentedPassword): Promise<PasswordView> {
  const { password } = await resolvePresented(tx, d, shop, presented);
  return passwordView(password, d.clock.nowMs());
}

/** Why this shop may not spend this password now (in the documented order), or nothing. */
async function checkSpend(tx: Tx, d: PasswordsDeps, p: PasswordRow, shop: ShopRef, r: RedeemRequest): Promise<void> {
  const nowMs = d.clock.nowMs();
  if (p.state === 'issued') throw new TesseraError('PASSWORD_NOT_DELIVERED', 'the password has not been delivered yet', { serial: p.id });
  if (p.state === 'expired' || nowMs >= p.expiresMs) throw new TesseraError('PASSWORD_EXPIRED', 'the password has expired', { serial: p.id, expiresAtMs: p.expiresMs });
  if (p.state === 'revoked' || p.state === 'delivery-failed' || p.state === 'refunded') throw new TesseraError('PASSWORD_REVOKED', `the password is ${p.state}`, { serial: p.id });
  if (r.currency !== p.currency) throw new TesseraError('PASSWORD_CURRENCY_MISMATCH', 'another currency than the password', { currency: p.currency });
  if (p.payeeKind === 'shop' && p.payee !== shop.shopId) throw new TesseraError('PASSWORD_WRONG_PAYEE', 'the password is restricted to another shop', { serial: p.id });
  if (p.payeeKind === 'category') {
    const c = shop.shopId === null ? undefined : await tx.get<{ category: string }>('SELECT category FROM password_merchants WHERE merchant_id = ?', [shop.shopId]);
    if (c?.category !== p.payee) throw new TesseraError('PASSWORD_WRONG_PAYEE', 'the password is restricted to a category this shop is not in', { serial: p.id, category: p.payee });
  }
  if (p.userRef !== null && r.user !== p.userRef) throw new TesseraError('PASSWORD_USER_MISMATCH', 'the password is restricted to another user', { serial: p.id });
  const allowed = p.goods === '' ? null : new Set(p.goods.split(','));
  if (allowed && ((r.goods ?? []).length === 0 || (r.goods ?? []).some((g) => !allowed.has(g)))) {
    throw new TesseraError('PASSWORD_GOODS_NOT_ALLOWED', 'the basket holds goods the password may not buy', { serial: p.id, allowed: [...allowed] });
  }
  if (p.state === 'used-up' || p.remaining === 0 || (!p.partial && (p.reserved > 0 || p.captured > 0))) {
    throw new TesseraError('PASSWORD_USED_UP', 'nothing of the password is left to spend', { serial: p.id, remainingMinor: p.remaining });
  }
  if (r.amountMinor > p.remaining) throw new TesseraError('PASSWORD_OVER_AMOUNT', 'more than the value left', { serial: p.id, remainingMinor: p.remaining });
}

function checkRedeemRequest(r: RedeemRequest): number {
  if (r.requestId.length < 1 || r.requestId.length > L.requestIdCharsMax) throw badRequest('requestId', `1-${L.requestIdCharsMax} characters`);
  if (!Number.isSafeInteger(r.amountMinor) || r.amountMinor < 1) throw badRequest('amountMinor', 'a positive integer');
  const within = r.captureWithinMs ?? L.captureDeadlineMsDefault;
  if (!Number.isSafeInteger(within) || within < 1 || within > L.captureDeadlineMsMax) throw badRequest('captureWithinMs', `1-${L.captureDeadlineMsMax} ms`);
  return within;
}

const requestHash = (x: unknown): string => createHash('sha256').update(JSON.stringify(x)).digest('hex');

/** Redeem: reserve (or sell) on a password, idempotent by (merchant, requestId). */
export async function redeemIn(tx: Tx, d: PasswordsDeps, shop: ShopRef, r: RedeemRequest): Promise<RedemptionView> {
  const within = checkRedeemRequest(r);
  const hash = requestHash([r.presented, r.amountMinor, r.currency, r.capture, [...(r.goods ?? [])].sort(), r.user ?? null, within]);
  const prior = await REDEMPTION_ROWS.get(tx, 'WHERE merchant_id = ? AND request_id = ?', [shop.merchantId, r.requestId]);
  if (prior) {
    if (prior.requestHash !== hash) throw new TesseraError('PASSWORD_EXISTS_WITH_DIFFERENT_FIELDS', 'this redemption request id was used with other fields', { requestId: r.requestId });
    const p = (await tx.get<{ remaining: number }>('SELECT remaining FROM passwords WHERE id = ?', [prior.passwordId]))!;
    return redemptionView(prior, { remaining: Number(p.remaining) });
  }
  const { password: p, device } = await resolvePresented(tx, d, shop, r.presented, r.amountMinor);
  await checkSpend(tx, d, p, shop, r);
  const nowMs = d.clock.nowMs();
  const id = derivedId(`${shop.merchantId}:${r.requestId}`, 'redemption');
  const parties = { issuer: p.issuer, merchantId: shop.merchantId };
  const moves = [move('RESERVE', id, parties, r.amountMinor, p.currency, p.id)];
  let n = { ...numbersOf(p), remaining: p.remaining - r.amountMinor, reserved: p.reserved + r.amountMinor };
  if (r.capture) {
    await d.ledger.createAccountsIn(tx, [payableAccount(shop.merchantId, p.currency)], false);
    moves.push(move('CAPTURE', id, parties, r.amountMinor, p.currency, p.id));
    n = { ...n, reserved: n.reserved - r.amountMinor, captured: n.captured + r.amountMinor };
    if (!p.partial) {
      moves.push(move('RETURN', `${id}:rest`, parties, n.remaining, p.currency, p.id));
      n = { ...n, remaining: 0, returned: n.returned + n.remaining };
    }
  }
  await applyMoves(tx, d.ledger, moves);
  if (device) await tx.run('UPDATE passwords SET device_counter = ? WHERE id = ?', [device.counter, p.id]);
  const after = await settlePassword(tx, d, p, n, id);
  const state = r.capture ? 'captured' : 'reserved';
  REDEMPTION_STATES.check(null, state);
  const row: RedemptionRow = {
    id, passwordId: p.id, merchantId: shop.merchantId, requestId: r.requestId, requestHash: hash, amount: r.amountMinor, captured: r.capture ? r.amountMinor : 0, refunded: 0,
    currency: p.currency, state, deadlineMs: nowMs + within, createdMs: nowMs, updatedMs: nowMs,
  };
  await tx.run(
    `INSERT INTO password_redemptions (id, password_id, merchant_id, request_id, request_hash, amount, captured, refunded, currency, state, deadline_ms, created_ms, updated_ms)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    [row.id, row.passwordId, row.merchantId, row.requestId, row.requestHash, row.amount, row.captured, row.refunded, row.currency, row.state, row.deadlineMs, row.createdMs, row.updatedMs],
  );
  await logEvent(tx, p.id, nowMs, state, `${r.amountMinor} ${p.currency} by ${shop.merchantId}`);
  return redemptionView(row, after);
}

async function redemptionForUpdate(tx: Tx, shop: ShopRef, redemptionId: string): Promise<RedemptionRow> {
  const ids = merchantIdsOf(shop);
  const r = await REDEMPTION_ROWS.get(tx, `WHERE id = ? AND merchant_id IN (${ids.map(() => '?').join(',')})${tx.forUpdate}`, [redemptionId, ...ids]);
  if (!r) throw new TesseraError('PASSWORD_REDEMPTION_UNKNOWN', 'no such redemption for this merchant', { redemptionId });
  return r;
}

async function passwordOf(tx: Tx, r: RedemptionRow): Promise<PasswordRow> {
  return (await PASSWORD_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [r.passwordId]))!;
}

/** Capture (part of) a reservation; the uncaptured rest is released (a single-use password's rest goes back to the issuer). */
export async function captureIn(tx: Tx, d: PasswordsDeps, shop: ShopRef, redemptionId: string, amountMinor?: number): Promise<RedemptionView> {
  const r = await redemptionForUpdate(tx, shop, redemptionId);
  const p = await passwordOf(tx, r);
  if (r.state === 'captured' && (amountMinor === undefined || amountMinor === r.captured)) return redemptionView(r, p); // a retried capture
  if (r.state !== 'reserved') throw new TesseraError('PASSWORD_REDEMPTION_STATE', `the redemption is ${r.state}`, { redemptionId, state: r.state });
  const nowMs = d.clock.nowMs();
  if (nowMs > r.deadlineMs) throw new TesseraError('PASSWORD_CAPTURE_DEADLINE', 'the reservation\'s capture deadline has passed', { redemptionId, deadlineAtMs: r.deadlineMs });
  const amount = amountMinor ?? r.amount;
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > r.amount) throw badRequest('amountMinor', `1-${r.amount} (the reservation)`);
  const parties = { issuer: p.issuer, merchantId: r.merchantId }; // the redemption's own books
  await d.ledger.createAccountsIn(tx, [payableAccount(r.merchantId, p.currency)], false);
  const rest = r.amount - amount;
  const moves = [move('CAPTURE', r.id, parties, amount, p.currency, p.id), move('RELEASE', r.id, parties, rest, p.currency, p.id)];
  let n = { ...numbersOf(p), reserved: p.reserved - r.amount, captured: p.captured + amount, remaining: p.remaining + rest };
  if (!p.partial) {
    moves.push(move('RETURN', `${r.id}:rest`, parties, n.remaining, p.currency, p.id));
    n = { ...n, remaining: 0, returned: n.returned + n.remaining };
  }
  await applyMoves(tx, d.ledger, moves);
  const after = await settlePassword(tx, d, p, n, `capture:${r.id}`);
  await updateState(tx, REDEMPTION_ROWS, REDEMPTION_STATES, r, { state: 'captured', captured: amount, updatedMs: nowMs });
  await logEvent(tx, p.id, nowMs, 'captured', `${amount} ${p.currency} by ${r.merchantId}`);
  return redemptionView({ ...r, state: 'captured', captured: amount, updatedMs: nowMs }, after);
}

/** Releases a reservation (cancel by the shop, or its deadline passed: the sweep). */
export async function releaseIn(tx: Tx, d: PasswordsDeps, r: RedemptionRow, to: 'cancelled' | 'released'): Promise<RedemptionView> {
  const p = await passwordOf(tx, r);
  const nowMs = d.clock.nowMs();
  await applyMoves(tx, d.ledger, [move('RELEASE', r.id, { issuer: p.issuer, merchantId: r.merchantId }, r.amount, p.currency, p.id)]);
  const after = await settlePassword(tx, d, p, { ...numbersOf(p), reserved: p.reserved - r.amount, remaining: p.remaining + r.amount }, `${to}:${r.id}`);
  await updateState(tx, REDEMPTION_ROWS, REDEMPTION_STATES, r, { state: to, updatedMs: nowMs });
  await logEvent(tx, p.id, nowMs, to, `${r.amount} ${p.currency} of ${r.merchantId}`);
  return redemptionView({ ...r, state: to, updatedMs: nowMs }, after);
}

export async function cancelIn(tx: Tx, d: PasswordsDeps, shop: ShopRef, redemptionId: string): Promise<RedemptionView> {
  const r = await redemptionForUpdate(tx, shop, redemptionId);
  if (r.state === 'cancelled') return redemptionView(r, await passwordOf(tx, r));
  if (r.state !== 'reserved') throw new TesseraError('PASSWORD_REDEMPTION_STATE', `the redemption is ${r.state}: ${r.state === 'captured' ? 'refund it' : 'nothing to cancel'}`, { redemptionId, state: r.state });
  return releaseIn(tx, d, r, 'cancelled');
}

/**
 * Refund captured value, idempotent by (merchant, refund request id). It goes
 * back onto the password while the password is live, partial and unexpired;
 * otherwise (single-use, ended, expired) it goes back to the issuer.
 */
export async function refundIn(tx: Tx, d: PasswordsDeps, shop: ShopRef, redemptionId: string, req: { requestId: string; amountMinor: number }): Promise<RedemptionView & { refundId: string; restored: boolean }> {
  if (req.requestId.length < 1 || req.requestId.length > L.requestIdCharsMax) throw badRequest('requestId', `1-${L.requestIdCharsMax} characters`);
  const r = await redemptionForUpdate(tx, shop, redemptionId);
  const m = r.merchantId; // the redemption's own books (the shop's id, or its merchant id for one opened before)
  const refundId = derivedId(`${m}:${req.requestId}`, 'refund');
  const prior = await REFUND_ROWS.get(tx, 'WHERE id = ?', [refundId]);
  if (prior) {
    if (prior.redemptionId !== r.id || prior.amount !== req.amountMinor) throw new TesseraError('PASSWORD_EXISTS_WITH_DIFFERENT_FIELDS', 'this refund request id was used with other fields', { requestId: req.requestId });
    return { ...redemptionView(r, await passwordOf(tx, r)), refundId, restored: prior.restored };
  }
  if (r.state !== 'captured') throw new TesseraError('PASSWORD_REDEMPTION_STATE', `the redemption is ${r.state}: only captured value is refunded`, { redemptionId, state: r.state });
  if (!Number.isSafeInteger(req.amountMinor) || req.amountMinor < 1 || r.refunded + req.amountMinor > r.captured) {
    throw new TesseraError('PASSWORD_REDEMPTION_STATE', 'more than the captured value not yet refunded', { redemptionId, refundableMinor: r.captured - r.refunded });
  }
  const p = await passwordOf(tx, r);
  const nowMs = d.clock.nowMs();
  const restored = p.partial && SPENDABLE.concat(['used-up']).includes(p.state) && nowMs < p.expiresMs;
  const parties = { issuer: p.issuer, merchantId: m };
  const moves = [move('REFUND', refundId, parties, req.amountMinor, p.currency, p.id)];
  let n = { ...numbersOf(p), captured: p.captured - req.amountMinor, remaining: p.remaining + req.amountMinor };
  if (!restored) {
    moves.push(move('RETURN', refundId, parties, req.amountMinor, p.currency, p.id));
    n = { ...n, remaining: p.remaining, returned: p.returned + req.amountMinor };
  }
  await applyMoves(tx, d.ledger, moves);
  const after = await settlePassword(tx, d, p, n, `refund:${refundId}`);
  await tx.run('INSERT INTO password_refunds (id, redemption_id, merchant_id, request_id, amount, restored, created_ms) VALUES (?,?,?,?,?,?,?)', [refundId, r.id, m, req.requestId, req.amountMinor, restored ? 1 : 0, nowMs]);
  await tx.run('UPDATE password_redemptions SET refunded = ?, updated_ms = ? WHERE id = ?', [r.refunded + req.amountMinor, nowMs, r.id]);
  await logEvent(tx, p.id, nowMs, 'refund', `${req.amountMinor} ${p.currency} by ${m} ${restored ? 'onto the password' : `to ${p.issuer}`}`);
  return { ...redemptionView({ ...r, refunded: r.refunded + req.amountMinor }, after), refundId, restored };
}

export async function redemptionOf(tx: SqlExecutor, shop: ShopRef, redemptionId: string): Promise<RedemptionView> {
  const ids = merchantIdsOf(shop);
  const r = await REDEMPTION_ROWS.get(tx, `WHERE id = ? AND merchant_id IN (${ids.map(() => '?').join(',')})`, [redemptionId, ...ids]);
  if (!r) throw new TesseraError('PASSWORD_REDEMPTION_UNKNOWN', 'no such redemption for this merchant', { redemptionId });
  const p = (await tx.get<{ remaining: unknown }>('SELECT remaining FROM passwords WHERE id = ?', [r.passwordId]))!;
  return redemptionView(r, { remaining: Number(p.remaining) });
}
