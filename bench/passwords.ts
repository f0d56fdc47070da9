/**
 * `npm run bench -- passwords [--json] [--duration S] [--in-flight N] [--phones N] [--no-postgres]`
 *
 * Issue 14's figures, every baseline measured in the same run on the same
 * storage engine:
 *  - issue through delivery: --in-flight issuers each calling
 *    Passwords.issue (the passwords module opened by startCenter as
 *    `tessera center` runs it: request checks, a fresh code, Ed25519-signed
 *    terms, the password row, the ISSUE ledger move and the message queued
 *    in the same unit, TransactionalPasswordDelivery) and then waiting until
 *    the password is delivered: the delivery queue's sweep (every 10 ms)
 *    claims it, the SMPP client submits it to the simulated SMSC
 *    (sim/smsc/, in this process, on loopback), the SMSC delivers it to a
 *    simulated phone (sim/phone/, --phones of them, each bound over SMPP and
 *    storing what it receives in its 0600 file), the SMSC's DELIVRD receipt
 *    comes back, and the receipt's unit marks the delivery delivered and the
 *    password spendable (Passwords.outcomeIn). issuePerSec counts passwords
 *    delivered per second; issueP99Ms is issue() called → password
 *    spendable; issueCallP99Ms is the issue() call alone (commit of the
 *    issue and its queued message);
 *  - redemption: --in-flight shops each spending its own passwords (codes
 *    read from the phones' stores) with Passwords.redeem and capture (code
 *    lookup by keyed hash, lockout check, the password row under lock, the
 *    redemption row, RESERVE + CAPTURE ledger moves, one unit each);
 *  - the raw group-commit rate of the same storage (bench/_commit.ts), as
 *    many units in flight: issueToRawRatio and redeemToRawRatio say what
 *    share of the engine's commit rate each flow keeps;
 *  - both on SQLite (a file, WAL, synchronous=FULL) and on a PostgreSQL 15
 *    server this bench starts itself the way the test harness does
 *    (fsync=off there: CPU and round trips, not a disk); --no-postgres or
 *    no binaries: skipped, the JSON says `postgres: "skipped ..."`.
 * Each engine ends with the ledger audit (the passwords module's checks
 * included): auditOk.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { auditLedger } from '../center/ledger/audit.js';
import { PASSWORDS_AUDIT } from '../center/passwords/audit-check.js';
import { passwordDeliveryFactory } from '../center/passwords/delivery/password-delivery.js';
import type { DeliveryEvent } from '../center/passwords/delivery/service.js';
import { PASSWORDS_MODULE, passwordsModule } from '../center/passwords/module.js';
import type { Passwords } from '../center/passwords/passwords.js';
import { parseCenterConfig } from '../center/server/config.js';
import { startCenter } from '../center/server/start-center.js';
import { openStorage } from '../center/storage/open.js';
import type { Storage } from '../center/storage/types.js';
import { validityModule } from '../center/validity/module.js';
import { systemClock } from '../core/clock.js';
import { errorCode } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { systemRandom } from '../core/random.js';
import { startPhone, type RunningPhone } from '../sim/phone/phone.js';
import { startSmsc, type Smsc } from '../sim/smsc/smsc.js';
import startPostgres from '../test/support/postgres-global.js';
import { rawCommitRate, round, withBatchSizes } from './_commit.js';
import { percentileMs } from './voucher.js';

const ISSUER = 'CREDIT-BENCH';
/** Each password's value: 4,000 sales of 100 (the redemption phase spends the passwords the issue phase delivered). */
const VALUE = 400_000;
const SALE = 100;
const WARMUP_PER_WORKER = 3;
const SMPP_SYSTEM_ID = 'tessera';

interface Options {
  durationS: number;
  inFlight: number;
  phones: number;
  postgres: boolean;
}

function parseOptions(args: string[]): Options {
  const num = (name: string, dflt: number, min: number): number => {
    const i = args.indexOf(`--${name}`);
    const v = i >= 0 ? Number(args[i + 1]) : dflt;
    if (!Number.isFinite(v) || v < min) throw new Error(`--${name} needs a number >= ${min}`);
    return v;
  };
  return { durationS: num('duration', 2, 0.1), inFlight: Math.floor(num('in-flight', 16, 1)), phones: Math.floor(num('phones', 4, 1)), postgres: !args.includes('--no-postgres') };
}

export interface PasswordFigures {
  readonly engine: 'sqlite' | 'postgres';
  readonly issuePerSec: number;
  readonly issueP50Ms: number;
  readonly issueP99Ms: number;
  readonly issueCallP99Ms: number;
  readonly issued: number;
  readonly failedIssues: number;
  readonly redeemPerSec: number;
  readonly redeemP50Ms: number;
  readonly redeemP99Ms: number;
  readonly redemptions: number;
  readonly failedRedemptions: number;
  readonly redeemUnitsPerCommit: number;
  readonly rawCommitPerSec: number;
  readonly rawUnitsPerCommit: number;
  readonly issueToRawRatio: number;
  readonly redeemToRawRatio: number;
  /** SMS the SMSC accepted during the issue phase and its warm-up = passwords issued (nothing sent twice, nothing lost). */
  readonly smsSubmitted: number;
  readonly auditOk: boolean;
}

interface World {
  pw: Passwords;
  phones: RunningPhone[];
  msisdns: string[];
  smsc: Smsc;
  submitted: () => number;
  /** Resolves when the delivery of `id` is delivered (or failed: rejects). */
  delivered(id: string): Promise<void>;
  close(): Promise<void>;
}

async function openWorld(storage: Storage, dir: string, o: Options): Promise<World> {
  const engineDir = join(dir, storage.engine);
  mkdirSync(engineDir, { recursive: true, mode: 0o700 });
  const smppPassword = 'bench-pw';
  const passwordFile = join(engineDir, 'smpp.pw');
  writeFileSync(passwordFile, `${smppPassword}\n`, { mode: 0o600 });
  const msisdns = Array.from({ length: o.phones }, (_, i) => `8190000${String(i).padStart(5, '0')}`);
  let submitted = 0;
  const smsc = await startSmsc({
    host: '127.0.0.1', port: 0, accounts: [{ systemId: SMPP_SYSTEM_ID, password: smppPassword }], phones: msisdns, holdMs: 30_000,
    onEvent: (e) => {
      if (e.event === 'submitted') submitted++;
    },
  });
  const phones: RunningPhone[] = [];
  for (const [i, msisdn] of msisdns.entries()) {
    const phoneDir = join(engineDir, `phone-${i}`);
    mkdirSync(phoneDir, { recursive: true, mode: 0o700 });
    let attached!: () => void;
    const ready = new Promise<void>((r) => (attached = r));
    phones.push(await startPhone({ msisdn, dir: phoneDir, smsc: { host: '127.0.0.1', port: smsc.address.port }, pollMs: 1_000, reattachMsMax: 500, onEvent: (e) => e.event === 'attached' && attached() }));
    await ready;
  }
  const done = new Map<string, 'delivered' | 'failed'>();
  const waiters = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const onEvent = (e: DeliveryEvent): void => {
    if (e.state !== 'delivered' && e.state !== 'failed') return;
    done.set(e.id, e.state);
    const w = waiters.get(e.id);
    if (!w) return;
    waiters.delete(e.id);
    if (e.state === 'delivered') w.resolve();
    else w.reject(new Error(`delivery failed: ${e.code}`));
  };
  const keyFile = join(engineDir, 'master.key');
  writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const delivery = passwordDeliveryFactory(
    { smpp: { host: '127.0.0.1', port: smsc.address.port, systemId: SMPP_SYSTEM_ID, passwordFile }, sweepIntervalMs: 10, backoffMsBase: 100 },
    { storage, clock: systemClock, random: systemRandom, log: silentLogger, onEvent },
  );
  const modules = [validityModule(), passwordsModule({ secrets: { ttpSeed: randomBytes(32), issuers: [ISSUER] }, delivery, sweepIntervalMs: null })];
  const config = parseCenterConfig({ listen: { host: '127.0.0.1', port: 0 }, terminalKeys: { masterKeyFile: keyFile } }, modules);
  const center = await startCenter(config, modules, { storage, log: silentLogger });
  return {
    pw: center.module<Passwords>(PASSWORDS_MODULE),
    phones,
    msisdns,
    smsc,
    submitted: () => submitted,
    delivered: (id) => {
      const state = done.get(id);
      if (state === 'delivered') return Promise.resolve();
      if (state === 'failed') return Promise.reject(new Error('delivery failed'));
      return new Promise((resolve, reject) => waiters.set(id, { resolve, reject }));
    },
    close: async () => {
      await center.close();
      for (const p of phones) await p.close();
      await smsc.close();
    },
  };
}

interface IssuePhase {
  throughMs: number[];
  callMs: number[];
  ids: string[];
  failed: number;
  firstError: string | null;
  seconds: number;
}

async function issuePhase(w: World, o: { inFlight: number; seconds?: number; countPerWorker?: number; tag: string }): Promise<IssuePhase> {
  const p: IssuePhase = { throughMs: [], callMs: [], ids: [], failed: 0, firstError: null, seconds: 0 };
  const endMs = performance.now() + (o.seconds ?? 0) * 1000;
  const more = (n: number): boolean => (o.countPerWorker !== undefined ? n < o.countPerWorker : performance.now() < endMs);
  const worker = async (k: number): Promise<void> => {
    for (let n = 0; more(n); n++) {
      const t0 = performance.now();
      try {
        const a = await w.pw.issue({
          issuer: ISSUER, requestId: `${o.tag}-${k}-${n}`, amountMinor: VALUE, currency: 'JPY', partial: true, binding: 'bearer', channel: 'sms', address: w.msisdns[(k + n) % w.msisdns.length]!,
        });
        p.callMs.push(performance.now() - t0);
        await w.delivered(a.passwordId);
        p.throughMs.push(performance.now() - t0);
        p.ids.push(a.passwordId);
      } catch (e) {
        p.failed++;
        p.firstError ??= errorCode(e);
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: o.inFlight }, (_, k) => worker(k)));
  p.seconds = (performance.now() - t0) / 1000;
  return p;
}

interface RedeemPhase {
  samplesMs: number[];
  done: number;
  failed: number;
  firstError: string | null;
  seconds: number;
}

/** Every worker spends its own codes (no two shops on one password: the figure is the engine's, not a row lock's queue). */
async function redeemPhase(w: World, codes: string[][], o: { seconds?: number; countPerWorker?: number; tag: string }): Promise<RedeemPhase> {
  const p: RedeemPhase = { samplesMs: [], done: 0, failed: 0, firstError: null, seconds: 0 };
  const endMs = performance.now() + (o.seconds ?? 0) * 1000;
  const more = (n: number): boolean => (o.countPerWorker !== undefined ? n < o.countPerWorker : performance.now() < endMs);
  const worker = async (mine: string[], k: number): Promise<void> => {
    for (let n = 0; more(n) && mine.length > 0; n++) {
      const t0 = performance.now();
      try {
        await w.pw.redeem({ merchantId: `m-bench-${k}`, shopId: `SHOP-${k}` }, { requestId: `${o.tag}-${k}-${n}`, presented: { code: mine[n % mine.length]! }, amountMinor: SALE, currency: 'JPY', capture: true });
        p.samplesMs.push(performance.now() - t0);
        p.done++;
      } catch (e) {
        p.failed++;
        p.firstError ??= errorCode(e);
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(codes.map(worker));
  p.seconds = (performance.now() - t0) / 1000;
  return p;
}

export async function passwordsBench(storage: Storage, dir: string, o: Options, report: (line: string) => void): Promise<PasswordFigures> {
  const engine = storage.engine;
  const w = await openWorld(storage, dir, o);
  try {
    const warm = await issuePhase(w, { inFlight: o.inFlight, countPerWorker: WARMUP_PER_WORKER, tag: 'warm' });
    if (warm.failed > 0) throw new Error(`${engine}: the warm-up issues failed (${warm.firstError})`);
    report(`${engine}: Passwords.issue → SMPP → SMSC → phone → DELIVRD receipt → spendable, ${o.inFlight} in flight, ${o.phones} phones, ${o.durationS} s ...`);
    const issued = await issuePhase(w, { inFlight: o.inFlight, seconds: o.durationS, tag: 'run' });
    const submitted = w.submitted();

    // The codes as the phones received them; each shop spends the passwords of its own share.
    const byRef = new Map<string, string>();
    for (const ph of w.phones) for (const m of ph.store.messages) if (m.ref && m.code) byRef.set(m.ref, m.code);
    const all = [...warm.ids, ...issued.ids].map((id) => byRef.get(id)).filter((c): c is string => c !== undefined);
    if (all.length < o.inFlight) throw new Error(`${engine}: only ${all.length} codes on the phones for ${o.inFlight} shops`);
    const codes = Array.from({ length: o.inFlight }, (_, k) => all.filter((_, i) => i % o.inFlight === k));
    const warmR = await redeemPhase(w, codes, { countPerWorker: WARMUP_PER_WORKER, tag: 'warm' });
    if (warmR.failed > 0) throw new Error(`${engine}: the warm-up redemptions failed (${warmR.firstError})`);
    report(`${engine}: Passwords.redeem with capture, ${o.inFlight} shops in flight, ${o.durationS} s ...`);
    const redeemed = await withBatchSizes(storage, () => redeemPhase(w, codes, { seconds: o.durationS, tag: 'run' }));
    report(`${engine}: raw group commit, storage.transact with one insert, ${o.inFlight} units in flight, ${o.durationS} s ...`);
    const raw = await withBatchSizes(storage, () => rawCommitRate(storage, o.inFlight, o.durationS, 'bench_passwords_raw'));
    const audit = await auditLedger(storage, [PASSWORDS_AUDIT]);
    const rawCommitPerSec = Math.round(raw.value);
    const issuePerSec = round(issued.ids.length / issued.seconds);
    const r = redeemed.value;
    const redeemPerSec = Math.round(r.done / r.seconds);
    const f: PasswordFigures = {
      engine,
      issuePerSec,
      issueP50Ms: percentileMs(issued.throughMs, 0.5),
      issueP99Ms: percentileMs(issued.throughMs, 0.99),
      issueCallP99Ms: percentileMs(issued.callMs, 0.99),
      issued: issued.ids.length,
      failedIssues: issued.failed,
      redeemPerSec,
      redeemP50Ms: percentileMs(r.samplesMs, 0.5),
      redeemP99Ms: percentileMs(r.samplesMs, 0.99),
      redemptions: r.done,
      failedRedemptions: r.failed,
      redeemUnitsPerCommit: redeemed.unitsPerBatch,
      rawCommitPerSec,
      rawUnitsPerCommit: raw.unitsPerBatch,
      issueToRawRatio: round(issuePerSec / Math.max(1, rawCommitPerSec)),
      redeemToRawRatio: round(redeemPerSec / Math.max(1, rawCommitPerSec)),
      smsSubmitted: submitted,
      auditOk: audit.checks.every((c) => c.ok),
    };
    report(`${engine}: issue through delivery ${f.issuePerSec}/s (p50 ${f.issueP50Ms} ms, p99 ${f.issueP99Ms} ms; the issue call alone p99 ${f.issueCallP99Ms} ms), ${f.issued} delivered, ${f.smsSubmitted} SMS submitted in all`);
    report(`${engine}: redeem ${f.redeemPerSec}/s (p50 ${f.redeemP50Ms} ms, p99 ${f.redeemP99Ms} ms, ${f.redeemUnitsPerCommit} units per commit) against raw commit ${f.rawCommitPerSec} units/s: issue ${f.issueToRawRatio}x, redeem ${f.redeemToRawRatio}x; audit ${f.auditOk ? 'ok' : 'FAILED'}`);
    if (issued.failed > 0) report(`WARNING: ${engine}: ${issued.failed} issues failed (first: ${issued.firstError})`);
    if (r.failed > 0) report(`WARNING: ${engine}: ${r.failed} redemptions failed (first: ${r.firstError})`);
    if (submitted !== warm.ids.length + issued.ids.length) report(`WARNING: ${engine}: ${submitted} SMS submitted for ${warm.ids.length + issued.ids.length} passwords`);
    return f;
  } finally {
    await w.close();
  }
}

async function openPostgres(): Promise<{ storage: Storage; close: () => Promise<void> } | null> {
  let url = '';
  const stop = await startPostgres({ provide: (_k: string, v: string) => void (url = v) } as never);
  if (!url) return null;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('CREATE DATABASE bench_passwords');
  await admin.end();
  const storage = await openStorage({ engine: 'postgres', url: url.replace(/\/postgres$/, '/bench_passwords') });
  return {
    storage,
    close: async () => {
      await storage.close();
      await stop?.();
    },
  };
}

function engineKeys(f: PasswordFigures, suffix: 'Sqlite' | 'Postgres'): Record<string, number | boolean> {
  const keys = ['issuePerSec', 'issueP50Ms', 'issueP99Ms', 'issueCallP99Ms', 'redeemPerSec', 'redeemP50Ms', 'redeemP99Ms', 'rawCommitPerSec', 'issueToRawRatio', 'redeemToRawRatio', 'issued', 'redemptions', 'failedIssues', 'failedRedemptions', 'auditOk'] as const;
  return Object.fromEntries(keys.map((k) => [`${k}${suffix}`, f[k]]));
}

export async function run(args: string[], report: (line: string) => void): Promise<Record<string, unknown>> {
  const o = parseOptions(args);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-passwords-'));
  report(`passwords bench: ${o.inFlight} in flight, ${o.durationS} s per phase, passwords of ${VALUE} spent ${SALE} at a time`);
  try {
    const sqliteStorage = await openStorage({ engine: 'sqlite', path: join(dir, 'center.db') });
    let sqlite: PasswordFigures;
    try {
      sqlite = await passwordsBench(sqliteStorage, dir, o, report);
    } finally {
      await sqliteStorage.close();
    }
    let postgres: PasswordFigures | string;
    const pgStore = o.postgres ? await openPostgres() : null;
    if (!pgStore) {
      postgres = o.postgres ? 'skipped: the PostgreSQL 15 binaries are not installed (npm run sysdeps)' : 'skipped: --no-postgres';
      report(`postgres: ${postgres}`);
    } else {
      try {
        postgres = await passwordsBench(pgStore.storage, dir, o, report);
      } finally {
        await pgStore.close();
      }
    }
    return {
      suite: 'passwords',
      durationS: o.durationS,
      inFlight: o.inFlight,
      phones: o.phones,
      ...engineKeys(sqlite, 'Sqlite'),
      ...(typeof postgres === 'string' ? { postgres } : engineKeys(postgres, 'Postgres')),
      failedIssues: sqlite.failedIssues + (typeof postgres === 'string' ? 0 : postgres.failedIssues),
      failedRedemptions: sqlite.failedRedemptions + (typeof postgres === 'string' ? 0 : postgres.failedRedemptions),
      auditOk: sqlite.auditOk && (typeof postgres === 'string' || postgres.auditOk),
      engines: { sqlite, ...(typeof postgres !== 'string' && { postgres }) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
