/**
 * The passwords audit: the TTP's liability accounts equal what the
 * passwords' own rows say, and no row is negative or loses value.
 *
 *   pw-outstanding (credits - debits)  = SUM(passwords.remaining)
 *   pw-reserved    (credits - debits)  = SUM(passwords.reserved) = SUM(open reservations)
 *   pw-payable@* + payouts pending or paid = SUM(redemptions.captured - refunded)
 *   pw-funds@*     (debits - credits)  = SUM(passwords.amount - returned)
 *   every password: amount = remaining + reserved + captured + returned, none negative
 *
 * A ledger write that bypassed the flows (a raw transfer from the liability)
 * or a row edited by hand breaks it.
 */
import type { AuditCheck, AuditExtension } from '../ledger/audit.js';
import { rowMapper, text } from '../kit/rows.js';
import type { SqlExecutor } from '../storage/types.js';
import { OUTSTANDING, RESERVED } from './ledger-map.js';

const SUMS = rowMapper('passwords liability check', {
  outstanding: text('outstanding'), remaining: text('remaining'), reservedAcct: text('reserved_acct'), reserved: text('reserved'), openReservations: text('open_reservations'),
  payable: text('payable'), captured: text('captured'), funds: text('funds'), funded: text('funded'), bad: text('bad'),
});

const s = (sql: string): string => `CAST(COALESCE((${sql}), 0) AS TEXT)`;

async function liabilityCheck(q: SqlExecutor): Promise<AuditCheck> {
  const row = (await SUMS.queryOne(
    q,
    `SELECT ${s('SELECT credits_posted - debits_posted FROM ledger_accounts WHERE id = ?')} AS outstanding,
            ${s('SELECT SUM(remaining) FROM passwords')} AS remaining,
            ${s('SELECT credits_posted - debits_posted FROM ledger_accounts WHERE id = ?')} AS reserved_acct,
            ${s('SELECT SUM(reserved) FROM passwords')} AS reserved,
            ${s("SELECT SUM(amount) FROM password_redemptions WHERE state = 'reserved'")} AS open_reservations,
            ${s("SELECT COALESCE((SELECT SUM(credits_posted - debits_posted) FROM ledger_accounts WHERE id LIKE 'pw-payable@%'), 0) + COALESCE((SELECT SUM(amount) FROM password_payouts WHERE state IN ('pending', 'paid')), 0)")} AS payable,
            ${s('SELECT SUM(captured - refunded) FROM password_redemptions')} AS captured,
            ${s("SELECT SUM(debits_posted - credits_posted) FROM ledger_accounts WHERE id LIKE 'pw-funds@%'")} AS funds,
            ${s('SELECT SUM(amount - returned) FROM passwords')} AS funded,
            ${s('SELECT COUNT(*) FROM passwords WHERE remaining < 0 OR reserved < 0 OR captured < 0 OR returned < 0 OR amount <> remaining + reserved + captured + returned')} AS bad`,
    [OUTSTANDING, RESERVED],
  ))!;
  const pairs: [string, string, string][] = [
    [`${OUTSTANDING} = SUM(remaining)`, row.outstanding, row.remaining],
    [`${RESERVED} = SUM(passwords.reserved)`, row.reservedAcct, row.reserved],
    ['SUM(passwords.reserved) = open reservations', row.reserved, row.openReservations],
    ['pw-payable@* + payouts pending or paid = captured - refunded', row.payable, row.captured],
    ['pw-funds@* = amount - returned', row.funds, row.funded],
    ['passwords with a negative or unbalanced row = 0', row.bad, '0'],
  ];
  const examples = pairs.filter(([, a, b]) => BigInt(a) !== BigInt(b)).map(([what, a, b]) => `${what}: ${a} vs ${b}`);
  return { name: 'password liability equals the passwords outstanding; no row negative', ok: examples.length === 0, violations: examples.length, examples };
}

export const PASSWORDS_AUDIT: AuditExtension = { module: 'passwords', check: liabilityCheck };
