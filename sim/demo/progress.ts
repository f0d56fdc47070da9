/**
 * Progress lines while the demo runs: one terse line per event. Lines carry
 * ids, amounts and codes only; the values people type (PINs, security
 * codes) are never in an event, so they cannot reach a line.
 */
import { CURRENCY } from './cast.js';
import type { DemoEvent } from './script.js';

/** An integer amount in minor units with thousands separators (JPY has no decimals). */
export function formatMinor(amountMinor: number): string {
  const digits = String(Math.abs(amountMinor)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${amountMinor < 0 ? '-' : ''}${digits} ${CURRENCY}`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1_000).toFixed(1)}s`;
}

export function eventLine(e: DemoEvent): string {
  const head = `${formatSeconds(e.atMs).padStart(7)}  ${e.terminal.padEnd(8)}`;
  const verdict = outcomeText(e);
  switch (e.kind) {
    case 'charge':
      return `${head} charge    ${e.user.padEnd(7)} bank ${e.bankCode} ${formatMinor(e.amountMinor).padStart(12)}  ${verdict}`;
    case 'purchase':
      return `${head} purchase  ${e.user.padEnd(7)} ${(e.product ? `item ${e.product}` : e.items ? `${e.items} scanned` : '').padEnd(9)} ${formatMinor(e.amountMinor).padStart(12)}  ${verdict}`;
    case 'settle':
      return `${head} settle    ${`${e.records} records`.padEnd(17)} ${formatMinor(e.amountMinor).padStart(12)}  ${verdict}${e.left > 0 ? ` (${e.left} left)` : ''}${e.rejected > 0 ? ` (${e.rejected} rejected)` : ''}${e.receipt ? ', receipt on medium' : ''}`;
  }
}

function outcomeText(e: DemoEvent): string {
  const text = e.result === 'approved' || e.result === 'done' ? 'ok' : `${e.result.toUpperCase()} ${e.code ?? ''}`.trim();
  if (e.kind !== 'settle' && e.expected !== 'approved') return `${text} (planned decline)${e.asExpected ? '' : ` ✗ expected ${e.expected}`}`;
  return e.asExpected ? text : `${text} ✗ unexpected`;
}
