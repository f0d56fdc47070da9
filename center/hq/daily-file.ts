/**
 * The daily file (仕入れ決済, PROTOCOL.md §6.5.2): the HQ builds its own
 * from its journal, fetches the settlement center's, compares them line by
 * line and by control totals, and only when they agree books its payment of
 * the day's due amount (`settleHqDay` at the center). A difference is
 * HQ_FILE_MISMATCH with the differing lines; nothing is paid.
 *
 * Lines (as the settlement center's file, center/voucher/vouchers.ts):
 * one `activation` per sale the center activated on that day (answered to
 * the till, or known from a reversal's outcome `reversed`), and one `void` or
 * `reversal` per sale undone on that day, named by the sale's request id. A
 * reversal of an activation that never arrived makes no line (nothing was
 * sold). `voids`/`voidedMinor` count voids and reversals together.
 */
import { TesseraError } from '../../core/errors.js';
import type { SqlExecutor } from '../storage/types.js';
import type { HqDailyFile } from '../voucher/api.js';
import type { CenterLink } from './center-link.js';
import type { HqSection } from './config-schema.js';
import { HQ_LIMITS } from './limits.js';
import { REQUEST_ROWS } from './schema.js';

export type DailyLine = HqDailyFile['lines'][number];
const DAY_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

export function checkDay(day: string): void {
  if (!DAY_RE.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new TesseraError('HQ_DAY_INVALID', 'the business day is not YYYY-MM-DD', { day });
}

/** The HQ's own file for a business day, from its journal. */
export async function buildDailyFile(q: SqlExecutor, section: HqSection, day: string): Promise<HqDailyFile> {
  checkDay(day);
  const dayOf = businessDayOf(section.timeZone);
  const lines: DailyLine[] = [];
  const sales = await REQUEST_ROWS.all(q, "WHERE business_day = ? AND kind = 'activation' ORDER BY id LIMIT ?", [day, HQ_LIMITS.dailyFileLinesMax]);
  for (const r of sales) {
    const sold = r.state === 'activated' || r.state === 'voided' || (r.state === 'reversed' && r.outcome === 'reversed');
    if (sold) lines.push({ requestId: r.id, serial: r.serial, amount: r.amount, kind: 'activation' });
  }
  // Undone on the day: a void by its own day, a reversal by the day the center answered it (updated_ms).
  const voids = await REQUEST_ROWS.all(q, "WHERE business_day = ? AND kind = 'void' AND state = 'done' ORDER BY id LIMIT ?", [day, HQ_LIMITS.dailyFileLinesMax]);
  for (const v of voids) lines.push({ requestId: v.originalId!, serial: v.serial, amount: v.amount, kind: 'void' });
  const noon = Date.parse(`${day}T12:00:00Z`);
  const reversed = await REQUEST_ROWS.all(q, "WHERE kind = 'activation' AND state = 'reversed' AND outcome = 'reversed' AND updated_ms BETWEEN ? AND ? ORDER BY id LIMIT ?", [
    noon - 36 * 3_600_000, noon + 36 * 3_600_000, HQ_LIMITS.dailyFileLinesMax,
  ]);
  for (const r of reversed) if (dayOf(r.updatedMs) === day) lines.push({ requestId: r.id, serial: r.serial, amount: r.amount, kind: 'reversal' });
  return fileOf(section, day, lines);
}

/** YYYY-MM-DD of an instant in a time zone. */
export function businessDayOf(timeZone: string): (ms: number) => string {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (ms) => f.format(ms);
}

/** Control totals over lines (the same arithmetic on both sides). */
export function fileOf(section: Pick<HqSection, 'hqId' | 'currency' | 'commissionBp'>, day: string, lines: readonly DailyLine[]): HqDailyFile {
  const sum = (k: DailyLine['kind']): [number, number] => {
    const ls = lines.filter((l) => l.kind === k);
    return [ls.length, ls.reduce((s, l) => s + l.amount, 0)];
  };
  const [activations, activatedMinor] = sum('activation');
  const [voids, voidedOnly] = sum('void');
  const [reversals, reversedMinor] = sum('reversal');
  const voidedMinor = voidedOnly + reversedMinor;
  const netFaceMinor = activatedMinor - voidedMinor;
  const commissionMinor = Math.sign(netFaceMinor) * Math.floor((Math.abs(netFaceMinor) * section.commissionBp) / 10_000);
  return {
    hqId: section.hqId, businessDay: day, currency: section.currency, activations, activatedMinor, voids: voids + reversals, voidedMinor,
    netFaceMinor, commissionMinor, dueMinor: netFaceMinor - commissionMinor, lines: [...lines],
  };
}

export interface FileDifference {
  /** 'hq-only': the HQ has the line, the center not; 'center-only': the reverse; 'totals': a control total differs. */
  readonly where: 'hq-only' | 'center-only' | 'totals';
  readonly line?: DailyLine;
  readonly field?: string;
  readonly hq?: number;
  readonly center?: number;
}

const TOTALS = ['activations', 'activatedMinor', 'voids', 'voidedMinor', 'netFaceMinor', 'commissionMinor', 'dueMinor'] as const;
const keyOf = (l: DailyLine): string => `${l.kind}/${l.requestId}/${l.serial}/${l.amount}`;

/** Line by line (as sets keyed by kind, request id, serial and amount), then the control totals. */
export function compareFiles(hq: HqDailyFile, center: HqDailyFile): FileDifference[] {
  const mine = new Map(hq.lines.map((l) => [keyOf(l), l]));
  const theirs = new Map(center.lines.map((l) => [keyOf(l), l]));
  const out: FileDifference[] = [];
  for (const [k, l] of mine) if (!theirs.has(k)) out.push({ where: 'hq-only', line: l });
  for (const [k, l] of theirs) if (!mine.has(k)) out.push({ where: 'center-only', line: l });
  for (const f of TOTALS) if (hq[f] !== center[f]) out.push({ where: 'totals', field: f, hq: hq[f], center: center[f] });
  return out;
}

/** One difference as an operator reads it: `hq-only activation <request id> serial <serial> amount <n>`, `totals dueMinor hq 2955 center 985`. */
export function describeDifference(d: FileDifference): string {
  if (d.where === 'totals') return `totals ${d.field} hq ${d.hq} center ${d.center}`;
  return `${d.where} ${d.line!.kind} ${d.line!.requestId} serial ${d.line!.serial} amount ${d.line!.amount}`;
}

export interface SettledDay {
  readonly day: string;
  readonly paidMinor: number;
  readonly file: HqDailyFile;
}

/** Builds, fetches, compares, and books the payment; HQ_FILE_MISMATCH (nothing paid) when the files differ. */
export async function settleDay(o: { q: SqlExecutor; section: HqSection; link: CenterLink; day: string }): Promise<SettledDay> {
  const mine = await buildDailyFile(o.q, o.section, o.day);
  const got = await o.link.call<HqDailyFile>('GET', `/hq/v1/daily-files/${o.day}`);
  if (!got.ok) throw new TesseraError(got.code, 'the settlement center refused the daily file', { day: o.day, ...got.details });
  const diffs = compareFiles(mine, got.value);
  if (diffs.length > 0) {
    throw new TesseraError('HQ_FILE_MISMATCH', `the HQ's and the center's daily files differ (${diffs.length} difference${diffs.length === 1 ? '' : 's'})`, {
      day: o.day, differences: diffs.slice(0, HQ_LIMITS.mismatchLinesReportedMax).map(describeDifference), count: diffs.length,
    });
  }
  const hqTotals = { activations: mine.activations, netFaceMinor: mine.netFaceMinor, dueMinor: mine.dueMinor };
  const paid = await o.link.call<unknown>('POST', `/hq/v1/daily-files/${o.day}/settlement`, { paidMinor: mine.dueMinor, hqTotals });
  if (!paid.ok) throw new TesseraError(paid.code, 'the settlement center refused the payment', { day: o.day, ...paid.details });
  return { day: o.day, paidMinor: mine.dueMinor, file: mine };
}
