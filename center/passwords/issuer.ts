/**
 * What an issuer (credit company) reads from the TTP besides its own
 * passwords: the **returns** (unused value the TTP gave back: delivery
 * failed, revoked, expired, a single-use password's rest, a shop refund that
 * could not go back onto the password), one per RETURN transfer, so the
 * issuer refunds its customer exactly once per return (keyed by the
 * transfer's id); and the **daily file**: every ISSUE, CAPTURE, REFUND and
 * RETURN booked on the issuer's passwords on one UTC day, with control
 * totals, for the issuer to reconcile its own books against.
 *
 * Both are read from the ledger's transfers (ledger-map.ts: every move's
 * reference is the password's serial), joined to the issuer's passwords.
 */
import { TesseraError } from '../../core/errors.js';
import { toSafeInt } from '../storage/ints.js';
import type { SqlExecutor } from '../storage/types.js';
import { fundsOf, MOVE } from './ledger-map.js';
import { PASSWORDS_LIMITS as L } from './limits.js';

/** One RETURN to the issuer. */
export interface IssuerReturn {
  /** The TTP's ledger transfer id: unique per return; the issuer's refund is keyed by it. */
  readonly returnId: string;
  readonly serial: string;
  /** The issuer's request id the password was issued under. */
  readonly requestId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly atMs: number;
  /** The password's state now, and why it ended (expired, delivery-failed, revoked by …) or null (a single-use rest, a shop refund). */
  readonly passwordState: string;
  readonly reason: string | null;
}

export interface IssuerReturnsPage {
  readonly returns: IssuerReturn[];
  /** Pass as `after` to read on; null when this page was the last. */
  readonly next: string | null;
}

export type DailyLineKind = 'issue' | 'capture' | 'refund' | 'return';

export interface IssuerDailyLine {
  readonly transferId: string;
  readonly kind: DailyLineKind;
  readonly serial: string;
  readonly requestId: string;
  readonly amountMinor: number;
  readonly atMs: number;
}

export interface ControlTotal {
  readonly count: number;
  readonly totalMinor: number;
}

/** The issuer's daily file (UTC day): lines and control totals. */
export interface IssuerDailyFile {
  readonly issuer: string;
  /** YYYY-MM-DD, UTC. */
  readonly day: string;
  readonly currency: string | null;
  readonly issued: ControlTotal;
  readonly returned: ControlTotal;
  /** Used: captured by shops, less what shops refunded (refunds either went back onto the password or were returned). */
  readonly used: { readonly captured: ControlTotal; readonly refunded: ControlTotal; readonly netMinor: number };
  /** Every movement, in booking order (at most PASSWORDS_LIMITS.dailyFileLinesMax; the totals cover all). */
  readonly lines: IssuerDailyLine[];
  readonly linesTruncated: boolean;
}

const DAY_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const KIND_OF: Record<number, DailyLineKind> = { [MOVE.ISSUE]: 'issue', [MOVE.CAPTURE]: 'capture', [MOVE.REFUND]: 'refund', [MOVE.RETURN]: 'return' };
const CURSOR_RE = /^([0-9]{1,16}):([\x21-\x7e]{1,128})$/;

/** The UTC day's bounds [start, end) in ms; PASSWORD_BAD_REQUEST when it is not a YYYY-MM-DD date. */
export function dayBounds(day: string): { startMs: number; endMs: number } {
  const startMs = Date.parse(`${day}T00:00:00Z`);
  if (!DAY_RE.test(day) || Number.isNaN(startMs) || new Date(startMs).toISOString().slice(0, 10) !== day) {
    throw new TesseraError('PASSWORD_BAD_REQUEST', 'the day is not a YYYY-MM-DD date', { field: 'day' });
  }
  return { startMs, endMs: startMs + 86_400_000 };
}

/** The UTC day of an instant. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

type TransferRow = { id: string; code: unknown; amount: unknown; currency: string; reference: string; timestamp_ms: unknown; request_id: string; state: string; reason: string | null };

/** Returns to the issuer in booking order, after the cursor (`<atMs>:<returnId>` of the last one read). */
export async function issuerReturns(q: SqlExecutor, issuer: string, o: { after?: string | undefined; limit?: number | undefined } = {}): Promise<IssuerReturnsPage> {
  const limit = Math.min(Math.max(1, o.limit ?? L.issuerPageMax), L.issuerPageMax);
  let afterMs = -1;
  let afterId = '';
  if (o.after !== undefined && o.after !== '') {
    const m = CURSOR_RE.exec(o.after);
    if (!m) throw new TesseraError('PASSWORD_BAD_REQUEST', 'the cursor is not one this API gave', { field: 'after' });
    afterMs = Number(m[1]);
    afterId = m[2]!;
  }
  const rows = await q.all<TransferRow>(
    `SELECT t.id, t.code, t.amount, t.currency, t.reference, t.timestamp_ms, p.request_id, p.state, p.reason
       FROM ledger_transfers t JOIN passwords p ON p.id = t.reference
      WHERE t.credit_account_id = ? AND t.code = ? AND p.issuer = ? AND (t.timestamp_ms > ? OR (t.timestamp_ms = ? AND t.id > ?))
      ORDER BY t.timestamp_ms, t.id LIMIT ?`,
    [fundsOf(issuer), MOVE.RETURN, issuer, afterMs, afterMs, afterId, limit],
  );
  const returns = rows.map((r): IssuerReturn => ({
    returnId: r.id, serial: r.reference, requestId: r.request_id, amountMinor: toSafeInt(r.amount, 'amount'), currency: r.currency,
    atMs: toSafeInt(r.timestamp_ms, 'timestamp_ms'), passwordState: r.state, reason: r.reason,
  }));
  const last = returns[returns.length - 1];
  return { returns, next: returns.length === limit && last ? `${last.atMs}:${last.returnId}` : null };
}

/** The issuer's daily file for a UTC day. */
export async function issuerDailyFile(q: SqlExecutor, issuer: string, day: string): Promise<IssuerDailyFile> {
  const { startMs, endMs } = dayBounds(day);
  const codes = [MOVE.ISSUE, MOVE.CAPTURE, MOVE.REFUND, MOVE.RETURN];
  const where = `FROM ledger_transfers t JOIN passwords p ON p.id = t.reference
      WHERE p.issuer = ? AND t.code IN (${codes.map(() => '?').join(',')}) AND t.timestamp_ms >= ? AND t.timestamp_ms < ?`;
  const params = [issuer, ...codes, startMs, endMs];
  const sums = await q.all<{ code: unknown; n: unknown; total: unknown }>(`SELECT t.code, COUNT(*) AS n, COALESCE(SUM(t.amount), 0) AS total ${where} GROUP BY t.code`, params);
  const total = (code: number): ControlTotal => {
    const s = sums.find((x) => toSafeInt(x.code, 'code') === code);
    return { count: s ? toSafeInt(s.n, 'count') : 0, totalMinor: s ? toSafeInt(s.total, 'total') : 0 };
  };
  const rows = await q.all<TransferRow>(
    `SELECT t.id, t.code, t.amount, t.currency, t.reference, t.timestamp_ms, p.request_id, p.state, p.reason ${where} ORDER BY t.timestamp_ms, t.id LIMIT ?`,
    [...params, L.dailyFileLinesMax + 1],
  );
  const account = await q.get<{ currency: string }>('SELECT currency FROM ledger_accounts WHERE id = ?', [fundsOf(issuer)]);
  const captured = total(MOVE.CAPTURE);
  const refunded = total(MOVE.REFUND);
  return {
    issuer, day, currency: account?.currency ?? null,
    issued: total(MOVE.ISSUE), returned: total(MOVE.RETURN),
    used: { captured, refunded, netMinor: captured.totalMinor - refunded.totalMinor },
    lines: rows.slice(0, L.dailyFileLinesMax).map((r) => ({
      transferId: r.id, kind: KIND_OF[toSafeInt(r.code, 'code')]!, serial: r.reference, requestId: r.request_id, amountMinor: toSafeInt(r.amount, 'amount'), atMs: toSafeInt(r.timestamp_ms, 'timestamp_ms'),
    })),
    linesTruncated: rows.length > L.dailyFileLinesMax,
  };
}
