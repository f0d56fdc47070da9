/**
 * Payouts of the prepaid center (seed 000): what it owes vendors
 * (`vendor-payable@<vendor>`) and provider centers (`provider-fee@<provider>`)
 * paid out by bank transfer through the seed-004 relay, with a
 * reconciliation id, on the kit's payout engine (center/relay/bank-payouts.ts,
 * as the voucher shops are): one pending payout per payee, the bank transfer
 * id derived from the payout id, so a retry after a crash or an unreachable
 * bank is the same transfer. The payee of a payout row is its payable
 * ledger account. Moves (ledger-map.ts): PAYOUT_DECIDED payable →
 * prepaid-payouts; PAYOUT_SENT prepaid-payouts → prepaid-center@B;
 * PAYOUT_FAILED prepaid-payouts → payable.
 *
 * The vendor's statement (merchant API `GET /v1/prepaid/statement`): what it
 * was paid through prepaid media, paid out, pending, still payable, and its
 * payouts with their reconciliation and transfer ids.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import { readSecurityCodeFile } from '../emoney/secret-files.js';
import { parseBankUrl } from '../emoney/config-schema.js';
import { bankPayoutOf, bankPayoutRows, BankPayouts, type BankPayout, type BankPayoutConfig, type BankPayoutSpec, type BankPayoutSweep } from '../relay/bank-payouts.js';
import { derivedId } from '../kit/ledger-moves.js';
import type { Ledger } from '../ledger/ledger.js';
import { HttpBankAdapter } from '../relay/http-bank-adapter.js';
import { Relay } from '../relay/relay.js';
import type { AccountRef } from '../relay/types.js';
import type { SqlExecutor, Storage } from '../storage/types.js';
import type { PrepaidSection } from './config-schema.js';
import { applyMoves, move, PAYOUTS, payoutAccounts, prepaidCenterAt, providerFee, vendorPayable } from './ledger-map.js';
import { PREPAID_LIMITS as L } from './limits.js';

export const PAYOUT_ROWS = bankPayoutRows('prepaid_payouts', 'payee_account');

export const PREPAID_PAYOUT_SPEC: BankPayoutSpec = {
  table: 'prepaid_payouts',
  payeeColumn: 'payee_account',
  idPrefix: 'pp_',
  what: 'prepaid payout',
  failedCode: 'PREPAID_PAYOUT_FAILED',
  claimMs: L.payoutClaimMs,
  sweepBatchMax: L.sweepBatchMax,
  payoutMinorMin: L.payoutMinorMin,
  transferId: (id) => derivedId('prepaid', 'PAYOUT', id),
  payableAccount: (payee) => payee,
  centerLedgerAccount: (bankCode, currency) => payoutAccounts(currency, [bankCode])[1]!,
  moves: {
    decided: (payee, id, amount, currency) => move('PAYOUT_DECIDED', id, payee, PAYOUTS, amount, currency),
    sent: (bankCode, id, amount, currency) => move('PAYOUT_SENT', id, PAYOUTS, prepaidCenterAt(bankCode), amount, currency),
    failed: (payee, id, amount, currency) => move('PAYOUT_FAILED', id, PAYOUTS, payee, amount, currency),
  },
  applyMoves,
};

/** Where the vendors and providers are paid (by their payable account), and from which center accounts. */
export interface PrepaidPayoutConfig {
  readonly relay: BankPayoutConfig['relay'];
  readonly vendors: ReadonlyMap<string, AccountRef>;
  readonly providers: ReadonlyMap<string, AccountRef>;
  readonly centerAccounts: BankPayoutConfig['centerAccounts'];
}

/** Payouts from the section: the relay to its banks, the center's accounts (security codes from their 0600 files). Undefined when nobody is paid out. */
export function prepaidPayoutConfigOf(section: PrepaidSection, log: Logger, clock: Clock): PrepaidPayoutConfig | undefined {
  const vendors = section.vendors.filter((v) => v.account !== undefined);
  if (vendors.length === 0 && !section.providers.some((p) => p.account)) return undefined;
  return {
    relay: new Relay({ adapters: section.banks.map((b) => new HttpBankAdapter(b.bankCode, parseBankUrl(b.url)!)), clock, log }),
    vendors: new Map(vendors.map((v) => [v.vendorId, v.account!])),
    providers: new Map(section.providers.flatMap((p) => (p.account ? [[p.providerId, p.account] as const] : []))),
    centerAccounts: new Map(section.centerAccounts.map((a) => [a.bankCode, { bankCode: a.bankCode, branchCode: a.branchCode, accountNumber: a.accountNumber, securityCode: readSecurityCodeFile(a.securityCodeFile) }])),
  };
}

/** A vendor's statement: paid through prepaid media, paid out, pending, payable, and its payouts (newest first). */
export interface VendorStatement {
  readonly vendorId: string;
  readonly currency: string;
  /** Every prepaid payment to the vendor, all time. */
  readonly paymentsCount: number;
  readonly paidMinor: number;
  readonly paidOutMinor: number;
  readonly pendingMinor: number;
  /** Owed and not yet in a payout. */
  readonly payableMinor: number;
  readonly payouts: readonly BankPayout[];
}

export class PrepaidPayouts {
  private readonly engine: BankPayouts | null;

  constructor(private readonly d: { storage: Storage; ledger: Ledger; clock: Clock; random: Random; log: Logger; currency: string; config?: PrepaidPayoutConfig | undefined }) {
    const c = d.config;
    this.engine = c
      ? new BankPayouts(PREPAID_PAYOUT_SPEC, {
          ...d,
          config: {
            relay: c.relay,
            payees: new Map([...[...c.vendors].map(([v, a]) => [vendorPayable(v), a] as const), ...[...c.providers].map(([p, a]) => [providerFee(p), a] as const)]),
            centerAccounts: c.centerAccounts,
          },
        })
      : null;
  }

  async ensureAccounts(): Promise<void> {
    await this.d.ledger.createAccounts(payoutAccounts(this.d.currency, [...(this.d.config?.centerAccounts.keys() ?? [])]));
  }

  /** One pass: a payout decided for every vendor and provider with a payable, then every pending payout paid. */
  async sweep(): Promise<BankPayoutSweep> {
    return this.engine ? this.engine.sweep() : { payoutsDecided: 0, payoutsPaid: 0, payoutsFailed: 0 };
  }

  async statement(vendorId: string, limit: number): Promise<VendorStatement> {
    return this.d.storage.read((q) => vendorStatement(q, vendorId, this.d.currency, limit));
  }
}

export async function vendorStatement(q: SqlExecutor, vendorId: string, currency: string, limit: number): Promise<VendorStatement> {
  const payee = vendorPayable(vendorId);
  const paid = await q.get("SELECT COUNT(*) AS n, CAST(COALESCE(SUM(amount), 0) AS TEXT) AS total FROM prepaid_usage WHERE payee = ? AND kind = 'vendor'", [vendorId]);
  const out = await q.get(
    `SELECT CAST(COALESCE(SUM(CASE WHEN state = 'paid' THEN amount ELSE 0 END), 0) AS TEXT) AS paid,
            CAST(COALESCE(SUM(CASE WHEN state = 'pending' THEN amount ELSE 0 END), 0) AS TEXT) AS pending
     FROM prepaid_payouts WHERE payee_account = ?`,
    [payee],
  );
  const acct = await q.get('SELECT CAST(credits_posted - debits_posted AS TEXT) AS payable FROM ledger_accounts WHERE id = ?', [payee]);
  const rows = await PAYOUT_ROWS.all(q, 'WHERE payee_account = ? ORDER BY created_ms DESC, id LIMIT ?', [payee, limit]);
  return {
    vendorId,
    currency,
    paymentsCount: Number(paid?.['n'] ?? 0),
    paidMinor: Number(paid?.['total'] ?? 0),
    paidOutMinor: Number(out?.['paid'] ?? 0),
    pendingMinor: Number(out?.['pending'] ?? 0),
    payableMinor: Number(acct?.['payable'] ?? 0),
    payouts: rows.map(bankPayoutOf),
  };
}
