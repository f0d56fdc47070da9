/**
 * A simulated bank host (seed 004's bank computers): customer accounts with
 * PIN hashes and open/closed status, balances in its own ledger on its own
 * database, bank-POS transfers between two of its accounts, idempotent by
 * transfer id, and reversals by id. It implements the relay's
 * BankHostAdapter in-process; bank-http-server.ts serves it to another process.
 */
import { createHash } from 'node:crypto';
import { assert } from '../../core/assert.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { systemRandom, type Random } from '../../core/random.js';
import { Ledger } from '../../center/ledger/ledger.js';
import { CreateTransferResult as TR } from '../../center/ledger/results.js';
import type { AccountKind } from '../../center/ledger/types.js';
import { openStorage } from '../../center/storage/open.js';
import type { Storage, Tx } from '../../center/storage/types.js';
import type { BankDeclineCode } from '../../center/relay/bank/errors.js';
import type { AccountRef, BankHostAdapter, BankOutcome, BankTransferRequest, ReversalOutcome } from '../../center/relay/types.js';
import { accountText, validTransfer, validTransferId } from '../../center/relay/validate.js';
import { bankMigrations } from './schema.js';
import { hashPin, pinMatches } from './pin-hash.js';

export type CustomerRole = 'user' | 'merchant' | 'provider';
const KIND: Record<CustomerRole, AccountKind> = { user: 'user_bank', merchant: 'merchant', provider: 'provider_at_bank' };
const VAULT = 'vault';

export interface NewCustomer {
  readonly branchCode: string;
  readonly accountNumber: string;
  readonly holder: string;
  readonly role: CustomerRole;
  /** PIN (users) or security code (the provider's account): hashed with scrypt, never stored. */
  readonly pin: string;
  readonly openingMinor?: number;
  readonly currency?: string;
}

export interface BankHostOptions {
  readonly bankCode: string;
  readonly name: string;
  /** SQLite file (or ':memory:'), or an open storage. */
  readonly db: string | Storage;
  readonly clock?: Clock;
  readonly random?: Random;
}

type TransferRow = {
  from_acct: string;
  to_acct: string;
  amount: number;
  currency: string;
  approved: number;
  code: string;
  reversed: number;
};

const ledgerId = (branch: string, account: string): string => `acct:${branch}-${account}`;
/** Reversal ledger ids are derived from the transfer id, so a retried reversal is the same transfer. */
const reversalId = (id: string): string => createHash('sha256').update(`reversal:${id}`).digest('hex').slice(0, 32);

export class BankHost implements BankHostAdapter {
  private constructor(
    readonly bankCode: string,
    readonly name: string,
    readonly storage: Storage,
    private readonly ledger: Ledger,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly ownsStorage: boolean,
  ) {}

  static async open(o: BankHostOptions): Promise<BankHost> {
    assert(/^[0-9]{4}$/.test(o.bankCode), 'bank code is 4 digits');
    const clock = o.clock ?? systemClock;
    const storage = typeof o.db === 'string' ? await openStorage(o.db, { clock }) : o.db;
    await storage.migrate(bankMigrations);
    const ledger = await Ledger.open(storage, clock);
    await ledger.createAccounts([{ id: VAULT, owner: o.name, institution: o.bankCode, kind: 'external', currency: 'JPY' }]);
    return new BankHost(o.bankCode, o.name, storage, ledger, clock, o.random ?? systemRandom, typeof o.db === 'string');
  }

  /** Opens an account (idempotent for the same number) and deposits the opening balance from the vault. */
  async openAccount(c: NewCustomer): Promise<AccountRef> {
    const ref = { bankCode: this.bankCode, branchCode: c.branchCode, accountNumber: c.accountNumber };
    const currency = c.currency ?? 'JPY';
    const id = ledgerId(c.branchCode, c.accountNumber);
    const pin = await hashPin(c.pin, this.random);
    await this.storage.transact(async (tx) => {
      const had = await tx.get('SELECT 1 AS x FROM bank_customers WHERE branch = ? AND account = ?', [c.branchCode, c.accountNumber]);
      if (had) return;
      await tx.run('INSERT INTO bank_customers (branch, account, holder, role, pin_salt, pin_hash, status, currency) VALUES (?,?,?,?,?,?,?,?)', [
        c.branchCode, c.accountNumber, c.holder, c.role, pin.salt, pin.hash, 'open', currency,
      ]);
    });
    await this.ledger.createAccounts([
      { id, owner: c.holder, institution: this.bankCode, kind: KIND[c.role], currency, flags: { debitsMustNotExceedCredits: true } },
    ]);
    if (c.openingMinor) {
      const depositId = createHash('sha256').update(`opening:${this.bankCode}:${id}`).digest('hex').slice(0, 32);
      await this.ledger.createTransfers([{ id: depositId, debitAccountId: VAULT, creditAccountId: id, amountMinor: c.openingMinor, currency }]);
    }
    return ref;
  }

  async setStatus(ref: AccountRef, status: 'open' | 'closed'): Promise<void> {
    await this.storage.transact((tx) => tx.run('UPDATE bank_customers SET status = ? WHERE branch = ? AND account = ?', [status, ref.branchCode, ref.accountNumber]));
  }

  /** The account's balance in minor units (credits minus debits, posted). */
  async balance(ref: AccountRef): Promise<number> {
    const [a] = await this.ledger.lookupAccounts([ledgerId(ref.branchCode, ref.accountNumber)]);
    assert(a !== undefined, `no account ${accountText(ref)}`);
    return a.creditsPostedMinor - a.debitsPostedMinor;
  }

  /** Sum of the balances of every customer account with this role. */
  async totalOf(role: CustomerRole): Promise<number> {
    const rows = await this.storage.read((q) =>
      q.all<{ s: number | null }>(
        `SELECT SUM(a.credits_posted - a.debits_posted) AS s FROM ledger_accounts a WHERE a.kind = ? AND a.id <> ?`,
        [KIND[role], VAULT],
      ),
    );
    return Number(rows[0]?.s ?? 0);
  }

  async transfer(req: BankTransferRequest): Promise<BankOutcome> {
    const decline = (code: BankDeclineCode): BankOutcome => ({ transferId: req.transferId, approved: false, code, inDoubt: false });
    if (!validTransfer(req)) return decline('BANK_BAD_REQUEST');
    const earlier = await this.storage.read((q) => q.get<TransferRow>('SELECT * FROM bank_transfers WHERE id = ?', [req.transferId]));
    if (earlier) return this.answerRetry(req, earlier);
    if (req.from.bankCode !== this.bankCode || req.to.bankCode !== this.bankCode) return decline('BANK_NOT_THIS_BANK');
    const pre = await this.precheck(req);
    return this.storage.transact((tx) => this.apply(tx, req, pre));
  }

  /** Checks outside the unit of work (scrypt must not hold up a group commit). */
  private async precheck(req: BankTransferRequest): Promise<BankDeclineCode | null> {
    const [from, to] = await this.storage.read(async (q) => [
      await q.get<{ status: string; currency: string; pin_salt: Buffer; pin_hash: Buffer }>('SELECT * FROM bank_customers WHERE branch = ? AND account = ?', [req.from.branchCode, req.from.accountNumber]),
      await q.get<{ status: string; currency: string }>('SELECT * FROM bank_customers WHERE branch = ? AND account = ?', [req.to.branchCode, req.to.accountNumber]),
    ] as const);
    if (!from || !to) return 'BANK_UNKNOWN_ACCOUNT';
    if (!(await pinMatches(req.pin, { salt: Buffer.from(from.pin_salt), hash: Buffer.from(from.pin_hash) }))) return 'BANK_WRONG_PIN';
    if (from.status !== 'open' || to.status !== 'open') return 'BANK_ACCOUNT_CLOSED';
    if (from.currency !== req.currency || to.currency !== req.currency) return 'BANK_CURRENCY_MISMATCH';
    return null;
  }

  private async apply(tx: Tx, req: BankTransferRequest, pre: BankDeclineCode | null): Promise<BankOutcome> {
    const earlier = await tx.get<TransferRow>(`SELECT * FROM bank_transfers WHERE id = ?${tx.forUpdate}`, [req.transferId]);
    if (earlier) return this.answerRetry(req, earlier);
    let code: BankDeclineCode | 'OK' = pre ?? 'OK';
    if (code === 'OK') {
      const [r] = await this.ledger.createTransfersIn(tx, [this.ledgerTransfer(req)], false);
      if (r === TR.insufficient_funds) code = 'BANK_INSUFFICIENT_FUNDS';
      else assert(r === TR.ok, `bank ledger transfer failed: ${String(r)}`);
    }
    await tx.run('INSERT INTO bank_transfers (id, from_acct, to_acct, amount, currency, approved, code, reversed, created_ms) VALUES (?,?,?,?,?,?,?,?,?)', [
      req.transferId, accountText(req.from), accountText(req.to), req.amountMinor, req.currency, code === 'OK' ? 1 : 0, code, 0, this.clock.nowMs(),
    ]);
    return { transferId: req.transferId, approved: code === 'OK', code, inDoubt: false };
  }

  private ledgerTransfer(req: BankTransferRequest) {
    return {
      id: req.transferId,
      debitAccountId: ledgerId(req.from.branchCode, req.from.accountNumber),
      creditAccountId: ledgerId(req.to.branchCode, req.to.accountNumber),
      amountMinor: req.amountMinor,
      currency: req.currency,
    };
  }

  private answerRetry(req: BankTransferRequest, row: TransferRow): BankOutcome {
    const out = (approved: boolean, code: BankOutcome['code']): BankOutcome => ({ transferId: req.transferId, approved, code, inDoubt: false });
    if (row.code === 'BANK_TRANSFER_REVERSED' && row.from_acct === '') return out(false, 'BANK_TRANSFER_REVERSED');
    const same = row.from_acct === accountText(req.from) && row.to_acct === accountText(req.to) && row.amount === req.amountMinor && row.currency === req.currency;
    if (!same) return out(false, 'BANK_TRANSFER_ID_REUSED');
    return out(row.approved === 1, row.code as BankOutcome['code']);
  }

  async reverse(transferId: string): Promise<ReversalOutcome> {
    if (!validTransferId(transferId)) return { transferId, done: false, moved: false, code: 'BANK_BAD_REQUEST' };
    return this.storage.transact(async (tx) => {
      const row = await tx.get<TransferRow>(`SELECT * FROM bank_transfers WHERE id = ?${tx.forUpdate}`, [transferId]);
      if (!row) {
        // Tombstone: the transfer, if it arrives after its reversal, is refused.
        await tx.run('INSERT INTO bank_transfers (id, from_acct, to_acct, amount, currency, approved, code, reversed, created_ms) VALUES (?,?,?,?,?,?,?,?,?)', [
          transferId, '', '', 0, 'JPY', 0, 'BANK_TRANSFER_REVERSED', 1, this.clock.nowMs(),
        ]);
        return { transferId, done: true, moved: false, code: 'OK' };
      }
      const moved = row.approved === 1;
      if (row.reversed === 0 && moved && !(await this.applyReversal(tx, transferId, row))) {
        return { transferId, done: false, moved: false, code: 'BANK_INSUFFICIENT_FUNDS' };
      }
      if (row.reversed === 0) await tx.run('UPDATE bank_transfers SET reversed = 1 WHERE id = ?', [transferId]);
      return { transferId, done: true, moved, code: 'OK' };
    });
  }

  /** False when the credited account no longer holds the amount (the reversal waits; nothing moves). */
  private async applyReversal(tx: Tx, transferId: string, row: TransferRow): Promise<boolean> {
    const acct = (text: string): string => {
      const [, branch, account] = text.split('-');
      return ledgerId(branch!, account!);
    };
    const [r] = await this.ledger.createTransfersIn(
      tx,
      [{ id: reversalId(transferId), debitAccountId: acct(row.to_acct), creditAccountId: acct(row.from_acct), amountMinor: row.amount, currency: row.currency }],
      false,
    );
    if (r === TR.insufficient_funds) return false;
    assert(r === TR.ok || r === TR.exists, `bank reversal failed: ${String(r)}`);
    return true;
  }

  async close(): Promise<void> {
    if (this.ownsStorage) await this.storage.close();
  }
}
