/** The voucher scene's progress lines and summary lines (ids, amounts, codes; never a PIN). */
import { formatMinor, formatSeconds } from '../progress.js';
import type { VoucherEvent } from './scene.js';
import type { VoucherSummary } from './summary.js';

export function voucherEventLine(e: VoucherEvent): string {
  const verdict = e.asExpected ? (e.result === 'approved' || e.result === 'done' ? 'ok' : e.result) : `${e.result.toUpperCase()} ${e.code ?? ''} ✗ unexpected`.replace('  ', ' ');
  const head = (who: string): string => `${formatSeconds(e.atMs).padStart(7)}  ${who.padEnd(8)}`;
  switch (e.kind) {
    case 'issue':
      return `${head('center')} issue     ${e.count} cards of ${formatMinor(e.denomination)}, sheet printed (${e.pages} page${e.pages === 1 ? '' : 's'}, 0600)  ${verdict}`;
    case 'sale':
      return `${head(e.terminal)} sale      card ${String(e.card + 1).padEnd(3)} ${(e.serialLast4 ? `…${e.serialLast4}` : '').padEnd(6)} ${formatMinor(e.amountMinor).padStart(12)}  ${verdict}`;
    case 'order': {
      const left = e.remaining.map((c) => `…${c.serialLast4} ${formatMinor(c.remaining)}`).join(', ');
      const planned = e.expected !== 'approved' && e.asExpected ? `${e.result.toUpperCase()} ${e.code ?? ''} (planned refusal)` : verdict;
      return `${head('webshop')} order     ${e.buyer.padEnd(7)} ${e.sku.padEnd(8)} ${`${e.cards} card${e.cards === 1 ? '' : 's'}`.padEnd(7)} ${formatMinor(e.amountMinor).padStart(10)}  ${planned}${left ? `; left: ${left}` : ''}`;
    }
    case 'ship':
      return `${head('webshop')} ship      order ${e.orderId.slice(0, 12).padEnd(12)} ${formatMinor(e.amountMinor).padStart(12)}  ${verdict === 'shipped' ? 'captured' : verdict}`;
    case 'payout':
      return `${head('center')} payout    to the web shop ${formatMinor(e.paidOutMinor).padStart(12)} in ${e.payouts} transfer${e.payouts === 1 ? '' : 's'}; its bank account ${formatMinor(e.bankMinor)}  ${verdict}`;
    case 'hq-file':
      return `${head('HQ')} daily     file ${e.day}: ${e.activations} sold ${formatMinor(e.netFaceMinor)}, due ${formatMinor(e.dueMinor)} after commission  ${e.asExpected ? "= the center's file" : e.result === 'error' ? verdict : `${e.differences} differences ✗`}`;
  }
}

export function voucherSummaryLines(v: VoucherSummary): string[] {
  const tills = Object.entries(v.sales.byTill).map(([t, n]) => `${t} ${n}`).join(', ');
  const refused = Object.entries(v.orders.refused).map(([c, n]) => `${c} ×${n}`).join(', ') || 'none';
  const days = v.hqDays.map((d) => `file ${d.day} ${d.activations} sold ${formatMinor(d.netFaceMinor)}, due ${formatMinor(d.dueMinor)}${d.agrees ? ' = center' : " ≠ center's"}`).join('; ');
  return [
    `  vouchers     ${v.printed} printed; ${v.sales.approved} sold ${formatMinor(v.sales.amountMinor)} (${tills})${v.sales.failed ? `; failed ${v.sales.failed}` : ''}; ${v.orders.paid} web orders paid ${formatMinor(v.orders.amountMinor)} (${v.orders.multiCard} with several cards, ${v.shipped} shipped); refused: ${refused}`,
    `  voucher payout ${formatMinor(v.paidOutMinor)} to the web shop's bank account (${formatMinor(v.shopBankMinor)} there)`,
    `  voucher books stores took ${formatMinor(v.storesTookMinor)} = on cards ${formatMinor(v.onCardsMinor)} + held ${formatMinor(v.heldMinor)} + redeemed ${formatMinor(v.redeemedMinor)}; HQ ${days || 'no day'}; audit ${v.audit.ok ? 'ok' : `FAILED (${v.audit.failed.join(', ')})`} (${v.audit.accounts} accounts, ${v.audit.transfers} transfers)`,
  ];
}
