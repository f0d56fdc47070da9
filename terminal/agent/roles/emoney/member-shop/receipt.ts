/**
 * The settlement receipt a member shop or vending machine leaves on its
 * removable store (seed 004): after a settlement instruction was handled,
 * one JSON file per settlement with what the center settled — terminal,
 * the provider's bank and branch, currency, total, and how many records
 * had each verdict. No security code, key, account number or card data:
 * a receipt is for the shop's books, and a medium gets lost.
 *
 * Name: `SETTLE-<YYYYMMDD>-<HHMMSSmmm>-<terminal id>.JSON` (UTC, from the
 * agent clock; names sort by time), `-<n>` before `.JSON` when that name is
 * already on the medium. Written with the store's atomic write. The journal
 * holds the truth: no store, no medium, or a failed write is a log line and
 * never fails the settlement.
 */
import { errorCode } from '../../../../../core/errors.js';
import { RECORD_STATUS } from '../../../../../protocol/codes.js';
import type { RemovableStore } from '../../../../devices/removable-store.js';
import { SHOP_LIMITS } from '../../../../limits.js';
import type { RoleContext } from '../../../role.js';

/** What the receipt is made from: the handled instruction's outcome details. */
export interface SettledBatch {
  readonly settledCount: number;
  readonly totalMinor: number;
  readonly currency: string;
  readonly rejected: ReadonlyArray<{ readonly status: string }>;
  readonly providerAccount: { readonly bankCode: string; readonly branchCode: string };
  readonly remainingCount: number;
}

export interface SettlementReceipt {
  readonly receipt: 'tessera-settlement';
  readonly version: 1;
  readonly terminalId: string;
  /** ISO 8601 UTC (agent clock). */
  readonly settledAt: string;
  readonly bankCode: string;
  readonly branchCode: string;
  readonly currency: string;
  /** The center's total for the accepted records (minor units). */
  readonly totalMinor: number;
  /** Records in the instruction. */
  readonly records: number;
  /** Records per verdict (ACCEPTED, FORGED, ALTERED, DUPLICATE). */
  readonly results: Readonly<Record<string, number>>;
  /** Records the terminal still holds after this settlement. */
  readonly remainingCount: number;
}

export function receiptOf(terminalId: string, nowMs: number, b: SettledBatch): SettlementReceipt {
  const results: Record<string, number> = Object.fromEntries(Object.keys(RECORD_STATUS).map((k) => [k, 0]));
  results['ACCEPTED'] = b.settledCount;
  for (const r of b.rejected) results[r.status] = (results[r.status] ?? 0) + 1;
  return {
    receipt: 'tessera-settlement', version: 1, terminalId, settledAt: new Date(nowMs).toISOString(),
    bankCode: b.providerAccount.bankCode, branchCode: b.providerAccount.branchCode, currency: b.currency,
    totalMinor: b.totalMinor, records: b.settledCount + b.rejected.length, results, remainingCount: b.remainingCount,
  };
}

/** `SETTLE-20260601-103005123-SHOP-A1.JSON`; try n > 1 appends `-n`. */
export function receiptName(terminalId: string, nowMs: number, attempt = 1): string {
  const iso = new Date(nowMs).toISOString(); // 2026-06-01T10:30:05.123Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 23).replace(/[:.]/g, '')}`;
  return `SETTLE-${stamp}-${terminalId}${attempt > 1 ? `-${attempt}` : ''}.JSON`;
}

/** Writes the receipt if the terminal has a store with a medium in it; returns the file name, or null (logged why). */
export async function writeSettlementReceipt(ctx: RoleContext, b: SettledBatch): Promise<string | null> {
  const store = ctx.devices.store;
  if (b.settledCount + b.rejected.length === 0) return null; // nothing was settled: nothing to put on paper
  if (!store) {
    ctx.log.debug('no removable store configured: no settlement receipt');
    return null;
  }
  try {
    if ((await store.status()).media !== 'present') {
      ctx.log.info({ totalMinor: b.totalMinor }, 'no medium in the drive: settlement receipt not written (the journal holds the settlement)');
      return null;
    }
    const nowMs = ctx.clock.nowMs();
    const name = await freeName(store, ctx.terminalId, nowMs);
    if (name === null) {
      ctx.log.warn({ tries: SHOP_LIMITS.receiptNameTriesMax }, 'every receipt name of this millisecond is taken: settlement receipt not written');
      return null;
    }
    const receipt = receiptOf(ctx.terminalId, nowMs, b);
    await store.writeFile(name, Buffer.from(`${JSON.stringify(receipt, null, 2)}\n`, 'utf8'));
    ctx.log.info({ file: name, totalMinor: receipt.totalMinor, records: receipt.records }, 'settlement receipt written');
    return name;
  } catch (e) {
    ctx.log.warn({ code: errorCode(e), totalMinor: b.totalMinor }, 'settlement receipt not written (the journal holds the settlement)');
    return null;
  }
}

/** The first receipt name not on the medium (a read that finds no file: never overwrite an earlier receipt). */
async function freeName(store: RemovableStore, terminalId: string, nowMs: number): Promise<string | null> {
  for (let attempt = 1; attempt <= SHOP_LIMITS.receiptNameTriesMax; attempt++) {
    const name = receiptName(terminalId, nowMs, attempt);
    try {
      await store.readFile(name);
    } catch (e) {
      if (errorCode(e) === 'DEV_FILE_NOT_FOUND') return name;
      if (errorCode(e) !== 'DEV_FILE_CORRUPT') throw e;
    }
  }
  return null;
}
