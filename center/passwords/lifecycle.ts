/**
 * The password's life besides spending: delivery outcomes (the port's sink),
 * revocation (by the user's device, or by the issuer: a lost phone), and the
 * sweep (expiry, the delivery deadline, reservations past their deadline).
 * An ended password returns its unused value to the issuer as soon as no
 * reservation holds any of it (deps.ts settlePassword).
 */
import { TesseraError } from '../../core/errors.js';
import { updateState } from '../kit/transitions.js';
import type { Tx } from '../storage/types.js';
import type { DeliveryOutcome, OutcomeEffect } from './delivery-port.js';
import { logEvent, numbersOf, passwordForUpdate, settlePassword, type PasswordsDeps } from './deps.js';
import { PASSWORDS_LIMITS as L } from './limits.js';
import { PASSWORD_ROWS, PASSWORD_STATES, REDEMPTION_ROWS, type PasswordRow } from './records.js';
import { releaseIn } from './redeem.js';

/** Applies one delivery outcome: delivered makes the password spendable, failed refunds it; anything after that is late. */
export async function outcomeIn(tx: Tx, d: PasswordsDeps, o: DeliveryOutcome): Promise<OutcomeEffect> {
  const p = await passwordForUpdate(tx, 'id', o.passwordId);
  if (!p) return 'unknown';
  const nowMs = d.clock.nowMs();
  const detail = `${o.channel} ${o.detail ?? ''}`.trim();
  if (p.state === 'issued') {
    if (o.outcome === 'delivered') {
      await updateState(tx, PASSWORD_ROWS, PASSWORD_STATES, p, { state: 'delivered', updatedMs: nowMs });
      await logEvent(tx, p.id, nowMs, 'delivered', detail);
    } else {
      await logEvent(tx, p.id, nowMs, 'delivery-failed', detail);
      await settlePassword(tx, d, { ...p }, numbersOf(p), 'delivery-failed', 'delivery-failed');
      await tx.run('UPDATE passwords SET reason = ? WHERE id = ?', ['delivery-failed', p.id]);
    }
    return 'applied';
  }
  const repeated = o.outcome === 'delivered' ? p.state !== 'refunded' && p.state !== 'revoked' && p.state !== 'expired' && p.reason !== 'delivery-failed' : p.reason === 'delivery-failed';
  await logEvent(tx, p.id, nowMs, repeated ? `${o.outcome} (repeated)` : `${o.outcome} (late: ${p.state})`, detail);
  return repeated ? 'repeated' : 'late';
}

/** Revokes a live password (the user from the device, or the issuer); its unused value goes back once no reservation holds any. */
export async function revokeIn(tx: Tx, d: PasswordsDeps, p: PasswordRow, by: string): Promise<PasswordRow> {
  if (!PASSWORD_STATES.allows(p.state, 'revoked')) {
    if (p.state === 'revoked' || p.reason === `revoked by ${by}`) return p;
    throw new TesseraError('PASSWORD_REVOKED', `the password is ${p.state}: nothing to revoke`, { serial: p.id, state: p.state });
  }
  const nowMs = d.clock.nowMs();
  await logEvent(tx, p.id, nowMs, 'revoked', `by ${by}`);
  const after = await settlePassword(tx, d, p, numbersOf(p), 'revoked', 'revoked');
  await tx.run('UPDATE passwords SET reason = ? WHERE id = ?', [`revoked by ${by}`, p.id]);
  return after;
}

export interface SweepCounts {
  readonly expired: number;
  readonly deliveryTimedOut: number;
  readonly released: number;
}

/** One bounded pass: expired passwords, deliveries past their deadline, reservations past theirs. Each item in its own unit. */
export async function sweepOnce(d: PasswordsDeps): Promise<SweepCounts> {
  const nowMs = d.clock.nowMs();
  const ids = await d.storage.read(async (q) => ({
    expiring: await q.all<{ id: string }>(`SELECT id FROM passwords WHERE state IN ('issued','delivered','partly-used') AND expires_ms <= ? LIMIT ${L.sweepBatchMax}`, [nowMs]),
    undelivered: await q.all<{ id: string; channel: 'sms' | 'email' }>(`SELECT id, channel FROM passwords WHERE state = 'issued' AND created_ms <= ? LIMIT ${L.sweepBatchMax}`, [nowMs - L.deliveryDeadlineMs]),
    reservations: await q.all<{ id: string }>(`SELECT id FROM password_redemptions WHERE state = 'reserved' AND deadline_ms < ? LIMIT ${L.sweepBatchMax}`, [nowMs]),
  }));
  let deliveryTimedOut = 0;
  for (const { id, channel } of ids.undelivered) {
    const effect = await d.storage.transact((tx) => outcomeIn(tx, d, { passwordId: id, outcome: 'failed', channel, atMs: nowMs, detail: 'no outcome by the delivery deadline' }));
    if (effect === 'applied') deliveryTimedOut++;
  }
  let expired = 0;
  for (const { id } of ids.expiring) {
    const done = await d.storage.transact(async (tx) => {
      const p = await passwordForUpdate(tx, 'id', id);
      if (!p || !['issued', 'delivered', 'partly-used'].includes(p.state) || p.expiresMs > nowMs) return false;
      await logEvent(tx, p.id, nowMs, 'expired', `${p.remaining} left, ${p.reserved} reserved`);
      await settlePassword(tx, d, p, numbersOf(p), 'expired', 'expired');
      return true;
    });
    if (done) expired++;
  }
  let released = 0;
  for (const { id } of ids.reservations) {
    const done = await d.storage.transact(async (tx) => {
      const r = await REDEMPTION_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [id]);
      if (!r || r.state !== 'reserved' || r.deadlineMs >= nowMs) return false;
      await releaseIn(tx, d, r, 'released');
      return true;
    });
    if (done) released++;
  }
  return { expired, deliveryTimedOut, released };
}
