/**
 * Timeouts of the charge state machine (README.md): unknown bank outcomes
 * and approved-but-never-issued charges are reversed at the user's bank;
 * in-doubt authorisations past the horizon are deemed credited. Each step
 * is durable before the bank is called, and idempotent by the charge id.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Relay } from '../relay/relay.js';
import type { Storage } from '../storage/types.js';
import { CHARGE_CALLS, CHARGE_ROWS, loadCharge, updateCharge, type Charge } from './charge-row.js';
import { UNCLAIMED } from '../kit/claims.js';
import { markIssued } from './issue.js';
import { applyMoves, move } from './ledger-map.js';
import { EMONEY_LIMITS } from './limits.js';

export interface SweepDeps {
  readonly storage: Storage;
  readonly ledger: Ledger;
  readonly relay: Relay;
  readonly clock: Clock;
  readonly log: Logger;
  /** Charges whose bank call is running in this process (left alone). */
  readonly isInflight: (id: string) => boolean;
}

export interface SweepReport {
  reversed: number;
  deemedIssued: number;
  stillPending: number;
}

export async function sweepCharges(d: SweepDeps): Promise<SweepReport> {
  const now = d.clock.nowMs();
  const report: SweepReport = { reversed: 0, deemedIssued: 0, stillPending: 0 };
  const due = await d.storage.read((q) =>
    CHARGE_ROWS.all(
      q,
      `WHERE ((state IN ('requested','unknown') AND updated_ms <= ?) OR (state = 'approved' AND updated_ms <= ?)
         OR state = 'reversing' OR (state = 'authorized' AND in_doubt_ms IS NOT NULL AND in_doubt_ms <= ?)) AND ${UNCLAIMED}
         ORDER BY updated_ms LIMIT ?`,
      [now - EMONEY_LIMITS.bankDoubtMs, now - EMONEY_LIMITS.issueTimeoutMs, now - EMONEY_LIMITS.inDoubtHorizonMs, now, EMONEY_LIMITS.sweepBatchMax],
    ),
  );
  for (const row of due) {
    if (d.isInflight(row.id)) continue;
    if (row.state === 'authorized') {
      // Re-checked under the row lock: a receipt or a debit record (any node) may have resolved it since the read.
      const done = await d.storage.transact(async (tx) => {
        const r = await loadCharge(tx, row.id, tx.forUpdate);
        if (!r || !isDue(r, now)) return false;
        await markIssued(tx, r, { ledger: d.ledger, nowMs: now });
        return true;
      });
      if (!done) continue;
      d.log.warn({ charge: row.id }, 'in-doubt charge deemed credited after the horizon');
      report.deemedIssued += 1;
      continue;
    }
    const out = await reverseCharge(d, row.id, now);
    if (out === 'reversed') report.reversed += 1;
    else if (out === 'pending') report.stillPending += 1;
  }
  return report;
}

/** The sweep's selection, for one row re-read under its lock (the read above is not). */
function isDue(r: Charge, now: number): boolean {
  switch (r.state) {
    case 'requested':
    case 'unknown':
      return r.updatedMs <= now - EMONEY_LIMITS.bankDoubtMs;
    case 'approved':
      return r.updatedMs <= now - EMONEY_LIMITS.issueTimeoutMs;
    case 'reversing':
      return true;
    case 'authorized':
      return r.inDoubtMs !== null && r.inDoubtMs <= now - EMONEY_LIMITS.inDoubtHorizonMs;
    default:
      return false;
  }
}

export type ReverseDeps = Pick<SweepDeps, 'storage' | 'ledger' | 'relay' | 'clock' | 'log'>;

/**
 * Marks the charge reversing and claims it (durable, one unit), reverses it at
 * the bank, then books it. 'skipped' when, under the row lock, the charge is no
 * longer due (e.g. a card was authorised for it on another node since the
 * sweep's read) or another node holds its bank-call claim: the bank is not
 * called. 'pending' when the bank did not confirm (claim released, retried).
 * Also run at once for a charge the kiosk gave up (CHARGE_ABANDON, already
 * `reversing`): the claim and the final transition make it happen once.
 */
export async function reverseCharge(d: ReverseDeps, id: string, now: number): Promise<'reversed' | 'pending' | 'skipped'> {
  const charge = await d.storage.transact(async (tx) => {
    const r = await loadCharge(tx, id, tx.forUpdate);
    if (!r || r.state === 'authorized' || !isDue(r, now)) return undefined;
    if (!(await CHARGE_CALLS.claim(tx, id, [r.state], now))) return undefined;
    if (r.state !== 'reversing') {
      // booked: the approval is in the ledger (approved) or never was (unknown outcome).
      await updateCharge(tx, r, d.clock.nowMs(), { state: 'reversing', booked: r.state === 'approved' });
    }
    return r;
  });
  if (!charge) return 'skipped';
  const out = await d.relay.reverse(charge.bankCode, id);
  if (!out.done) {
    await d.storage.transact((tx) => CHARGE_CALLS.release(tx, id));
    d.log.warn({ charge: id, code: out.code }, 'charge reversal not confirmed; will retry');
    return 'pending';
  }
  const reversed = await d.storage.transact(async (tx) => {
    const r = await loadCharge(tx, id, tx.forUpdate);
    if (r?.state !== 'reversing') return false;
    await updateCharge(tx, r, d.clock.nowMs(), { state: 'reversed', code: 'EMONEY_CHARGE_REVERSED', claimUntilMs: null });
    if (r.booked === true) await applyMoves(tx, d.ledger, [move('CHARGE_REVERSED', id, r.bankCode, r.amountMinor, r.currency)]);
    return true;
  });
  if (!reversed) return 'skipped';
  d.log.info({ charge: id, moved: out.moved }, 'charge reversed');
  return 'reversed';
}
