/**
 * Settlement reports (seed 004): settled totals per shop and per bank, and
 * the provider's net position at each bank (its ledger account there, which
 * must equal the bank's own balance of the provider's account).
 */
import { int, nullable, rowMapper, text } from '../kit/rows.js';
import type { Storage } from '../storage/types.js';
import { FLOAT, providerAt } from './ledger-map.js';

export interface ShopLine { shopId: string; bankCode: string; batches: number; settledMinor: number }
export interface BankLine {
  bankCode: string;
  /** Charges taken at this bank and not reversed (card credited, authorised or awaiting issue). */
  chargedMinor: number;
  /** Paid to shops at this bank. */
  settledMinor: number;
  /** The provider's ledger balance at this bank (charged − settled). */
  providerNetMinor: number;
}
export interface EmoneyReport {
  shops: ShopLine[];
  banks: BankLine[];
  floatMinor: number;
  charges: Record<string, number>;
  batches: Record<string, number>;
  flaggedRecords: number;
}

const SHOP_SUMS = rowMapper('settled batches per shop', { shopId: text('shop_id'), bankCode: text('bank_code'), batches: int('c'), settledMinor: int('s') });
const BANK_SUMS = rowMapper('sums per bank', { bankCode: text('bank_code'), sumMinor: int('s') });
const ACCOUNTS = rowMapper('ledger_accounts', { id: text('id'), institution: nullable(text('institution')), debitsPostedMinor: int('debits_posted'), creditsPostedMinor: int('credits_posted') });
const STATE_COUNTS = rowMapper('rows per state', { state: text('state'), count: int('c') });
const COUNT = rowMapper('count', { count: int('c') });

export async function emoneyReport(storage: Storage): Promise<EmoneyReport> {
  return storage.read(async (q) => {
    const shops = await SHOP_SUMS.query(q, `SELECT shop_id, bank_code, COUNT(*) AS c, SUM(total) AS s FROM emoney_batches WHERE state = 'settled' GROUP BY shop_id, bank_code ORDER BY shop_id`);
    const charged = await BANK_SUMS.query(q, `SELECT bank_code, SUM(amount) AS s FROM emoney_charges WHERE state IN ('approved','authorized','issued') GROUP BY bank_code`);
    const settled = await BANK_SUMS.query(q, `SELECT bank_code, SUM(total) AS s FROM emoney_batches WHERE state = 'settled' GROUP BY bank_code`);
    const accounts = await ACCOUNTS.all(q, `WHERE kind IN ('provider_at_bank','emoney_float')`);
    const chargeStates = await STATE_COUNTS.query(q, `SELECT state, COUNT(*) AS c FROM emoney_charges GROUP BY state`);
    const batchStates = await STATE_COUNTS.query(q, `SELECT state, COUNT(*) AS c FROM emoney_batches GROUP BY state`);
    const flags = (await COUNT.queryOne(q, `SELECT COUNT(*) AS c FROM emoney_flags`))!; // an aggregate: always one row
    const sumBy = (rows: readonly { bankCode: string; sumMinor: number }[], bank: string): number => rows.find((r) => r.bankCode === bank)?.sumMinor ?? 0;
    const banks = accounts.filter((a) => a.id.startsWith('provider@')).map((a) => {
      const bankCode = String(a.institution);
      return { bankCode, chargedMinor: sumBy(charged, bankCode), settledMinor: sumBy(settled, bankCode), providerNetMinor: a.debitsPostedMinor - a.creditsPostedMinor };
    }).sort((x, y) => x.bankCode.localeCompare(y.bankCode));
    const float = accounts.find((a) => a.id === FLOAT);
    return {
      shops,
      banks,
      floatMinor: float ? float.creditsPostedMinor - float.debitsPostedMinor : 0,
      charges: Object.fromEntries(chargeStates.map((r) => [r.state, r.count])),
      batches: Object.fromEntries(batchStates.map((r) => [r.state, r.count])),
      flaggedRecords: flags.count,
    };
  });
}

/** CLI-friendly text of a report. */
export function formatEmoneyReport(r: EmoneyReport, currency = 'JPY'): string {
  const lines = ['Settled per shop:'];
  for (const s of r.shops) lines.push(`  ${s.shopId.padEnd(16)} bank ${s.bankCode}  ${String(s.batches).padStart(4)} batches  ${String(s.settledMinor).padStart(12)} ${currency}`);
  lines.push('Per bank (provider):');
  for (const b of r.banks) {
    lines.push(`  bank ${b.bankCode}  charged ${String(b.chargedMinor).padStart(12)}  settled ${String(b.settledMinor).padStart(12)}  net ${String(b.providerNetMinor).padStart(12)} ${currency}`);
  }
  lines.push(`E-money float (on cards + unsettled records): ${r.floatMinor} ${currency}`);
  lines.push(`Charges by state: ${JSON.stringify(r.charges)}  batches by state: ${JSON.stringify(r.batches)}  flagged records: ${r.flaggedRecords}`);
  return lines.join('\n');
}

export { providerAt };
