/**
 * The voucher scene (seed 002), after the e-money scene: the settlement
 * center issues a batch for the chain's HQ and prints its sheet; the chain's
 * HQ and its two voucher tills come up; clerks sell cards off the rack (the
 * till's scanner reads each card's barcode from the printed sheet, the sale
 * goes till → HQ → center); buyers scratch the panels (the PINs read from
 * the sheet's text) and pay at the web shop with one card or two; someone
 * tries a card nobody bought; the shop ships what it authorised; the center pays the shop out
 * through the bank relay; the HQ
 * reconciles its daily file with the center's. Every step is one VoucherEvent with
 * what the plan expected and whether it happened so.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Clock } from '../../../core/clock.js';
import { errorCode, TesseraError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { VoucherApi, VoucherBatch } from '../../../center/voucher/api.js';
import { VOUCHER_MODULE } from '../../../center/voucher/module.js';
import { printVoucherSheet } from '../../../cli/commands/voucher-print.js';
import type { AgentReport } from '../../../terminal/agent/role.js';
import type { RoleRegistry } from '../../../terminal/agent/role-registry.js';
import { scanCardFromSheet } from '../../scanner/sheet-reader.js';
import type { WorldBanks } from '../../world/banks.js';
import type { World } from '../../world/world.js';
import { withDeadline } from '../fleet.js';
import { DEMO_LIMITS } from '../limits.js';
import { startChain, type DemoChain, type DemoTill } from './chain.js';
import { VOUCHER_CHAIN, type VoucherOrder, type VoucherPlan, type VoucherSale } from './plan.js';
import { VOUCHER_ACCOUNTS, type VoucherSetup } from './setup.js';
import { startShop, type DemoShop } from './shop.js';

interface Base {
  /** ms since the scene started. */
  readonly atMs: number;
  readonly result: string;
  readonly code: string | null;
  readonly asExpected: boolean;
}

export interface IssueEvent extends Base {
  readonly kind: 'issue';
  readonly count: number;
  readonly denomination: number;
  readonly pages: number;
}

export interface SaleEvent extends Base {
  readonly kind: 'sale';
  readonly terminal: string;
  readonly card: number;
  readonly serialLast4: string | null;
  readonly amountMinor: number;
}

export interface OrderEvent extends Base {
  readonly kind: 'order';
  readonly buyer: string;
  readonly sku: string;
  readonly cards: number;
  readonly amountMinor: number;
  readonly orderId: string | null;
  /** What the order page shows of each card: last four serial digits and the value left on it. */
  readonly remaining: ReadonlyArray<{ serialLast4: string; remaining: number }>;
  readonly expected: VoucherOrder['expect'];
}

export interface ShipEvent extends Base {
  readonly kind: 'ship';
  readonly orderId: string;
  readonly amountMinor: number;
}

/** The HQ's daily file reconciled with the center's (仕入れ決済: what the HQ owes once the day ends). */
export interface HqFileEvent extends Base {
  readonly kind: 'hq-file';
  readonly day: string;
  readonly activations: number;
  readonly netFaceMinor: number;
  readonly dueMinor: number;
  /** Lines or control totals that differ between the HQ's file and the center's. */
  readonly differences: number;
}

/** The center paid the shop what it captured (the voucher sweep, through the bank relay), as the shop's statement shows. */
export interface PayoutEvent extends Base {
  readonly kind: 'payout';
  readonly capturedMinor: number;
  readonly paidOutMinor: number;
  readonly payouts: number;
  /** The shop's balance at its bank afterwards. */
  readonly bankMinor: number;
}

export type VoucherEvent = IssueEvent | SaleEvent | OrderEvent | ShipEvent | PayoutEvent | HqFileEvent;

/** What the scene leaves for the checks: the parties still running, and the events. */
export interface VoucherSceneRun {
  readonly events: readonly VoucherEvent[];
  readonly batch: VoucherBatch | null;
  readonly chain: DemoChain | null;
  readonly shop: DemoShop | null;
  /** The business days the tills sold on. */
  readonly days: readonly string[];
  close(): Promise<void>;
}

interface Ctx {
  readonly world: World;
  readonly banks: WorldBanks;
  readonly api: VoucherApi;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly startMs: number;
  readonly emit: (e: VoucherEvent) => void;
}

export async function runVoucherScene(o: {
  world: World;
  setup: VoucherSetup;
  plan: VoucherPlan;
  roles: RoleRegistry;
  clock: Clock;
  signal: AbortSignal;
  onEvent: (e: VoucherEvent) => void;
  /** Simulator scanners left for the tills. */
  scanners: readonly string[];
  log: Logger;
}): Promise<VoucherSceneRun> {
  const events: VoucherEvent[] = [];
  const center = o.world.node!.center!;
  const ctx: Ctx = { world: o.world, banks: o.world.banks!, api: center.module<VoucherApi>(VOUCHER_MODULE), clock: o.clock, signal: o.signal, startMs: o.clock.monoMs(), emit: (e) => (events.push(e), o.onEvent(e)) };
  let chain: DemoChain | null = null;
  let shop: DemoShop | null = null;
  let batch: VoucherBatch | null = null;
  const days = new Set<string>();
  const close = async (): Promise<void> => {
    await shop?.close().catch(() => undefined);
    await chain?.close().catch(() => undefined);
  };
  try {
    const sheet = join(o.setup.dir, 'sheet.pdf');
    batch = await issue(ctx, o.plan, sheet);
    chain = await startChain({ world: o.world, setup: o.setup, batch, scanners: o.scanners, roles: o.roles, clock: o.clock, log: o.log });
    shop = await startShop({ setup: o.setup, clock: o.clock });
    const tills = chain.tills;
    // Each till serves one customer at a time; the two stores sell side by side.
    await Promise.all(
      VOUCHER_CHAIN.stores.map(async (s) => {
        for (const sale of o.plan.sales.filter((x) => x.till === s.till)) {
          days.add(dayOf(o.clock.nowMs()));
          await sell(ctx, tills.get(s.till)!, sale, sheet, o.plan.denomination);
        }
      }),
    );
    await chain.idle();
    const panels = await scratchPanels(sheet);
    const shipped: string[] = [];
    for (const order of o.plan.orders) {
      const e = await buy(ctx, shop, order, panels);
      if (e.result === 'authorized' && e.orderId !== null) shipped.push(e.orderId);
    }
    for (const id of shipped) await ship(ctx, shop, id);
    await payout(ctx, shop);
    for (const day of days) await reconcileDay(ctx, chain, day);
  } catch (e) {
    await close();
    throw e;
  }
  return { events, batch, chain, shop, days: [...days], close };
}

/** The center's operator issues the batch (`tessera voucher issue`) and prints its sheet (`tessera voucher print`, 0600). */
async function issue(ctx: Ctx, plan: VoucherPlan, sheet: string): Promise<VoucherBatch> {
  const batch = await ctx.api.issueBatch({ hqId: VOUCHER_CHAIN.hqId, denomination: plan.denomination, count: plan.count });
  const printed = await printVoucherSheet(ctx.api, batch.batchId, sheet, ctx.clock);
  ctx.emit({ kind: 'issue', ...at(ctx), count: printed.cards, denomination: plan.denomination, pages: printed.pages, result: 'done', code: null, asExpected: printed.cards === plan.count });
  return batch;
}

/** The clerk scans the card (the till's scanner reads its barcode off the sheet); the till sells it through the HQ. */
async function sell(ctx: Ctx, till: DemoTill, sale: VoucherSale, sheet: string, denomination: number): Promise<void> {
  const base = { kind: 'sale' as const, terminal: till.terminalId, card: sale.card };
  let report: AgentReport;
  try {
    const agent = till.terminal.agent;
    let listener: ((r: AgentReport) => void) | undefined;
    const outcome = new Promise<AgentReport>((resolve) => {
      listener = (r) => r.trigger === 'scan' && resolve(r);
      agent.on('outcome', listener);
    });
    try {
      const scanner = ctx.world.sim!.scanners.get(till.scanner);
      if (!scanner) throw new TesseraError('DEMO_SETUP_FAILED', `no scanner ${till.scanner}`, { part: 'vouchers' });
      await scanCardFromSheet(scanner, sheet, sale.card);
      report = await withDeadline(outcome, ctx.signal, `sale at ${till.terminalId}`, ctx.clock);
    } finally {
      if (listener) agent.off('outcome', listener);
    }
  } catch (e) {
    if (ctx.signal.aborted || errorCode(e) === 'DEMO_INTERRUPTED') throw e;
    report = { trigger: 'scan', result: 'error', code: errorCode(e) };
  }
  const amountMinor = typeof report.details?.['amountMinor'] === 'number' ? report.details['amountMinor'] : 0;
  const serialLast4 = typeof report.details?.['serialLast4'] === 'string' ? report.details['serialLast4'] : null;
  ctx.emit({ ...base, ...at(ctx), serialLast4, amountMinor, result: report.result, code: report.code, asExpected: report.result === 'approved' && amountMinor === denomination });
}

/** A buyer pays at the web shop with the PINs scratched off the cards. */
async function buy(ctx: Ctx, shop: DemoShop, order: VoucherOrder, panels: readonly string[]): Promise<OrderEvent> {
  const pins = order.cards.map((i) => panels[i]!);
  const base = { kind: 'order' as const, buyer: order.buyer, sku: order.sku, cards: order.cards.length, expected: order.expect };
  let e: OrderEvent;
  try {
    const o = await shop.checkout(order.sku, order.quantity, pins);
    const ok = o.state === 'paid' || o.state === 'authorized';
    e = {
      ...base, ...at(ctx), amountMinor: o.amountMinor, orderId: o.orderId, remaining: o.cards.map((c) => ({ serialLast4: c.serialLast4, remaining: c.remaining })),
      result: o.state, code: o.lastCode, asExpected: order.expect === 'approved' ? ok : o.state === 'refused' && o.lastCode === order.expect,
    };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    e = { ...base, ...at(ctx), amountMinor: 0, orderId: null, remaining: [], result: 'error', code: errorCode(err), asExpected: false };
  }
  ctx.emit(e);
  return e;
}

/** The shop's operator ships an authorised order: the authorisation is captured. */
async function ship(ctx: Ctx, shop: DemoShop, orderId: string): Promise<void> {
  try {
    const o = await shop.opened.shop.capture(orderId);
    ctx.emit({ kind: 'ship', ...at(ctx), orderId, amountMinor: o.capturedMinor, result: o.state, code: null, asExpected: o.state === 'shipped' && o.capturedMinor === o.amountMinor });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.emit({ kind: 'ship', ...at(ctx), orderId, amountMinor: 0, result: 'error', code: errorCode(err), asExpected: false });
  }
}

/**
 * The shop waits for its payout: the center's voucher sweep (every
 * sweepIntervalMs) pays what was captured from its own account at the
 * shop's bank; the shop reads its statement from the merchant API (bounded
 * by DEMO_LIMITS.settleInFlightMs) and its bank balance.
 */
async function payout(ctx: Ctx, shop: DemoShop): Promise<void> {
  const deadline = ctx.clock.monoMs() + DEMO_LIMITS.settleInFlightMs;
  try {
    let st = await shop.statement();
    while ((st.payableMinor !== 0 || st.pendingMinor !== 0) && ctx.clock.monoMs() < deadline && !ctx.signal.aborted) {
      await ctx.clock.sleep(DEMO_LIMITS.sweepIntervalMs / 2);
      st = await shop.statement();
    }
    const bankMinor = await ctx.banks.balance(VOUCHER_ACCOUNTS.shop);
    const net = st.capturedMinor - st.refundedMinor;
    ctx.emit({
      kind: 'payout', ...at(ctx), capturedMinor: net, paidOutMinor: st.paidOutMinor, payouts: st.payouts.filter((p) => p.state === 'paid').length, bankMinor,
      result: st.payableMinor === 0 && st.pendingMinor === 0 ? 'done' : 'pending', code: null, asExpected: net > 0 && st.paidOutMinor === net && bankMinor === net,
    });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.emit({ kind: 'payout', ...at(ctx), capturedMinor: 0, paidOutMinor: 0, payouts: 0, bankMinor: 0, result: 'error', code: errorCode(err), asExpected: false });
  }
}

/** The HQ's daily file against the center's, line by line and by control totals (what `tessera hq settle` checks before it pays). */
async function reconcileDay(ctx: Ctx, chain: DemoChain, day: string): Promise<void> {
  try {
    const r = await chain.reconcile(day);
    const f = r.hq;
    ctx.emit({ kind: 'hq-file', ...at(ctx), day, activations: f.activations, netFaceMinor: f.netFaceMinor, dueMinor: f.dueMinor, differences: r.differences, result: 'done', code: null, asExpected: r.differences === 0 });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.emit({ kind: 'hq-file', ...at(ctx), day, activations: 0, netFaceMinor: 0, dueMinor: 0, differences: 0, result: 'error', code: errorCode(err), asExpected: false });
  }
}

/** The business day (YYYY-MM-DD, Asia/Tokyo: the HQ's and the center's settlement time zone) of a time. */
export function dayOf(ms: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/**
 * The PINs under the scratch-off panels, in sheet order, as a buyer reads
 * them: the sheet's text (`pdftotext -raw`, which keeps drawing order: each
 * card's serial line, then its PIN line). They stay in memory.
 */
export function scratchPanels(sheet: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('pdftotext', ['-raw', sheet, '-'], { encoding: 'utf8', timeout: DEMO_LIMITS.stepTimeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, text) => {
      if (err) return reject(new TesseraError('DEMO_SETUP_FAILED', 'pdftotext could not read the voucher sheet', { part: 'vouchers' }, { cause: err }));
      const pins = [...text.matchAll(/^PIN ([0-9 ]+)$/gm)].map((m) => m[1]!.replace(/ /g, ''));
      resolve(pins);
    });
  });
}

function at(ctx: Ctx): { atMs: number } {
  return { atMs: ctx.clock.monoMs() - ctx.startMs };
}
