/**
 * Payouts by bank transfer through the seed-004 relay, for any capability
 * that owes money to outside parties (voucher shops, prepaid vendors and
 * providers): a payee's payable ledger account is paid periodically from
 * the center's own account at the payee's bank to the payee's account there
 * (the bank simulator has no transfers between banks). Each payout is a row
 * whose id is its reconciliation id; the bank transfer id is derived from it,
 * so a retry after a crash or an unreachable bank is the same transfer.
 *
 *   sweep: payable >= minimum and no payout pending → payout `pending` (decided: payable → clearing)
 *   pending ─claim─► bank transfer ─approved─► paid   (sent: clearing → center@bank)
 *                                  ─declined─► failed (failed: clearing → payable, payable again)
 *                                  ─unknown / short of funds─► pending (claim released; short of funds: a new transfer id
 *                                     derived from the last, the bank keeps its decline for the old; this node retries after
 *                                     RELAY_LIMITS.payoutRetryBaseMs, doubling per attempt up to payoutRetryMsMax,
 *                                     one warn line per attempt: not one per sweep)
 *
 * One pending payout per payee (the table's unique index): two nodes
 * sweeping at once create one. The node that claims a pending payout (kit
 * callClaims) is the only one calling the bank for it. The capability gives
 * its table, its ledger accounts and moves (BankPayoutSpec); the table has
 * the columns of BANK_PAYOUT_COLUMNS, the payee's under a name of its own.
 */
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import type { Ledger } from '../ledger/ledger.js';
import type { NewAccount, NewTransfer } from '../ledger/types.js';
import type { Relay } from './relay.js';
import type { AccountRef } from './types.js';
import { RELAY_LIMITS } from './limits.js';
import type { SqlExecutor, Storage, Tx } from '../storage/types.js';
import { callClaims, UNCLAIMED } from '../kit/claims.js';
import { int, nullable, oneOf, rowMapper, text } from '../kit/rows.js';
import { stateMachine, updateState } from '../kit/transitions.js';

export const PAYOUT_STATE_LIST = ['pending', 'paid', 'failed'] as const;
export type PayoutState = (typeof PAYOUT_STATE_LIST)[number];

/** The payout row's state machine (the same for every capability). */
export const BANK_PAYOUT_STATES = stateMachine<PayoutState>('bank payout', {
  initial: ['pending'],
  next: { pending: ['paid', 'failed'], paid: [], failed: [] },
});

/** The table's SQL (both dialects: `big` is the 64-bit integer type) with the payee column named `payeeColumn`. */
export function bankPayoutTableSql(table: string, payeeColumn: string, big: string): string {
  return `CREATE TABLE ${table} (
      id TEXT PRIMARY KEY, ${payeeColumn} TEXT NOT NULL, bank_code TEXT NOT NULL, state TEXT NOT NULL, amount ${big} NOT NULL,
      currency TEXT NOT NULL, transfer_id TEXT NOT NULL, code TEXT, claim_until_ms ${big}, created_ms ${big} NOT NULL, updated_ms ${big} NOT NULL);
    CREATE UNIQUE INDEX ${table}_one_pending ON ${table} (${payeeColumn}) WHERE state = 'pending';
    CREATE INDEX ${table}_payee ON ${table} (${payeeColumn}, created_ms)`;
}

export function bankPayoutRows(table: string, payeeColumn: string) {
  return rowMapper(table, {
    id: text('id'),
    payee: text(payeeColumn),
    bankCode: text('bank_code'),
    state: oneOf('state', PAYOUT_STATE_LIST),
    amount: int('amount'),
    currency: text('currency'),
    transferId: text('transfer_id'),
    code: nullable(text('code')),
    claimUntilMs: nullable(int('claim_until_ms')),
    createdMs: int('created_ms'),
    updatedMs: int('updated_ms'),
  });
}
export type BankPayoutRow = {
  readonly id: string; readonly payee: string; readonly bankCode: string; readonly state: PayoutState; readonly amount: number; readonly currency: string;
  readonly transferId: string; readonly code: string | null; readonly claimUntilMs: number | null; readonly createdMs: number; readonly updatedMs: number;
};

/** The center's own account at a bank, with its security code (read from its 0600 file; never stored or logged). */
export interface CenterAccount extends AccountRef {
  readonly securityCode: string;
}

/** A payout as the payee's statement shows it. */
export interface BankPayout {
  /** The reconciliation id (also on the payee's bank statement through the transfer id). */
  readonly payoutId: string;
  readonly state: PayoutState;
  readonly amountMinor: number;
  readonly currency: string;
  readonly bankCode: string;
  /** The bank transfer's id (32 hex), derived from the payout id. */
  readonly transferId: string;
  readonly code: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export const bankPayoutOf = (p: BankPayoutRow): BankPayout => ({
  payoutId: p.id, state: p.state, amountMinor: p.amount, currency: p.currency, bankCode: p.bankCode, transferId: p.transferId, code: p.code, createdAtMs: p.createdMs, updatedAtMs: p.updatedMs,
});

/** What a capability tells the engine: its table, ledger accounts and moves, its names in log lines. */
export interface BankPayoutSpec {
  readonly table: string;
  readonly payeeColumn: string;
  /** Payout ids: this prefix and 24 random hex. */
  readonly idPrefix: string;
  /** Log lines: `${what} paid`, `${what} pending`, and the refusal line naming `failedCode`. */
  readonly what: string;
  readonly failedCode: string;
  readonly claimMs: number;
  readonly sweepBatchMax: number;
  readonly payoutMinorMin: number;
  /** The bank transfer id of a payout (32 hex, derived from the payout id). */
  transferId(payoutId: string): string;
  /** The payee's payable ledger account (credit-normal: what is owed). */
  payableAccount(payee: string): string;
  /** The center's account at a bank in the ledger (provider_at_bank). */
  centerLedgerAccount(bankCode: string, currency: string): NewAccount;
  readonly moves: {
    decided(payee: string, payoutId: string, amountMinor: number, currency: string): NewTransfer;
    sent(bankCode: string, payoutId: string, amountMinor: number, currency: string): NewTransfer;
    failed(payee: string, payoutId: string, amountMinor: number, currency: string): NewTransfer;
  };
  applyMoves(tx: Tx, ledger: Ledger, transfers: readonly NewTransfer[]): Promise<void>;
}

export interface BankPayoutConfig {
  readonly relay: Relay;
  /** Where each payee is paid. */
  readonly payees: ReadonlyMap<string, AccountRef>;
  /** The center's account at each bank. */
  readonly centerAccounts: ReadonlyMap<string, CenterAccount>;
}

export interface BankPayoutSweep {
  readonly payoutsDecided: number;
  readonly payoutsPaid: number;
  readonly payoutsFailed: number;
}

export class BankPayouts {
  private readonly rows;
  private readonly calls;
  /** Payouts the bank could not make now (short of funds, no answer): attempts and when this node tries again. */
  private readonly retry = new Map<string, { attempts: number; nextAtMs: number }>();

  constructor(
    private readonly spec: BankPayoutSpec,
    private readonly d: { storage: Storage; ledger: Ledger; clock: Clock; random: Random; log: Logger; currency: string; config: BankPayoutConfig },
  ) {
    this.rows = bankPayoutRows(spec.table, spec.payeeColumn);
    this.calls = callClaims(spec.table, spec.claimMs);
  }

  async ensureAccounts(): Promise<void> {
    await this.d.ledger.createAccounts([...this.d.config.centerAccounts.keys()].map((b) => this.spec.centerLedgerAccount(b, this.d.currency)));
  }

  /** One pass: a payout decided for every payee with a payable and none pending, then every pending payout no node is paying. */
  async sweep(): Promise<BankPayoutSweep> {
    let payoutsDecided = 0;
    for (const [payee, account] of this.d.config.payees) if (await this.decide(payee, account)) payoutsDecided++;
    const nowMs = this.d.clock.nowMs();
    const due = await this.d.storage.read((q) => this.rows.all(q, `WHERE state = 'pending' AND ${UNCLAIMED} ORDER BY created_ms LIMIT ?`, [nowMs, this.spec.sweepBatchMax]));
    let payoutsPaid = 0;
    let payoutsFailed = 0;
    for (const p of due) {
      if ((this.retry.get(p.id)?.nextAtMs ?? 0) > nowMs) continue; // backing off: the bank could not make it a moment ago
      const out = await this.pay(p);
      if (out === 'paid') payoutsPaid++;
      if (out === 'failed') payoutsFailed++;
    }
    return { payoutsDecided, payoutsPaid, payoutsFailed };
  }

  /** A payee's payouts, newest first. */
  list(q: SqlExecutor, payee: string, limit: number): Promise<BankPayoutRow[]> {
    return this.rows.all(q, `WHERE ${this.spec.payeeColumn} = ? ORDER BY created_ms DESC, id LIMIT ?`, [payee, limit]);
  }

  private async decide(payee: string, account: AccountRef): Promise<boolean> {
    if (!this.d.config.centerAccounts.has(account.bankCode)) return false;
    const [acct] = await this.d.ledger.lookupAccounts([this.spec.payableAccount(payee)]);
    const payable = acct ? acct.creditsPostedMinor - acct.debitsPostedMinor : 0;
    if (payable < this.spec.payoutMinorMin) return false;
    const nowMs = this.d.clock.nowMs();
    const { table, payeeColumn } = this.spec;
    return this.d.storage.transact(async (tx) => {
      if (await tx.get(`SELECT id FROM ${table} WHERE ${payeeColumn} = ? AND state = 'pending'`, [payee])) return false;
      const id = `${this.spec.idPrefix}${this.d.random.bytes(12).toString('hex')}`;
      BANK_PAYOUT_STATES.check(null, 'pending');
      await tx.run(
        `INSERT INTO ${table} (id, ${payeeColumn}, bank_code, state, amount, currency, transfer_id, code, claim_until_ms, created_ms, updated_ms) VALUES (?,?,?,?,?,?,?,NULL,NULL,?,?)`,
        [id, payee, account.bankCode, 'pending', payable, this.d.currency, this.spec.transferId(id), nowMs, nowMs],
      );
      await this.spec.applyMoves(tx, this.d.ledger, [this.spec.moves.decided(payee, id, payable, this.d.currency)]);
      return true;
    });
  }

  private async pay(p: BankPayoutRow): Promise<'paid' | 'failed' | 'pending' | 'skipped'> {
    const to = this.d.config.payees.get(p.payee);
    const from = this.d.config.centerAccounts.get(p.bankCode);
    if (!to || !from || to.bankCode !== p.bankCode) return 'skipped';
    if (!(await this.d.storage.transact((tx) => this.calls.claim(tx, p.id, ['pending'], this.d.clock.nowMs())))) return 'skipped';
    const out = await this.d.config.relay.transfer({ transferId: p.transferId, from, to, amountMinor: p.amount, currency: p.currency, pin: from.securityCode });
    if (out.inDoubt || out.code === 'BANK_INSUFFICIENT_FUNDS') {
      await this.d.storage.transact(async (tx) => {
        // A decline for want of funds moved nothing and the bank keeps its answer for that transfer id: the
        // retry needs a new one (derived from the last, so every node agrees). No answer: the same id again.
        if (!out.inDoubt) {
          await tx.run(`UPDATE ${this.spec.table} SET transfer_id = ? WHERE id = ? AND state = 'pending' AND transfer_id = ?`, [this.spec.transferId(`${p.transferId}:retry`), p.id, p.transferId]);
        }
        await this.calls.release(tx, p.id);
      });
      const attempts = (this.retry.get(p.id)?.attempts ?? 0) + 1;
      const retryInMs = Math.min(RELAY_LIMITS.payoutRetryBaseMs * 2 ** Math.min(attempts - 1, 30), RELAY_LIMITS.payoutRetryMsMax);
      this.retry.set(p.id, { attempts, nextAtMs: this.d.clock.nowMs() + retryInMs });
      const why = out.code === 'BANK_INSUFFICIENT_FUNDS' ? `: the center's account at bank ${p.bankCode} is short of funds (fund it)` : '';
      this.d.log.warn({ payoutId: p.id, payee: p.payee, code: out.code, attempts, retryInMs }, `${this.spec.what} pending${why}`);
      return 'pending';
    }
    this.retry.delete(p.id);
    const next: PayoutState = out.approved ? 'paid' : 'failed';
    const done = await this.d.storage.transact(async (tx) => {
      const cur = await this.rows.get(tx, `WHERE id = ?${tx.forUpdate}`, [p.id]);
      if (cur?.state !== 'pending') return false;
      await updateState(tx, this.rows, BANK_PAYOUT_STATES, cur, { state: next, code: out.code, claimUntilMs: null, updatedMs: this.d.clock.nowMs() });
      await this.spec.applyMoves(tx, this.d.ledger, [
        out.approved ? this.spec.moves.sent(p.bankCode, p.id, p.amount, p.currency) : this.spec.moves.failed(p.payee, p.id, p.amount, p.currency),
      ]);
      return true;
    });
    if (!done) return 'skipped';
    if (out.approved) this.d.log.info({ payoutId: p.id, payee: p.payee, amount: p.amount }, `${this.spec.what} paid`);
    else this.d.log.error({ payoutId: p.id, payee: p.payee, code: out.code }, `${this.spec.what} refused by the bank: ${this.spec.failedCode}`);
    return next === 'paid' ? 'paid' : 'failed';
  }
}

const minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** One payout as a payee's statement shows it (the merchant API's schema, shared by every module paying through this engine). */
export const bankPayoutViewSchema = z.object({
  payoutId: z.string().describe('the reconciliation id of the payout'),
  state: z.enum(['pending', 'paid', 'failed']),
  amountMinor: minor,
  currency: z.string(),
  bankCode: z.string(),
  transferId: z.string().describe('the bank transfer id (derived from the payout id)'),
  code: z.string().nullable(),
  createdAtMs: minor,
  updatedAtMs: minor,
});
