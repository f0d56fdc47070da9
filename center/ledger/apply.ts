/**
 * Applying ledger events inside one unit of work: load what the events
 * touch (locked on PostgreSQL), decide every event in memory, then write.
 * Nothing is written before every decision is made, so a failed event (or a
 * failed atomic group) needs no rollback.
 */
import { CENTER_LIMITS } from '../limits.js';
import type { Tx } from '../storage/types.js';
import { CreateTransferResult as TR } from './results.js';
import {
  ACCOUNT_COLUMNS,
  accountRowFrom,
  AF_CREDITS_MUST_NOT_EXCEED_DEBITS,
  AF_DEBITS_MUST_NOT_EXCEED_CREDITS,
  TF_PENDING,
  TF_POST_PENDING,
  TRANSFER_COLUMNS,
  transferRowFrom,
  type AccountRow,
  type TransferRow,
} from './schema.js';
import { transferFlagBits } from './validate.js';
import type { NewTransfer } from './types.js';

const MAX = Number.MAX_SAFE_INTEGER;

export async function loadAccounts(tx: Tx, ids: readonly string[]): Promise<Map<string, AccountRow>> {
  const map = new Map<string, AccountRow>();
  if (ids.length === 0) return map;
  // Sorted and locked in one statement: nodes lock accounts in the same order.
  const sorted = [...new Set(ids)].sort();
  const rows = await tx.all(
    `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id IN (${sorted.map(() => '?').join(', ')}) ORDER BY id${tx.forUpdate}`,
    sorted,
  );
  for (const r of rows) map.set(String(r['id']), accountRowFrom(r));
  return map;
}

export async function loadTransfers(tx: Tx, ids: readonly string[], lock: boolean): Promise<Map<string, TransferRow>> {
  const map = new Map<string, TransferRow>();
  if (ids.length === 0) return map;
  const sorted = [...new Set(ids)].sort();
  const rows = await tx.all(
    `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id IN (${sorted.map(() => '?').join(', ')}) ORDER BY id${lock ? tx.forUpdate : ''}`,
    sorted,
  );
  for (const r of rows) map.set(String(r['id']), transferRowFrom(r));
  return map;
}

/** In-memory state of one unit: loaded rows, edited in place, and what must be written back. */
export class LedgerWork {
  readonly newTransfers: TransferRow[] = [];
  readonly dirtyAccounts = new Set<AccountRow>();
  readonly dirtyPending = new Set<TransferRow>();

  constructor(
    readonly accounts: Map<string, AccountRow>,
    readonly transfers: Map<string, TransferRow>,
    private readonly nowMs: number,
  ) {}

  /** Decides one statically valid transfer and, if it succeeds, applies it to the in-memory state. */
  apply(t: NewTransfer): TR {
    const existing = this.transfers.get(t.id);
    if (existing) return compareExisting(t, existing);
    const flags = transferFlagBits(t);
    if ((flags & ~TF_PENDING) !== 0) return this.applySecondPhase(t, flags);
    const dr = this.accounts.get(t.debitAccountId!);
    const cr = this.accounts.get(t.creditAccountId!);
    if (!dr) return TR.debit_account_not_found;
    if (!cr) return TR.credit_account_not_found;
    if (dr.currency !== t.currency || cr.currency !== t.currency) return TR.currency_mismatch;
    const amount = t.amountMinor!;
    const r = checkBalances(dr, cr, amount);
    if (r !== TR.ok) return r;
    const pending = (flags & TF_PENDING) !== 0;
    if (pending) {
      dr.debitsPending += amount;
      cr.creditsPending += amount;
    } else {
      dr.debitsPosted += amount;
      cr.creditsPosted += amount;
    }
    const timeoutMs = t.timeoutMs ?? 0;
    this.record(t, flags, dr.id, cr.id, amount, t.currency!, {
      pendingStatus: pending ? 'pending' : null,
      expiresAtMs: pending && timeoutMs > 0 ? this.nowMs + timeoutMs : null,
    });
    this.dirtyAccounts.add(dr).add(cr);
    return TR.ok;
  }

  private applySecondPhase(t: NewTransfer, flags: number): TR {
    const p = this.transfers.get(t.pendingId!);
    if (!p) return TR.pending_not_found;
    if ((p.flags & TF_PENDING) === 0) return TR.pending_not_pending;
    if (t.debitAccountId !== undefined && t.debitAccountId !== p.debitAccountId) return TR.pending_different_debit_account;
    if (t.creditAccountId !== undefined && t.creditAccountId !== p.creditAccountId) return TR.pending_different_credit_account;
    if (t.currency !== undefined && t.currency !== p.currency) return TR.pending_different_currency;
    if (p.pendingStatus === 'posted') return TR.pending_already_posted;
    if (p.pendingStatus === 'voided') return TR.pending_already_voided;
    if (p.pendingStatus === 'expired' || (p.expiresAtMs !== null && this.nowMs >= p.expiresAtMs)) return TR.pending_expired;
    const post = (flags & TF_POST_PENDING) !== 0;
    const amount = t.amountMinor ?? p.amount;
    if (post && amount > p.amount) return TR.exceeds_pending_amount;
    if (!post && amount !== p.amount) return TR.pending_different_amount;
    const dr = this.accounts.get(p.debitAccountId);
    const cr = this.accounts.get(p.creditAccountId);
    if (!dr) return TR.debit_account_not_found;
    if (!cr) return TR.credit_account_not_found;
    if (post && (dr.debitsPosted + amount > MAX || cr.creditsPosted + amount > MAX)) return TR.overflows;
    dr.debitsPending -= p.amount;
    cr.creditsPending -= p.amount;
    if (post) {
      dr.debitsPosted += amount;
      cr.creditsPosted += amount;
    }
    p.pendingStatus = post ? 'posted' : 'voided';
    this.dirtyPending.add(p);
    this.record(t, flags, dr.id, cr.id, amount, p.currency, { pendingStatus: null, expiresAtMs: null });
    this.dirtyAccounts.add(dr).add(cr);
    return TR.ok;
  }

  /** Releases an expired pending transfer (the sweep). */
  expire(p: TransferRow): void {
    const dr = this.accounts.get(p.debitAccountId);
    const cr = this.accounts.get(p.creditAccountId);
    if (dr) {
      dr.debitsPending -= p.amount;
      this.dirtyAccounts.add(dr);
    }
    if (cr) {
      cr.creditsPending -= p.amount;
      this.dirtyAccounts.add(cr);
    }
    p.pendingStatus = 'expired';
    this.dirtyPending.add(p);
  }

  private record(
    t: NewTransfer,
    flags: number,
    debitAccountId: string,
    creditAccountId: string,
    amount: number,
    currency: string,
    pending: Pick<TransferRow, 'pendingStatus' | 'expiresAtMs'>,
  ): void {
    const row: TransferRow = {
      id: t.id,
      debitAccountId,
      creditAccountId,
      amount,
      currency,
      flags,
      pendingId: t.pendingId ?? null,
      timeoutMs: t.timeoutMs ?? 0,
      code: t.code ?? 0,
      reference: t.reference ?? '',
      timestampMs: this.nowMs,
      ...pending,
    };
    this.newTransfers.push(row);
    this.transfers.set(row.id, row);
  }

  /** Writes new transfers, changed balances and changed pending states. */
  async write(tx: Tx): Promise<void> {
    for (let i = 0; i < this.newTransfers.length; i += CENTER_LIMITS.sqlInsertRowsMax) {
      const chunk = this.newTransfers.slice(i, i + CENTER_LIMITS.sqlInsertRowsMax);
      await tx.run(
        `INSERT INTO ledger_transfers (${TRANSFER_COLUMNS}) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((r) => [
          r.id,
          r.debitAccountId,
          r.creditAccountId,
          r.amount,
          r.currency,
          r.flags,
          r.pendingId,
          r.timeoutMs,
          r.code,
          r.reference,
          r.timestampMs,
          r.pendingStatus,
          r.expiresAtMs,
        ]),
      );
    }
    const fresh = new Set(this.newTransfers);
    for (const p of this.dirtyPending) {
      if (!fresh.has(p)) await tx.run('UPDATE ledger_transfers SET pending_status = ? WHERE id = ?', [p.pendingStatus, p.id]);
    }
    // All changed balances in one statement (an upsert of rows that exist): one round trip, not one per account.
    const dirty = [...this.dirtyAccounts];
    for (let i = 0; i < dirty.length; i += CENTER_LIMITS.sqlInsertRowsMax) {
      const chunk = dirty.slice(i, i + CENTER_LIMITS.sqlInsertRowsMax);
      await tx.run(
        `INSERT INTO ledger_accounts (${ACCOUNT_COLUMNS}) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ` +
          'ON CONFLICT (id) DO UPDATE SET debits_pending = excluded.debits_pending, debits_posted = excluded.debits_posted, ' +
          'credits_pending = excluded.credits_pending, credits_posted = excluded.credits_posted',
        chunk.flatMap((a) => [
          a.id,
          a.owner,
          a.institution,
          a.kind,
          a.currency,
          a.flags,
          a.reference,
          a.debitsPending,
          a.debitsPosted,
          a.creditsPending,
          a.creditsPosted,
          a.createdAtMs,
        ]),
      );
    }
  }
}

function checkBalances(dr: AccountRow, cr: AccountRow, amount: number): TR {
  if (dr.debitsPosted + dr.debitsPending + amount > MAX || cr.creditsPosted + cr.creditsPending + amount > MAX) return TR.overflows;
  if ((dr.flags & AF_DEBITS_MUST_NOT_EXCEED_CREDITS) !== 0 && dr.debitsPosted + dr.debitsPending + amount > dr.creditsPosted) {
    return TR.insufficient_funds;
  }
  if ((cr.flags & AF_CREDITS_MUST_NOT_EXCEED_DEBITS) !== 0 && cr.creditsPosted + cr.creditsPending + amount > cr.debitsPosted) {
    return TR.exceeds_debits;
  }
  return TR.ok;
}

/** The same id again: `exists` if every field given matches the stored transfer. */
export function compareExisting(t: NewTransfer, e: TransferRow): TR {
  if (transferFlagBits(t) !== e.flags) return TR.exists_with_different_flags;
  if ((t.pendingId ?? null) !== e.pendingId) return TR.exists_with_different_pending_id;
  if (t.debitAccountId !== undefined && t.debitAccountId !== e.debitAccountId) return TR.exists_with_different_debit_account;
  if (t.creditAccountId !== undefined && t.creditAccountId !== e.creditAccountId) return TR.exists_with_different_credit_account;
  if (t.amountMinor !== undefined && t.amountMinor !== e.amount) return TR.exists_with_different_amount;
  if (t.currency !== undefined && t.currency !== e.currency) return TR.exists_with_different_currency;
  if ((t.timeoutMs ?? 0) !== e.timeoutMs) return TR.exists_with_different_timeout;
  if ((t.code ?? 0) !== e.code) return TR.exists_with_different_code;
  if ((t.reference ?? '') !== e.reference) return TR.exists_with_different_reference;
  return TR.exists;
}
