/**
 * Runs a plan against a started world: every user walks their itinerary
 * (users side by side, each terminal serving one person at a time), then
 * every shop terminal settles. Each finished step becomes one DemoEvent,
 * with what the plan expected and whether it happened so.
 */
import type { Clock } from '../../core/clock.js';
import { errorCode, TesseraError } from '../../core/errors.js';
import type { AgentReport } from '../../terminal/agent/role.js';
import type { DemoUser } from './cast.js';
import type { DemoTerminal } from './fleet.js';
import type { ChargeStep, DemoPlan, Expectation, PurchaseStep } from './itinerary.js';
import type { DemoWorld } from './world.js';

interface EventBase {
  /** ms since the script started. */
  readonly atMs: number;
  readonly terminal: string;
  /** The flow's result (`approved`, `declined`, …) or `error` for a step the demo could not finish. */
  readonly result: string;
  readonly code: string | null;
  readonly asExpected: boolean;
}

export interface ChargeEvent extends EventBase {
  readonly kind: 'charge';
  readonly user: string;
  readonly bankCode: string;
  readonly amountMinor: number;
  readonly expected: Expectation;
}

export interface PurchaseEvent extends EventBase {
  readonly kind: 'purchase';
  readonly user: string;
  readonly amountMinor: number;
  readonly product?: string;
  /** Goods scanned at the till (the basket the card paid), when not keyed. */
  readonly items?: number;
  readonly expected: PurchaseStep['expect'];
}

export interface SettleEvent extends EventBase {
  readonly kind: 'settle';
  readonly records: number;
  readonly amountMinor: number;
  /** Records the terminal still holds after the settlement. */
  readonly left: number;
  /** Records the center rejected (set aside at the terminal). */
  readonly rejected: number;
  /** The settlement receipt the terminal wrote to its medium, or null. */
  readonly receipt: string | null;
}

export type DemoEvent = ChargeEvent | PurchaseEvent | SettleEvent;

interface Run {
  readonly world: DemoWorld;
  readonly plan: DemoPlan;
  readonly clock: Clock;
  readonly startMs: number;
  readonly signal: AbortSignal;
  readonly emit: (e: DemoEvent) => void;
}

/** Runs every itinerary, then every settlement; resolves with all events (DEMO_INTERRUPTED rejects). */
export async function runScript(world: DemoWorld, plan: DemoPlan, o: { clock: Clock; signal: AbortSignal; onEvent: (e: DemoEvent) => void }): Promise<DemoEvent[]> {
  const events: DemoEvent[] = [];
  const run: Run = { world, plan, clock: o.clock, startMs: o.clock.monoMs(), signal: o.signal, emit: (e) => (events.push(e), o.onEvent(e)) };
  // Every walk ends (an interruption ends each at its next step) before the first failure is rethrown,
  // so no card flow is still running when the world shuts down.
  const walks = await Promise.allSettled(plan.cast.users.map((u) => walk(run, u)));
  const failed = walks.find((w): w is PromiseRejectedResult => w.status === 'rejected');
  if (failed) throw failed.reason;
  for (const shop of plan.cast.shops) await settle(run, terminal(run, shop.terminalId));
  return events;
}

async function walk(run: Run, user: DemoUser): Promise<void> {
  for (const step of run.plan.itineraries.get(user.name) ?? []) {
    if (step.kind === 'charge') await charge(run, user, step);
    else await purchase(run, user, step);
  }
}

/** Cash card + amount + bank PIN → the bank moves the money; then the purse card + card PIN → credited. */
async function charge(run: Run, user: DemoUser, step: ChargeStep): Promise<void> {
  const kiosk = terminal(run, step.kiosk);
  const base = { kind: 'charge' as const, terminal: step.kiosk, user: user.name, bankCode: user.account.bankCode, amountMinor: step.amountMinor, expected: step.expect };
  const report = await attempt(run, () =>
    kiosk.serve(async () => {
      const cash = await kiosk.present(user.cashCardId, { amount: String(step.amountMinor), pin: step.pinTyped }, run.signal);
      if (!succeeded(cash.report)) return cash.report;
      return (await kiosk.present(user.purseCardId, { pin: user.cardPin }, run.signal)).report;
    }),
  );
  const asExpected = step.expect === 'approved' ? succeeded(report) : report.result === 'declined' && names(report, step.expect);
  run.emit({ ...base, ...at(run), result: report.result, code: report.code, asExpected });
}

/** (Goods scanned | menu choice | amount) + purse card + card PIN → offline debit, journalled at the terminal. */
async function purchase(run: Run, user: DemoUser, step: PurchaseStep): Promise<void> {
  const shop = terminal(run, step.terminal);
  const report = await attempt(run, () => shop.serve(() => (step.items ? scannedSale(run, shop, user, step.items) : keyedSale(run, shop, user, step))));
  run.emit({
    kind: 'purchase', terminal: step.terminal, user: user.name, amountMinor: step.amountMinor,
    ...(step.product !== undefined && { product: step.product }), ...(step.items && { items: step.items.length }),
    expected: step.expect, ...at(run), result: report.result, code: report.code,
    // An approval must also be for the planned amount (a scanned basket's total is the terminal's own sum).
    asExpected: step.expect === 'approved' ? succeeded(report) && report.details?.['amountMinor'] === step.amountMinor : report.result === 'declined' && names(report, step.expect),
  });
}

async function keyedSale(run: Run, shop: DemoTerminal, user: DemoUser, step: PurchaseStep): Promise<AgentReport> {
  const answers = step.product !== undefined ? { menu: step.product, pin: user.cardPin } : { amount: String(step.amountMinor), pin: user.cardPin };
  return (await shop.present(user.purseCardId, answers, run.signal)).report;
}

/** The clerk scans the goods, the card pays the basket (no amount keyed). A basket left unpaid is cleared: the next person must not pay it. */
async function scannedSale(run: Run, shop: DemoTerminal, user: DemoUser, items: readonly string[]): Promise<AgentReport> {
  let paid = false;
  try {
    for (const code of items) {
      const scanned = await shop.scan(code, run.signal);
      if (!succeeded(scanned)) return scanned;
    }
    const report = (await shop.present(user.purseCardId, { pin: user.cardPin }, run.signal)).report;
    paid = report.result === 'approved';
    return report;
  } finally {
    if (!paid && !run.signal.aborted) await shop.command('clear', run.signal).catch(() => undefined);
  }
}

/** The shop presses "settle": records go up, the center calls back, the shop is paid at its bank. */
async function settle(run: Run, shop: DemoTerminal): Promise<void> {
  const held = shop.unsettled();
  const amountMinor = held.reduce((s, r) => s + r.amountMinor, 0);
  const report = await attempt(run, () => shop.serve(() => shop.command('settle', run.signal)));
  // The payment runs after the terminal acknowledged the instruction.
  await run.world.center.emoney.idle();
  const left = shop.unsettled().length;
  const rejected = Array.isArray(report.details?.['rejected']) ? report.details['rejected'].length : 0;
  const receipt = typeof report.details?.['receipt'] === 'string' ? report.details['receipt'] : null;
  run.emit({
    kind: 'settle', terminal: shop.spec.terminalId, records: held.length, amountMinor, left, rejected, receipt,
    ...at(run), result: report.result, code: report.code, asExpected: succeeded(report) && left === 0 && rejected === 0,
  });
}

/** The step's report, or an `error` report with the code of what stopped it (interruptions propagate). */
async function attempt(run: Run, fn: () => Promise<AgentReport>): Promise<AgentReport> {
  try {
    return await fn();
  } catch (e) {
    if (run.signal.aborted || (e instanceof TesseraError && e.code === 'DEMO_INTERRUPTED')) throw e;
    run.world.log.warn({ code: errorCode(e) }, 'demo step failed');
    return { trigger: 'command', result: 'error', code: errorCode(e) };
  }
}

function succeeded(r: AgentReport): boolean {
  return r.result === 'approved' || r.result === 'done';
}

/** Whether the report names this decline code (as its code, or in its details). */
function names(r: AgentReport, code: string): boolean {
  return r.code === code || Object.values(r.details ?? {}).includes(code);
}

function terminal(run: Run, id: string): DemoTerminal {
  const t = run.world.fleet.get(id);
  if (!t) throw new Error(`no demo terminal ${id}`);
  return t;
}

function at(run: Run): { atMs: number } {
  return { atMs: run.clock.monoMs() - run.startMs };
}
