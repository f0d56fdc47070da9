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
import { loadCharge, updateCharge, type ChargeRow } from './charge-row.js';
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
    q.all<ChargeRow>(
      `SELECT * FROM emoney_charges WHERE (state IN ('requested','unknown') AND updated_ms <= ?) OR (state = 'approved' AND updated_ms <= ?)
         OR state = 'reversing' OR (state = 'authorized' AND in_doubt_ms IS NOT NULL AND in_doubt_ms <= ?) ORDER BY updated_ms LIMIT ?`,
      [now - EMONEY_LIMITS.BANK_DOUBT_MS, now - EMONEY_LIMITS.ISSUE_TIMEOUT_MS, now - EMONEY_LIMITS.IN_DOUBT_HORIZON_MS, EMONEY_LIMITS.SWEEP_BATCH_MAX],
    ),
  );
  for (const row of due) {
    if (d.isInflight(row.id)) continue;
    if (row.state === 'authorized') {
      await d.storage.transact(async (tx) => {
        const r = await loadCharge(tx, row.id, tx.forUpdate);
        if (r?.state === 'authorized') await markIssued(tx, r, { ledger: d.ledger, nowMs: now });
      });
      d.log.warn({ charge: row.id }, 'in-doubt charge deemed credited after the horizon');
      report.deemedIssued += 1;
    } else if (await reverse(d, row)) report.reversed += 1;
    else report.stillPending += 1;
  }
  return report;
}

/** Marks the charge reversing (durable), reverses it at the bank, then books it. False if the bank did not confirm. */
async function reverse(d: SweepDeps, row: ChargeRow): Promise<boolean> {
  const booked = row.state === 'approved' || (row.state === 'reversing' && row.code === 'BOOKED');
  await d.storage.transact(async (tx) => {
    const r = await loadCharge(tx, row.id, tx.forUpdate);
    if (r && r.state === row.state && r.state !== 'reversing') {
      // code remembers whether the approval was booked in the ledger (approved) or never was (unknown outcome).
      await updateCharge(tx, row.id, d.clock.nowMs(), { state: 'reversing', code: booked ? 'BOOKED' : 'UNBOOKED' });
    }
  });
  const out = await d.relay.reverse(row.bank_code, row.id);
  if (!out.done) {
    d.log.warn({ charge: row.id, code: out.code }, 'charge reversal not confirmed; will retry');
    return false;
  }
  await d.storage.transact(async (tx) => {
    const r = await loadCharge(tx, row.id, tx.forUpdate);
    if (r?.state !== 'reversing') return;
    await updateCharge(tx, row.id, d.clock.nowMs(), { state: 'reversed', code: 'EMONEY_CHARGE_REVERSED' });
    if (r.code === 'BOOKED') await applyMoves(tx, d.ledger, [move('CHARGE_REVERSED', row.id, row.bank_code, row.amount, row.currency)]);
  });
  d.log.info({ charge: row.id, moved: out.moved }, 'charge reversed');
  return true;
}
