/** The summary as the lines `tessera demo` prints at the end of a run. */
import { formatMinor, formatSeconds } from './progress.js';
import type { DemoSummary } from './summary.js';
import { voucherSummaryLines } from './vouchers/progress.js';
import { passwordSummaryLines } from './passwords/summary.js';
import { prepaidSummaryLines } from './prepaid/summary.js';

export function summaryLines(s: DemoSummary, elapsedMs: number): string[] {
  const declines = (d: Record<string, number>): string => Object.entries(d).map(([code, n]) => `${code} ×${n}`).join(', ') || 'none';
  const shops = Object.entries(s.purchases.byTerminal).map(([t, x]) => `${t} ${x.count}`).join(', ');
  const m = (x: DemoSummary['money']['before']): string =>
    `${formatMinor(x.totalMinor)} (users' bank ${formatMinor(x.usersBankMinor)}, cards ${formatMinor(x.cardsMinor)}, unsettled ${formatMinor(x.unsettledMinor)}, shops' bank ${formatMinor(x.shopsBankMinor)})`;
  const lines = [
    'summary',
    `  charges      ${s.charges.approved} approved ${formatMinor(s.charges.approvedMinor)}; declined: ${declines(s.charges.declined)}${s.charges.failed ? `; failed ${s.charges.failed}` : ''}`,
    `  purchases    ${s.purchases.approved} approved ${formatMinor(s.purchases.amountMinor)} (${shops}; ${s.purchases.scanned} scanned at the till); declined: ${declines(s.purchases.declined)}${s.purchases.failed ? `; failed ${s.purchases.failed}` : ''}`,
    `  settlements  ${s.settlements.settled} shops paid ${formatMinor(s.settlements.amountMinor)} for ${s.settlements.records} records${s.settlements.failed ? `; failed ${s.settlements.failed}` : ''}`,
    `  receipts     ${s.receipts.written} written to media, ${formatMinor(s.receipts.totalMinor)} in all${s.receipts.unreadable ? `; unreadable ${s.receipts.unreadable}` : ''}`,
    `  e-money out  ${formatMinor(s.floatMinor)} (on cards and in unsettled records)`,
    '  bank   charged          settled          provider net (center)  provider account (bank)',
  ];
  for (const b of s.banks) {
    lines.push(`  ${b.bankCode}   ${formatMinor(b.chargedMinor).padEnd(16)} ${formatMinor(b.settledMinor).padEnd(16)} ${formatMinor(b.providerNetMinor).padEnd(22)} ${formatMinor(b.providerBalanceMinor)}${b.providerNetMinor === b.providerBalanceMinor ? '' : '  ✗'}`);
  }
  lines.push(`  money before ${m(s.money.before)}`, `  money after  ${m(s.money.after)}`);
  if (s.vouchers) lines.push(...voucherSummaryLines(s.vouchers));
  if (s.passwords) lines.push(...passwordSummaryLines(s.passwords));
  if (s.prepaid) lines.push(...prepaidSummaryLines(s.prepaid));
  lines.push(`  audit        ${s.audits.map((a) => `${a.ledger} ${a.ok ? 'ok' : 'FAILED'} (${a.accounts} accounts, ${a.transfers} transfers)`).join('; ')}`);
  lines.push('checks');
  for (const c of s.checks) lines.push(`  [${c.ok ? 'ok' : 'FAIL'}] ${c.name}${c.ok ? '' : ` — ${c.code}`}`);
  lines.push(`${s.ok ? 'PASS' : 'FAIL'}  in ${formatSeconds(elapsedMs)}`);
  return lines;
}
