/**
 * A vendor's view of the prepaid payments made to it (the merchant API's
 * `/v1/prepaid/payments`): each `vendor` use whose payee is the vendor id,
 * by its request id (the id the holder's client gives the vendor) or listed
 * by date. A vendor sees only its own payments, and nothing of the medium
 * (no medium id, no balance): the request id, the amount and the time.
 */
import type { SqlExecutor } from '../storage/types.js';
import { prepaidError } from './errors.js';
import { USAGE_ROWS, type UsageRow } from './rows.js';

export interface VendorPayment {
  /** The use's request id (32 hex): what the holder gives the vendor. */
  readonly requestId: string;
  readonly vendorId: string;
  readonly amountMinor: number;
  readonly currency: string;
  /** When the prepaid center booked it (ms since the epoch). */
  readonly paidAtMs: number;
}

export interface PaymentPage {
  readonly items: readonly VendorPayment[];
  /** Pass as `after` for the next page; null on the last. */
  readonly nextCursor: string | null;
  /** Over the whole filter (every page): how many payments and their total. */
  readonly controlTotals: { readonly count: number; readonly totalMinor: number };
}

export interface PaymentQuery {
  /** Booked at or after (ms). */
  readonly fromMs?: number | undefined;
  /** Booked before (ms). */
  readonly toMs?: number | undefined;
  readonly limit: number;
  /** The nextCursor of the previous page. */
  readonly after?: string | undefined;
}

const paymentOf = (u: UsageRow, currency: string): VendorPayment => ({ requestId: u.requestId, vendorId: u.payee, amountMinor: u.amountMinor, currency, paidAtMs: u.atMs });

/** One payment to `vendorId`, or PREPAID_PAYMENT_UNKNOWN (also for another vendor's: no answer tells them apart). */
export async function vendorPayment(q: SqlExecutor, vendorId: string, requestId: string, currency: string): Promise<VendorPayment> {
  const u = await USAGE_ROWS.get(q, "WHERE request_id = ? AND kind = 'vendor' AND payee = ?", [requestId, vendorId]);
  if (!u) throw prepaidError('PREPAID_PAYMENT_UNKNOWN', 'no prepaid payment to this vendor with this request id', { requestId });
  return paymentOf(u, currency);
}

/** A vendor's payments by booking time (oldest first), paged by (time, request id). */
export async function vendorPayments(q: SqlExecutor, vendorId: string, currency: string, o: PaymentQuery): Promise<PaymentPage> {
  const where = ["kind = 'vendor'", 'payee = ?'];
  const params: Array<string | number> = [vendorId];
  if (o.fromMs !== undefined) (where.push('at_ms >= ?'), params.push(o.fromMs));
  if (o.toMs !== undefined) (where.push('at_ms < ?'), params.push(o.toMs));
  const totals = await q.get(`SELECT COUNT(*) AS n, CAST(COALESCE(SUM(amount), 0) AS TEXT) AS total FROM prepaid_usage WHERE ${where.join(' AND ')}`, params);
  const page = [...where];
  const pageParams = [...params];
  if (o.after !== undefined) {
    const m = /^([0-9]{1,16}):([0-9a-f]{32})$/.exec(o.after);
    if (!m) throw prepaidError('PREPAID_BAD_REQUEST', 'after: the nextCursor of the previous page', { field: 'after' });
    page.push('(at_ms > ? OR (at_ms = ? AND request_id > ?))');
    pageParams.push(Number(m[1]), Number(m[1]), m[2]!);
  }
  const rows = await USAGE_ROWS.all(q, `WHERE ${page.join(' AND ')} ORDER BY at_ms, request_id LIMIT ?`, [...pageParams, o.limit + 1]);
  const more = rows.length > o.limit;
  const items = rows.slice(0, o.limit);
  const last = items[items.length - 1];
  return {
    items: items.map((u) => paymentOf(u, currency)),
    nextCursor: more && last ? `${last.atMs}:${last.requestId}` : null,
    controlTotals: { count: Number(totals?.['n'] ?? 0), totalMinor: Number(totals?.['total'] ?? 0) },
  };
}
