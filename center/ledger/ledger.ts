import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { CENTER_LIMITS } from '../limits.js';
import type { Storage, Tx } from '../storage/types.js';
import { LedgerWork, loadAccounts, loadTransfers } from './apply.js';
import { transferObservers } from './observe.js';
import { CreateAccountResult as AR, CreateTransferResult as TR, accountSucceeded, transferSucceeded } from './results.js';
import {
  ACCOUNT_COLUMNS,
  accountFromRow,
  accountRowFrom,
  ledgerMigrations,
  TF_POST_PENDING,
  TF_VOID_PENDING,
  TRANSFER_COLUMNS,
  transferFromRow,
  transferRowFrom,
  type AccountRow,
  type TransferRow,
} from './schema.js';
import type { Account, AccountOutcome, BatchOptions, NewAccount, NewTransfer, Transfer, TransferOutcome } from './types.js';
import { accountFlagBits, transferFlagBits, validateAccount, validateTransfer } from './validate.js';

function checkCount(n: number): void {
  if (n < 1 || n > CENTER_LIMITS.ledgerEventsMax) {
    throw new TesseraError('LEDGER_TOO_MANY_EVENTS', `a ledger call takes 1..${CENTER_LIMITS.ledgerEventsMax} events`, { count: n });
  }
}

/** In an atomic call, one failure fails all: the failures keep their result, the rest become linked_event_failed. */
function atomically<R extends number>(results: R[], succeeded: (r: R) => boolean, linkedFailed: R): { results: R[]; failed: boolean } {
  if (results.every(succeeded)) return { results, failed: false };
  return { results: results.map((r) => (succeeded(r) ? linkedFailed : r)), failed: true };
}

/**
 * Double-entry ledger (TigerBeetle-like) on the storage contract. Every call
 * is one unit of work in a group-committed transaction: the outcomes it
 * resolves with are durable. Balanced by construction: every transfer adds
 * the same amount to one account's debits and another's credits.
 */
export class Ledger {
  private constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
  ) {}

  /** Applies the ledger's migrations and returns a ledger on that storage. */
  static async open(storage: Storage, clock: Clock): Promise<Ledger> {
    await storage.migrate(ledgerMigrations);
    return new Ledger(storage, clock);
  }

  async createAccounts(accounts: readonly NewAccount[], opts: BatchOptions = {}): Promise<AccountOutcome[]> {
    checkCount(accounts.length);
    const results = await this.storage.transact((tx) => this.createAccountsIn(tx, accounts, opts.atomic === true));
    return results.map((result, i) => ({ id: String(accounts[i]!.id), result }));
  }

  async createTransfers(transfers: readonly NewTransfer[], opts: BatchOptions = {}): Promise<TransferOutcome[]> {
    checkCount(transfers.length);
    const results = await this.storage.transact((tx) => this.createTransfersIn(tx, transfers, opts.atomic === true));
    return results.map((result, i) => ({ id: String(transfers[i]!.id), result }));
  }

  /**
   * Applies transfers inside a caller's unit of work (so a flow can write its
   * own rows and the transfers atomically). Nothing is written unless the
   * results say so.
   */
  async createTransfersIn(tx: Tx, transfers: readonly NewTransfer[], atomic: boolean): Promise<TR[]> {
    const results = transfers.map(validateTransfer);
    const valid = transfers.filter((_, i) => results[i] === TR.ok);
    const secondPhase = (t: NewTransfer): boolean => (transferFlagBits(t) & (TF_POST_PENDING | TF_VOID_PENDING)) !== 0;
    const pendingIds = valid.filter(secondPhase).map((t) => t.pendingId!);
    // A pending transfer's accounts never change, so they can be read before any lock.
    const accountIds = valid.flatMap((t) => [t.debitAccountId, t.creditAccountId].filter((x): x is string => x !== undefined));
    for (const p of (await loadTransfers(tx, pendingIds, false)).values()) accountIds.push(p.debitAccountId, p.creditAccountId);
    // Accounts are locked first, transfers read after: a concurrent unit with the same id (another
    // node) has committed by the time we hold the accounts, so a retry answers `exists`.
    const accounts = await loadAccounts(tx, accountIds);
    const known = await loadTransfers(tx, [...valid.map((t) => t.id), ...pendingIds], true);
    const work = new LedgerWork(accounts, known, this.clock.nowMs());
    transfers.forEach((t, i) => {
      if (results[i] === TR.ok) results[i] = work.apply(t);
    });
    if (atomic) {
      const a = atomically(results, transferSucceeded, TR.linked_event_failed);
      if (a.failed) return this.observed(tx, a.results);
    }
    await work.write(tx);
    return this.observed(tx, results);
  }

  /** Tells the storage's transfer observers (metrics) the results once the unit has committed. */
  private observed(tx: Tx, results: TR[]): TR[] {
    const watching = transferObservers(this.storage);
    if (watching) {
      const copy = [...results];
      tx.afterCommit(() => {
        for (const fn of watching) fn(copy);
      });
    }
    return results;
  }

  /** Creates accounts inside a caller's unit of work (the admin API writes its audit row in the same one). */
  async createAccountsIn(tx: Tx, accounts: readonly NewAccount[], atomic: boolean): Promise<AR[]> {
    const results = accounts.map(validateAccount);
    const existing = await loadAccounts(tx, accounts.filter((_, i) => results[i] === AR.ok).map((a) => a.id));
    const fresh: AccountRow[] = [];
    accounts.forEach((a, i) => {
      if (results[i] !== AR.ok) return;
      const e = existing.get(a.id);
      if (e) {
        results[i] = compareAccount(a, e);
        return;
      }
      const row: AccountRow = {
        id: a.id,
        owner: a.owner,
        institution: a.institution ?? null,
        kind: a.kind,
        currency: a.currency,
        flags: accountFlagBits(a),
        reference: a.reference ?? '',
        debitsPending: 0,
        debitsPosted: 0,
        creditsPending: 0,
        creditsPosted: 0,
        createdAtMs: this.clock.nowMs(),
      };
      existing.set(a.id, row);
      fresh.push(row);
    });
    if (atomic) {
      const a = atomically(results, accountSucceeded, AR.linked_event_failed);
      if (a.failed) return a.results;
    }
    for (const r of fresh) {
      await tx.run(`INSERT INTO ledger_accounts (${ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?)`, [
        r.id,
        r.owner,
        r.institution,
        r.kind,
        r.currency,
        r.flags,
        r.reference,
        r.createdAtMs,
      ]);
    }
    return results;
  }

  /** The accounts found, in the order asked (unknown ids are left out). */
  async lookupAccounts(ids: readonly string[]): Promise<Account[]> {
    if (ids.length === 0) return [];
    checkCount(ids.length);
    const rows = await this.storage.read((q) =>
      q.all(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id IN (${ids.map(() => '?').join(', ')})`, [...ids]),
    );
    const byId = new Map(rows.map((r) => [String(r['id']), accountFromRow(accountRowFrom(r))]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async lookupTransfers(ids: readonly string[]): Promise<Transfer[]> {
    if (ids.length === 0) return [];
    checkCount(ids.length);
    const rows = await this.storage.read((q) =>
      q.all(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id IN (${ids.map(() => '?').join(', ')})`, [...ids]),
    );
    const byId = new Map(rows.map((r) => [String(r['id']), transferFromRow(transferRowFrom(r))]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Transfers that debit or credit an account, oldest first, at most `limit` (<= CENTER_LIMITS.ledgerEventsMax). */
  async accountTransfers(accountId: string, limit: number): Promise<Transfer[]> {
    checkCount(limit);
    const rows = await this.storage.read((q) =>
      q.all(
        `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE debit_account_id = ? OR credit_account_id = ? ORDER BY timestamp_ms, id LIMIT ?`,
        [accountId, accountId, limit],
      ),
    );
    return rows.map((r) => transferFromRow(transferRowFrom(r)));
  }

  /** Voids pending transfers whose timeout has passed (by the injected clock); returns how many. */
  async voidExpiredPending(): Promise<number> {
    return this.storage.transact(async (tx) => {
      const now = this.clock.nowMs();
      const candidates = await loadExpired(tx, now);
      if (candidates.length === 0) return 0;
      // Same lock order as transfers (accounts, then transfers), then re-check: a post may have won.
      const accounts = await loadAccounts(tx, candidates.flatMap((p) => [p.debitAccountId, p.creditAccountId]));
      const locked = await loadTransfers(tx, candidates.map((p) => p.id), true);
      const due = [...locked.values()].filter((p) => p.pendingStatus === 'pending' && p.expiresAtMs !== null && p.expiresAtMs <= now);
      const work = new LedgerWork(accounts, locked, now);
      for (const p of due) work.expire(p);
      await work.write(tx);
      return due.length;
    });
  }

  /** Runs the expiry sweep every intervalMs on the injected clock; returns a stop function. */
  startExpirySweep(intervalMs: number, onError: (e: unknown) => void): () => void {
    let stopped = false;
    let timer = this.clock.setTimer(intervalMs, tick);
    const self = this;
    function tick(): void {
      void self
        .voidExpiredPending()
        .catch(onError)
        .finally(() => {
          if (!stopped) timer = self.clock.setTimer(intervalMs, tick);
        });
    }
    return () => {
      stopped = true;
      timer.cancel();
    };
  }
}

async function loadExpired(tx: Tx, nowMs: number): Promise<TransferRow[]> {
  const rows = await tx.all(
    `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE pending_status = 'pending' AND expires_at_ms <= ? ORDER BY expires_at_ms, id LIMIT ?`,
    [nowMs, CENTER_LIMITS.ledgerSweepBatchMax],
  );
  return rows.map(transferRowFrom);
}

function compareAccount(a: NewAccount, e: AccountRow): AR {
  if (a.owner !== e.owner) return AR.exists_with_different_owner;
  if ((a.institution ?? null) !== e.institution) return AR.exists_with_different_institution;
  if (a.kind !== e.kind) return AR.exists_with_different_kind;
  if (a.currency !== e.currency) return AR.exists_with_different_currency;
  if (accountFlagBits(a) !== e.flags) return AR.exists_with_different_flags;
  if ((a.reference ?? '') !== e.reference) return AR.exists_with_different_reference;
  return AR.exists;
}
