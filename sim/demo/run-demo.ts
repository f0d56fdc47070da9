/**
 * `tessera demo` as a function: a fresh run directory, the world, the
 * script, the summary, and everything shut down again (also when the run
 * is interrupted through the abort signal). Prints through `out`, one line
 * at a time; never a PIN, key or security code.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { SeededRandom } from '../../core/random.js';
import type { RoleRegistry } from '../../terminal/agent/role-registry.js';
import { builtinRoles } from '../../terminal/agent/roles/builtin.js';
import { makeCast, type DemoCast } from './cast.js';
import type { DemoCode } from './errors.js';
import { makePlan } from './itinerary.js';
import { DEMO_LIMITS } from './limits.js';
import { moneySnapshot } from './money.js';
import { eventLine, formatSeconds } from './progress.js';
import { cleanStaleRuns, createRunDir } from './run-dir.js';
import { runScript, type DemoEvent } from './script.js';
import { waitForChargesSettled, summarize, type DemoSummary } from './summary.js';
import { summaryLines } from './summary-text.js';
import type { TerminalSpec } from './terminals.js';
import { startWorld, type DemoWorld } from './world.js';
import type { VoucherApi } from '../../center/voucher/api.js';
import { VOUCHER_MODULE } from '../../center/voucher/module.js';
import { makeVoucherPlan, VOUCHER_CHAIN } from './vouchers/plan.js';
import { voucherEventLine } from './vouchers/progress.js';
import { runVoucherScene, type VoucherEvent } from './vouchers/scene.js';
import { prepareVouchers } from './vouchers/setup.js';
import { summarizeVouchers } from './vouchers/summary.js';
import { PASSWORDS_MODULE } from '../../center/passwords/module.js';
import type { Passwords } from '../../center/passwords/passwords.js';
import { passwordEventLine } from './passwords/progress.js';
import { issuerCredit, runPasswordScene, type PasswordEvent } from './passwords/scene.js';
import { openCredit } from '../credit/serve.js';
import { PASSWORD_TILL, startPasswordTill } from './passwords/till.js';
import { PASSWORD_ISSUER, preparePasswords } from './passwords/setup.js';
import { summarizePasswords } from './passwords/summary.js';
import { PREPAID_MODULE } from '../../center/prepaid/module.js';
import type { Prepaid } from '../../center/prepaid/prepaid.js';
import { runPrepaidScene, type PrepaidEvent } from './prepaid/scene.js';
import { PREPAID_KIOSK, PREPAID_PROVIDER, PREPAID_VENDOR, preparePrepaid } from './prepaid/setup.js';
import { prepaidEventLine, summarizePrepaid } from './prepaid/summary.js';

export const DEMO_ROLES = ['provider-kiosk', 'shop', 'vending', 'voucher-pos', 'password-pos', 'prepaid-issuer'] as const;

export interface DemoOptions {
  readonly users: number;
  /** 32-bit seed of the story (who, where, how much). */
  readonly seed: number;
  /** Run directories go under here (`.tessera/demo` by default). */
  readonly stateRoot: string;
}

export interface DemoResult {
  readonly ok: boolean;
  readonly seed: number;
  readonly runDir: string;
  readonly elapsedMs: number;
  readonly summary: DemoSummary;
  /** The codes of the failed checks (empty when ok). */
  readonly failures: DemoCode[];
  /** Shutdown steps that failed or timed out (`part:code`). */
  readonly shutdown: string[];
  readonly events: readonly DemoEvent[];
  readonly voucherEvents: readonly VoucherEvent[];
  readonly passwordEvents: readonly PasswordEvent[];
  readonly prepaidEvents: readonly PrepaidEvent[];
}

export interface DemoDeps {
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
  readonly roles?: RoleRegistry;
  readonly clock?: Clock;
}

export async function runDemo(o: DemoOptions, d: DemoDeps): Promise<DemoResult> {
  const clock = d.clock ?? systemClock;
  const t0 = clock.monoMs();
  checkOptions(o);
  const roles = d.roles ?? builtinRoles();
  const missing = DEMO_ROLES.filter((r) => !roles.has(r));
  if (missing.length > 0) throw new TesseraError('DEMO_ROLES_MISSING', `this build has no terminal role ${missing.join(', ')}`, { missing, known: roles.names });
  const run = createRunDir(o.stateRoot, clock.nowMs());
  const stale = await cleanStaleRuns(o.stateRoot, run, clock);
  const random = new SeededRandom(o.seed);
  const cast = makeCast(o.seed, o.users, random);
  const plan = makePlan(cast, random);
  d.out(`tessera demo  seed ${o.seed}  ${o.users} users  run ${run.path}`);
  if (stale.processesEnded > 0 || stale.runsRemoved > 0) d.out(`  earlier runs: ended ${stale.processesEnded} leftover processes, removed ${stale.runsRemoved} old run directories`);
  const vouchers = await prepareVouchers(run.path, { sweepIntervalMs: DEMO_LIMITS.sweepIntervalMs, clock });
  const passwords = await preparePasswords(run.path, { clock });
  const prepaidSetup = await preparePrepaid(run.path, { clock });
  const world = await startWorld({ cast, dir: run.path, roles, clock, vouchers, passwords, prepaid: prepaidSetup });
  let events: readonly DemoEvent[] = [];
  let voucherEvents: readonly VoucherEvent[] = [];
  let passwordEvents: readonly PasswordEvent[] = [];
  let prepaidEvents: readonly PrepaidEvent[] = [];
  let summary: DemoSummary;
  let shutdown: string[] = [];
  try {
    setupLines(world, cast).forEach((l) => d.out(l));
    const before = await moneySnapshot(world, cast);
    events = await runScript(world, plan, { clock, signal: d.signal, onEvent: (e) => d.out(eventLine(e)) });
    const stillInFlight = await waitForChargesSettled(world, clock);
    if (stillInFlight > 0) world.log.warn({ charges: stillInFlight }, 'charges still in flight when the checks ran');
    // The e-money books are summed up before the voucher scene moves any bank money (the shop's payout).
    summary = await summarize(world, cast, events, before);
    d.out(`vouchers: HQ ${VOUCHER_CHAIN.hqId} with ${VOUCHER_CHAIN.stores.map((s) => `${s.storeId} (${s.till})`).join(', ')}; the web shop on the merchant API (${formatSeconds(0)} = first step)`);
    const scene = await runVoucherScene({
      world: world.world, setup: vouchers, plan: makeVoucherPlan(o.seed), roles, clock, signal: d.signal, scanners: world.voucherScanners, log: world.log.child({ part: 'vouchers' }),
      onEvent: (e) => d.out(voucherEventLine(e)),
    });
    try {
      voucherEvents = scene.events;
      const v = await summarizeVouchers(scene, { storage: world.center.storage, api: world.center.center.module<VoucherApi>(VOUCHER_MODULE) });
      const checks = [...summary.checks, ...v.checks];
      summary = { ...summary, vouchers: v, checks, ok: checks.every((c) => c.ok) };
    } finally {
      await scene.close();
    }
    d.out(`settlement passwords: TTP in the center, credit company ${PASSWORD_ISSUER}, SMSC :${passwords.smscPort}, mail server :${passwords.mailboxPort}, store ${passwords.shop.shopId} with till ${PASSWORD_TILL} (${world.passwordScanner})`);
    const merchantApiUrl = `http://127.0.0.1:${vouchers.merchantApiPort}`;
    const credit = openCredit(passwords.creditConfig(world.banks, merchantApiUrl), { base: passwords.dir, clock, log: world.log.child({ part: 'credit' }) });
    const pw = world.center.center.module<Passwords>(PASSWORDS_MODULE);
    const till = await startPasswordTill({ world: world.world, scanner: world.passwordScanner!, shopId: passwords.shop.shopId, ttpPublicKey: pw.keys.publicKey, roles, clock });
    const pwScene = await runPasswordScene({
      setup: passwords, pw, till, signal: d.signal, storage: world.center.storage, clock, log: world.log.child({ part: 'passwords' }),
      issuer: issuerCredit(credit.company),
      webShop: { url: merchantApiUrl, apiKeyFile: vouchers.apiKeyFile }, merchantApiUrl,
      onEvent: (e) => d.out(passwordEventLine(e)),
    });
    try {
      passwordEvents = pwScene.events;
      const p = await summarizePasswords(pwScene, { storage: world.center.storage });
      const checks = [...summary.checks, ...p.checks];
      summary = { ...summary, passwords: p, checks, ok: checks.every((c) => c.ok) };
    } finally {
      await pwScene.close();
      await credit.close();
    }
    d.out(`prepaid media: prepaid center in the center, provider center ${PREPAID_PROVIDER} (HTTPS, pinned), vendor ${PREPAID_VENDOR} on the merchant API; kiosk ${PREPAID_KIOSK} (prepaid-issuer: a ccTalk bill validator on a pty, a drive) issues media paid in notes`);
    const ppScene = await runPrepaidScene({
      setup: prepaidSetup, prepaid: world.center.center.module<Prepaid>(PREPAID_MODULE), center: { host: '127.0.0.1', port: world.center.center.address.port },
      world: world.world, roles, signal: d.signal,
      masterKey: world.world.masterKey, merchantApiUrl, clock, log: world.log.child({ part: 'prepaid' }), onEvent: (e) => d.out(prepaidEventLine(e)),
    });
    try {
      prepaidEvents = ppScene.events;
      const pp = await summarizePrepaid(ppScene, { storage: world.center.storage });
      const checks = [...summary.checks, ...pp.checks];
      summary = { ...summary, prepaid: pp, checks, ok: checks.every((c) => c.ok) };
    } finally {
      await ppScene.close();
    }
  } finally {
    // Also on interruption: nothing the run started may outlive it.
    shutdown = await world.close();
  }
  const elapsedMs = clock.monoMs() - t0;
  summaryLines(summary, elapsedMs).forEach((l) => d.out(l));
  if (shutdown.length > 0) d.out(`shutdown: ${shutdown.join(', ')}`);
  const failures = [...new Set(summary.checks.filter((c) => !c.ok).map((c) => c.code))];
  return { ok: summary.ok, seed: o.seed, runDir: run.path, elapsedMs, summary, failures, shutdown, events, voucherEvents, passwordEvents, prepaidEvents };
}

function checkOptions(o: DemoOptions): void {
  if (!Number.isSafeInteger(o.users) || o.users < DEMO_LIMITS.usersMin || o.users > DEMO_LIMITS.usersMax) {
    throw new TesseraError('DEMO_BAD_OPTION', `users must be ${DEMO_LIMITS.usersMin}-${DEMO_LIMITS.usersMax}`, { users: o.users });
  }
  if (!Number.isSafeInteger(o.seed) || o.seed < 0 || o.seed > 0xffff_ffff) throw new TesseraError('DEMO_BAD_OPTION', 'seed must be an integer 0-4294967295', { seed: o.seed });
}

function setupLines(world: DemoWorld, cast: DemoCast): string[] {
  const info = world.sim.info();
  const banks = [...world.banks.byCode.values()].map((b) => `${b.host.bankCode} ${b.host.name} (HTTP :${b.http?.address.port})`).join(', ');
  const c = world.center;
  const sync = c.pragmas.synchronous === 2 ? 'FULL' : String(c.pragmas.synchronous);
  const fleet = [...world.fleet.values()].map((t) => `${t.spec.terminalId} ${t.spec.role}${devicesOf(t.spec)}`).join(', ');
  return [
    `  simulator    pcscd (${info.pcscdIsolation}${world.sim.pcscd.nodelay ? '' : ', no Nagle shim: ~44 ms per APDU'}) with ${info.readers.length} vpcd readers; ${cast.users.length * 2} cards (a bank cash card and a purse card per user); ${plural(info.scanners.length, 'barcode scanner')} on socat ptys; ${plural(world.drives.size, 'drive')} with a medium`,
    `  banks        ${banks} behind the relay`,
    `  center       :${c.center.address.port} SQLite ${c.pragmas.journalMode.toUpperCase()} synchronous=${sync}, e-money, voucher, settlement-password and prepaid flows`,
    `  fleet        ${fleet}`,
    `  log          ${world.logFile}`,
    `run (${formatSeconds(0)} = first step)`,
  ];
}

/** ` (scanner, medium)`: what a terminal has besides its card reader. */
function devicesOf(spec: TerminalSpec): string {
  const extra = [spec.scanner !== undefined ? 'scanner' : null, spec.storeMountDir !== undefined ? 'medium' : null].filter((x) => x !== null);
  return extra.length > 0 ? ` (${extra.join(', ')})` : '';
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
