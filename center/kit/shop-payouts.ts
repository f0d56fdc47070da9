/**
 * Shop payouts through the relay of seed 004, for any module that owes shops
 * captured value on a ledger account per shop (the pattern of
 * center/voucher/payouts.ts, parameterised by the module's table, accounts
 * and transfer codes; the passwords' TTP uses it). The value owed is paid
 * from the module owner's own account at the shop's bank to the shop's
 * account there. Each payout is a row whose id is its reconciliation id;
 * the bank transfer id is derived from it, so a retry after a crash or an
 * unreachable bank is the same transfer.
 *
 *   sweep: payable ≥ minimum and none pending → `pending` (SHOP_PAID: payable@S → clearing)
 *   pending ─claim─► bank transfer ─approved─► paid   (PAYOUT_SENT: clearing → owner-at-bank@B)
 *                                  ─declined─► failed (PAYOUT_FAILED: clearing → payable@S, payable again)
 *                                  ─unknown / short of funds─► pending (claim released, retried next sweep)
 *
 * The table (see {@link shopPayoutsTableSql}) has one pending payout per
 * shop (a unique index): two nodes sweeping at once create one. The node
 * that claims a pending payout (callClaims) is the only one calling the bank.
 */
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import { parseBankUrl } from '../emoney/config-schema.js';
import { readSecurityCodeFile } from '../emoney/secret-files.js';
import type { Ledger } from '../ledger/ledger.js';
import type { NewAccount, NewTransfer } from '../ledger/types.js';
import { HttpBankAdapter } from '../relay/http-bank-adapter.js';
import { RELAY_LIMITS } from '../relay/limits.js';
import { Relay } from '../relay/relay.js';
import type { AccountRef } from '../relay/types.js';
import type { SqlExecutor, Storage, Tx } from '../storage/types.js';
import { callClaims, UNCLAIMED } from './claims.js';
import { int, nullable, oneOf, rowMapper, text, type MappedRow } from './rows.js';
import { stateMachine, updateState } from './transitions.js';

export const SHOP_PAYOUT_STATE_LIST = ['pending', 'paid', 'failed'] as const;
export type ShopPayoutState = (typeof SHOP_PAYOUT_STATE_LIST)[number];

/** The payout table's columns (both engines; `big` is the engine's 64-bit integer type). */
export const shopPayoutsTableSql = (table: string, big: string): string => `
  CREATE TABLE ${table} (
    id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, bank_code TEXT NOT NULL, state TEXT NOT NULL, amount ${big} NOT NULL,
    currency TEXT NOT NULL, transfer_id TEXT NOT NULL, code TEXT, claim_until_ms ${big}, created_ms ${big} NOT NULL, updated_ms ${big} NOT NULL);
  CREATE UNIQUE INDEX ${table}_one_pending ON ${table} (merchant_id) WHERE state = 'pending';
  CREATE INDEX ${table}_merchant ON ${table} (merchant_id, created_ms)`;

const payoutRows = (table: string) =>
  rowMapper(table, {
    id: text('id'), merchantId: text('merchant_id'), bankCode: text('bank_code'), state: oneOf('state', SHOP_PAYOUT_STATE_LIST), amount: int('amount'),
    currency: text('currency'), transferId: text('transfer_id'), code: nullable(text('code')), claimUntilMs: nullable(int('claim_until_ms')),
    createdMs: int('created_ms'), updatedMs: int('updated_ms'),
  });
export type ShopPayoutRow = MappedRow<ReturnType<typeof payoutRows>>;

/** The owner's account at a bank, with its security code (read from its 0600 file; never stored or logged). */
export interface OwnerBankAccount extends AccountRef {
  readonly securityCode: string;
}

export interface ShopPayoutConfig {
  readonly relay: Relay;
  /** Where each shop (merchant id) is paid. */
  readonly shops: ReadonlyMap<string, AccountRef>;
  /** The owner's account at each bank it pays shops at. */
  readonly ownerAccounts: ReadonlyMap<string, OwnerBankAccount>;
}

/** What differs between modules: names, accounts, transfer codes and ids. */
export interface ShopPayoutSpec {
  /** For logs and the state machine ('password payout'). */
  readonly label: string;
  readonly table: string;
  /** The reconciliation id's prefix (`pp_`). */
  readonly idPrefix: string;
  readonly payableOf: (merchantId: string) => string;
  /** The clearing account holding decided, unpaid payouts. */
  readonly clearing: string;
  /** The ledger account mirroring the owner's account at a bank. */
  readonly ownerAt: (bankCode: string, currency: string) => NewAccount;
  /** Transfer ids (and the bank transfer id) derived from the payout id and its step. */
  readonly idOf: (step: 'SHOP_PAID' | 'PAYOUT_SENT' | 'PAYOUT_FAILED' | 'TRANSFER', payoutId: string) => string;
  readonly codes: { readonly SHOP_PAID: number; readonly PAYOUT_SENT: number; readonly PAYOUT_FAILED: number };
  /** Applies transfers in the caller's unit (the module's coded refusal). */
  readonly apply: (tx: Tx, ledger: Ledger, transfers: readonly NewTransfer[]) => Promise<void>;
  readonly payoutMinorMin: number;
  readonly claimMs: number;
  readonly sweepBatchMax: number;
}

/** A payout as the shop's statement and the daily file show it. */
export interface ShopPayout {
  /** The reconciliation id (the bank transfer id is derived from it). */
  readonly payoutId: string;
  readonly state: ShopPayoutState;
  readonly amountMinor: number;
  readonly currency: string;
  readonly bankCode: string;
  readonly transferId: string;
  readonly code: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export class ShopPayouts {
  readonly rows: ReturnType<typeof payoutRows>;
  private readonly states: ReturnType<typeof stateMachine<ShopPayoutState>>;
  private readonly calls: ReturnType<typeof callClaims>;

  constructor(private readonly spec: ShopPayoutSpec, private readonly d: { storage: Storage; ledger: Ledger; clock: Clock; random: Random; log: Logger; currency: string; config: ShopPayoutConfig }) {
    this.rows = payoutRows(spec.table);
    this.states = stateMachine<ShopPayoutState>(spec.label, { initial: ['pending'], next: { pending: ['paid', 'failed'], paid: [], failed: [] } });
    this.calls = callClaims(spec.table, spec.claimMs);
  }

  static view(p: ShopPayoutRow): ShopPayout {
    return { payoutId: p.id, state: p.state, amountMinor: p.amount, currency: p.currency, bankCode: p.bankCode, transferId: p.transferId, code: p.code, createdAtMs: p.createdMs, updatedAtMs: p.updatedMs };
  }

  async ensureAccounts(): Promise<void> {
    await this.d.ledger.createAccounts([
      { id: this.spec.clearing, owner: 'payouts', kind: 'clearing', currency: this.d.currency, flags: { debitsMustNotExceedCredits: true } },
      ...[...this.d.config.ownerAccounts.keys()].map((b) => this.spec.ownerAt(b, this.d.currency)),
    ]);
  }

  /** One pass: a payout decided for every shop with a payable and none pending, then every pending payout no node is paying. */
  async sweep(): Promise<{ payoutsDecided: number; payoutsPaid: number; payoutsFailed: number }> {
    let payoutsDecided = 0;
    for (const [merchantId, account] of this.d.config.shops) if (await this.decide(merchantId, account)) payoutsDecided++;
    const due = await this.d.storage.read((q) => this.rows.all(q, `WHERE state = 'pending' AND ${UNCLAIMED} ORDER BY created_ms LIMIT ?`, [this.d.clock.nowMs(), this.spec.sweepBatchMax]));
    let payoutsPaid = 0;
    let payoutsFailed = 0;
    for (const p of due) {
      const out = await this.pay(p);
      if (out === 'paid') payoutsPaid++;
      if (out === 'failed') payoutsFailed++;
    }
    return { payoutsDecided, payoutsPaid, payoutsFailed };
  }

  private transfer(step: keyof ShopPayoutSpec['codes'], payoutId: string, from: string, to: string, amountMinor: number, currency: string): NewTransfer {
    return { id: this.spec.idOf(step, payoutId), debitAccountId: from, creditAccountId: to, amountMinor, currency, code: this.spec.codes[step], reference: payoutId };
  }

  private async decide(merchantId: string, account: AccountRef): Promise<boolean> {
    if (!this.d.config.ownerAccounts.has(account.bankCode)) return false;
    const [shop] = await this.d.ledger.lookupAccounts([this.spec.payableOf(merchantId)]);
    const payable = shop ? shop.creditsPostedMinor - shop.debitsPostedMinor : 0;
    if (payable < this.spec.payoutMinorMin) return false;
    const nowMs = this.d.clock.nowMs();
    return this.d.storage.transact(async (tx) => {
      if (await tx.get(`SELECT id FROM ${this.spec.table} WHERE merchant_id = ? AND state = 'pending'`, [merchantId])) return false;
      const id = `${this.spec.idPrefix}${this.d.random.bytes(12).toString('hex')}`;
      this.states.check(null, 'pending');
      await tx.run(
        `INSERT INTO ${this.spec.table} (id, merchant_id, bank_code, state, amount, currency, transfer_id, code, claim_until_ms, created_ms, updated_ms) VALUES (?,?,?,?,?,?,?,NULL,NULL,?,?)`,
        [id, merchantId, account.bankCode, 'pending', payable, this.d.currency, this.spec.idOf('TRANSFER', id), nowMs, nowMs],
      );
      await this.spec.apply(tx, this.d.ledger, [this.transfer('SHOP_PAID', id, this.spec.payableOf(merchantId), this.spec.clearing, payable, this.d.currency)]);
      return true;
    });
  }

  private async pay(p: ShopPayoutRow): Promise<'paid' | 'failed' | 'pending' | 'skipped'> {
    const shop = this.d.config.shops.get(p.merchantId);
    const from = this.d.config.ownerAccounts.get(p.bankCode);
    if (!shop || !from || shop.bankCode !== p.bankCode) return 'skipped';
    if (!(await this.d.storage.transact((tx) => this.calls.claim(tx, p.id, ['pending'], this.d.clock.nowMs())))) return 'skipped';
    const out = await this.d.config.relay.transfer({ transferId: p.transferId, from, to: shop, amountMinor: p.amount, currency: p.currency, pin: from.securityCode });
    if (out.inDoubt || out.code === 'BANK_INSUFFICIENT_FUNDS') {
      await this.d.storage.transact((tx) => this.calls.release(tx, p.id));
      this.d.log.warn({ payoutId: p.id, merchantId: p.merchantId, code: out.code }, `${this.spec.label} pending`);
      return 'pending';
    }
    const to: ShopPayoutState = out.approved ? 'paid' : 'failed';
    const done = await this.d.storage.transact(async (tx) => {
      const cur = await this.rows.get(tx, `WHERE id = ?${tx.forUpdate}`, [p.id]);
      if (cur?.state !== 'pending') return false;
      await updateState(tx, this.rows, this.states, cur, { state: to, code: out.code, claimUntilMs: null, updatedMs: this.d.clock.nowMs() });
      await this.spec.apply(tx, this.d.ledger, [
        out.approved
          ? this.transfer('PAYOUT_SENT', p.id, this.spec.clearing, this.spec.ownerAt(p.bankCode, p.currency).id, p.amount, p.currency)
          : this.transfer('PAYOUT_FAILED', p.id, this.spec.clearing, this.spec.payableOf(p.merchantId), p.amount, p.currency),
      ]);
      return true;
    });
    if (!done) return 'skipped';
    if (out.approved) this.d.log.info({ payoutId: p.id, merchantId: p.merchantId, amount: p.amount }, `${this.spec.label}: shop paid`);
    else this.d.log.error({ payoutId: p.id, merchantId: p.merchantId, code: out.code }, `${this.spec.label} refused by the bank`);
    return to;
  }

  /** A shop's payouts, newest first, and its paid and pending sums. */
  async ofShop(q: SqlExecutor, merchantId: string, limit: number): Promise<{ paidOutMinor: number; pendingMinor: number; payouts: ShopPayout[] }> {
    const sums = await q.get(
      `SELECT CAST(COALESCE(SUM(CASE WHEN state = 'paid' THEN amount ELSE 0 END), 0) AS TEXT) AS paid,
              CAST(COALESCE(SUM(CASE WHEN state = 'pending' THEN amount ELSE 0 END), 0) AS TEXT) AS pending
       FROM ${this.spec.table} WHERE merchant_id = ?`,
      [merchantId],
    );
    const rows = await this.rows.all(q, 'WHERE merchant_id = ? ORDER BY created_ms DESC, id LIMIT ?', [merchantId, limit]);
    return { paidOutMinor: Number(sums?.['paid'] ?? 0), pendingMinor: Number(sums?.['pending'] ?? 0), payouts: rows.map(ShopPayouts.view) };
  }
}

// ---- config: the `payouts` part of a module's section ----
const bankCode = z.string().regex(/^[0-9]{4}$/, 'bank code: 4 digits');
const branchCode = z.string().regex(/^[0-9]{3}$/, 'branch code: 3 digits');
const accountNumber = z.string().regex(/^[0-9]{7}$/, 'account number: 7 digits');

export const shopPayoutsSectionSchema = z
  .object({
    shops: z.array(z.object({ merchantId: z.string().min(1).max(64).describe('The shop id (a terminal\'s owner id; the merchant id online).'), bankCode, branchCode, accountNumber }).strict()).max(10_000)
      .describe('Shops paid out by bank transfer: their account (paid from the owner\'s own account at the same bank).'),
    ownerAccounts: z.array(z.object({ bankCode, branchCode, accountNumber, securityCodeFile: z.string().min(1).describe('Path of the file holding this account\'s security code, mode 0600.') }).strict())
      .max(RELAY_LIMITS.banksMax).describe('The owner\'s own account at each bank it pays shops at.'),
    banks: z.array(z.object({ bankCode, url: z.string().refine((t) => parseBankUrl(t) !== null, 'url: http://host:port of the bank host') }).strict())
      .max(RELAY_LIMITS.banksMax).describe('Where the relay reaches each bank host (tessera bank serve).'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const banks = new Set(s.banks.map((b) => b.bankCode));
    const owners = new Set(s.ownerAccounts.map((a) => a.bankCode));
    s.ownerAccounts.forEach((a, i) => banks.has(a.bankCode) || ctx.addIssue({ code: 'custom', path: ['ownerAccounts', i, 'bankCode'], message: `bank ${a.bankCode} has no entry in banks` }));
    s.shops.forEach((x, i) => owners.has(x.bankCode) || ctx.addIssue({ code: 'custom', path: ['shops', i, 'bankCode'], message: `no own account at bank ${x.bankCode} to pay this shop from` }));
  });
export type ShopPayoutsSection = z.infer<typeof shopPayoutsSectionSchema>;

/** The relay and accounts of a section (security codes read from their 0600 files). */
export function shopPayoutConfigOf(s: ShopPayoutsSection, log: Logger, clock: Clock): ShopPayoutConfig {
  return {
    relay: new Relay({ adapters: s.banks.map((b) => new HttpBankAdapter(b.bankCode, parseBankUrl(b.url)!)), clock, log }),
    shops: new Map(s.shops.map((x) => [x.merchantId, { bankCode: x.bankCode, branchCode: x.branchCode, accountNumber: x.accountNumber }])),
    ownerAccounts: new Map(s.ownerAccounts.map((a) => [a.bankCode, { bankCode: a.bankCode, branchCode: a.branchCode, accountNumber: a.accountNumber, securityCode: readSecurityCodeFile(a.securityCodeFile) }])),
  };
}
