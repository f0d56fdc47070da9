/**
 * The voucher audit checks (run by /audit and `tessera audit`, even offline):
 * the spendable value on the cards (their balances) equals the
 * voucher-liability account, the value held by open authorisations equals
 * voucher-authorized, and no card is negative or holds more than it was
 * loaded with. A ledger write that bypassed the flows breaks them.
 */
import type { AuditCheck, AuditExtension } from '../ledger/audit.js';
import { rowMapper, text } from '../kit/rows.js';
import type { SqlExecutor } from '../storage/types.js';
import { AUTHORIZED, LIABILITY } from './ledger-map.js';

const SUMS = rowMapper('voucher liability check', {
  liability: text('liability'),
  authorized: text('authorized'),
  balances: text('balances'),
  held: text('held'),
  bad: text('bad'),
});

async function liabilityCheck(q: SqlExecutor): Promise<AuditCheck> {
  const r = (await SUMS.queryOne(
    q,
    `SELECT CAST(COALESCE((SELECT credits_posted - debits_posted FROM ledger_accounts WHERE id = ?), 0) AS TEXT) AS liability,
            CAST(COALESCE((SELECT credits_posted - debits_posted FROM ledger_accounts WHERE id = ?), 0) AS TEXT) AS authorized,
            CAST(COALESCE((SELECT SUM(balance) FROM voucher_cards), 0) AS TEXT) AS balances,
            CAST(COALESCE((SELECT SUM(held) FROM voucher_cards), 0) AS TEXT) AS held,
            CAST((SELECT COUNT(*) FROM voucher_cards WHERE balance < 0 OR held < 0 OR balance + held > loaded) AS TEXT) AS bad`,
    [LIABILITY, AUTHORIZED],
  ))!;
  const examples: string[] = [];
  if (BigInt(r.liability) !== BigInt(r.balances)) examples.push(`${LIABILITY}: balance ${r.liability} but the cards hold ${r.balances}`);
  if (BigInt(r.authorized) !== BigInt(r.held)) examples.push(`${AUTHORIZED}: balance ${r.authorized} but authorisations hold ${r.held}`);
  if (r.bad !== '0') examples.push(`${r.bad} card(s) negative or holding more than loaded`);
  return { name: 'voucher liability equals the value on the cards; no card negative', ok: examples.length === 0, violations: examples.length, examples };
}

export const VOUCHER_AUDIT: AuditExtension = { module: 'voucher', check: liabilityCheck };
