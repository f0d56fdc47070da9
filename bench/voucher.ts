/**
 * `npm run bench -- voucher [--json] [--duration S] [--in-flight N] [--amount MINOR] [--activations N] [--no-postgres]`
 *
 * Issue 12's figures, every baseline measured in the same run on the same
 * storage engine:
 *  - redemptions through the settlement center's VoucherApi.redeem with
 *    capture (the voucher module opened by startCenter beside the validity
 *    module, as `tessera center` runs it: PIN hash lookup, validity gate,
 *    lockout check, card rows, two ledger moves, one group-committed unit
 *    each): redemptions/s and p50/p99 with --in-flight redemptions
 *    outstanding (default 16), one PIN each, every worker spending its own
 *    cards (no two workers on one card: the figure is the engine's, not a
 *    lock queue's);
 *  - the raw group-commit rate of the same storage (bench/_commit.ts:
 *    storage.transact with one trivial insert per unit, as many units in
 *    flight): redeemToRawRatio says what share of the engine's commit
 *    rate a redemption keeps;
 *  - both on SQLite (a file, WAL, synchronous=FULL: the center's defaults)
 *    and on a PostgreSQL 15 server this bench starts itself the way the
 *    test harness does (test/support/postgres-global.ts; fsync=off there,
 *    so its figures are CPU and round trips, not a disk: the raw rate is
 *    measured on that same server). Without the PostgreSQL binaries (or
 *    with --no-postgres) the PostgreSQL figures are skipped with a line
 *    saying so, and the JSON says `postgres: "skipped ..."`;
 *  - activations end to end through an HQ: --in-flight tills (LinkClient
 *    terminals, the terminal protocol's VOUCHER_ACTIVATE) → the HQ (startCenter
 *    with the validity and hq modules, as `tessera hq serve`, its own SQLite:
 *    journal first, then forward) → the settlement center's HQ link
 *    (Ed25519-signed HTTP on loopback, hqLinkModule) → VoucherApi.activate
 *    on the center's SQLite → back; activations/s and p50/p99 measured at
 *    the till, --activations in all (default 200).
 *
 * Each phase lasts --duration seconds (default 2) after a warm-up (a few
 * redemptions per worker, not counted). Latencies are per call, measured
 * around the awaited call (performance.now), in milliseconds.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { parseCenterConfig } from '../center/server/config.js';
import { startCenter } from '../center/server/start-center.js';
import { openStorage } from '../center/storage/open.js';
import type { Storage } from '../center/storage/types.js';
import { validityModule } from '../center/validity/module.js';
import type { PrintableCard, RedeemSource, VoucherApi } from '../center/voucher/api.js';
import { VOUCHER_LIMITS } from '../center/voucher/limits.js';
import { VOUCHER_MODULE, voucherModule } from '../center/voucher/module.js';
import { hqModule } from '../center/hq/module.js';
import { deriveTerminalKey } from '../center/server/terminal-keys.js';
import { ValidityRepository } from '../center/validity/repository.js';
import { HQ_LINK_MODULE, hqLinkModule, type HqLinkApi } from '../center/voucher/hq-link-module.js';
import { seqOf, serialOf } from '../center/voucher/serial.js';
import { errorCode } from '../core/errors.js';
import { STATUS } from '../protocol/codes.js';
import { LinkClient } from '../terminal/link/link-client.js';
import { silentLogger } from '../core/log.js';
import startPostgres from '../test/support/postgres-global.js';
import { rawCommitRate, round, withBatchSizes } from './_commit.js';

const HQ = 'HQ-BENCH';
/**
 * Variable-load cards loaded to the top (VOUCHER_LIMITS.loadMinorMax): 500
 * redemptions of 100 each, so the stock sold before the phases stays small
 * (a redemption's cost does not depend on its amount).
 */
const LOAD = VOUCHER_LIMITS.loadMinorMax;
/** The redemption rate the card stock is sized for (per engine); a faster engine runs out of cards and the bench says so. */
const RATE_SIZED_FOR = 5_000;
/** Redemptions per worker before the measured phase (not counted). */
const WARMUP_PER_WORKER = 5;
const SOURCE: RedeemSource = { merchantId: 'm_bench_shop', keyId: 'key_bench', address: '127.0.0.1' };

interface Options {
  durationS: number;
  inFlight: number;
  amount: number;
  activations: number;
  postgres: boolean;
}

function parseOptions(args: string[]): Options {
  const num = (name: string, dflt: number, min: number): number => {
    const i = args.indexOf(`--${name}`);
    const v = i >= 0 ? Number(args[i + 1]) : dflt;
    if (!Number.isFinite(v) || v < min) throw new Error(`--${name} needs a number >= ${min}`);
    return v;
  };
  const amount = Math.floor(num('amount', 100, 1));
  if (amount > LOAD) throw new Error(`--amount at most ${LOAD} (the cards' load)`);
  return {
    durationS: num('duration', 2, 0.1),
    inFlight: Math.floor(num('in-flight', 16, 1)),
    amount,
    activations: Math.floor(num('activations', 200, 1)),
    postgres: !args.includes('--no-postgres'),
  };
}

/** The p-th percentile (0..1) of samples in ms, rounded to 0.01 ms. */
export function percentileMs(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const s = [...samples].sort((a, b) => a - b);
  return round(s[Math.min(s.length - 1, Math.floor(p * s.length))]!);
}

export interface RedeemFigures {
  readonly engine: 'sqlite' | 'postgres';
  readonly redeemPerSec: number;
  readonly redeemP50Ms: number;
  readonly redeemP99Ms: number;
  readonly redemptions: number;
  readonly failed: number;
  /** A worker ran out of cards before the phase ended (the stock is sized for RATE_SIZED_FOR/s). */
  readonly cardsExhausted: boolean;
  readonly unitsPerCommit: number;
  readonly committerBusy: number;
  readonly rawCommitPerSec: number;
  readonly rawUnitsPerCommit: number;
  readonly redeemToRawRatio: number;
  /** Captured redemptions the center holds at the end = redemptions counted here (nothing lost, nothing doubled). */
  readonly capturedInCenter: number;
}

/** One center (validity + voucher modules) on `storage`, its listener on a free loopback port. */
async function openVoucherCenter(storage: Storage, dir: string): Promise<{ api: VoucherApi; close: () => Promise<void> }> {
  const keyFile = join(dir, `master-${storage.engine}.key`);
  writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const modules = [validityModule(), voucherModule({ pinKey: randomBytes(32), sweepIntervalMs: null })];
  const config = parseCenterConfig({ listen: { host: '127.0.0.1', port: 0 }, terminalKeys: { masterKeyFile: keyFile } }, modules);
  const center = await startCenter(config, modules, { storage, log: silentLogger });
  return { api: center.module<VoucherApi>(VOUCHER_MODULE), close: () => center.close() };
}

/** `count` cards of one batch, sold (activated) at the HQ's store, `inFlight` activations at a time; their PINs. */
async function sellStock(api: VoucherApi, count: number, inFlight: number): Promise<PrintableCard[]> {
  await api.registerHq(HQ, { commissionBp: 250 });
  const cards: PrintableCard[] = [];
  for (let left = count; left > 0; ) {
    const n = Math.min(left, 10_000);
    const batch = await api.issueBatch({ hqId: HQ, maxLoad: LOAD, count: n });
    cards.push(...(await api.takeForPrinting(batch.batchId)));
    left -= n;
  }
  let next = 0;
  const seller = async (): Promise<void> => {
    for (let i = next++; i < cards.length; i = next++) {
      const c = cards[i]!;
      await api.activate({ requestId: `bench-act-${i}`, hqId: HQ, storeId: 'S-BENCH', terminalId: 'POS-BENCH', serial: c.serial, amount: LOAD, currency: c.currency });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, seller));
  return cards;
}

interface Phase {
  samplesMs: number[];
  done: number;
  failed: number;
  firstError: string | null;
  exhausted: boolean;
  seconds: number;
}

/**
 * `inFlight` workers, each spending its own cards (`perCard` redemptions
 * each), for `seconds` (or `countPerWorker` redemptions when given).
 */
async function redeemPhase(api: VoucherApi, queues: PrintableCard[][], o: { amount: number; perCard: number; seconds?: number; countPerWorker?: number; tag: string }): Promise<Phase> {
  const p: Phase = { samplesMs: [], done: 0, failed: 0, firstError: null, exhausted: false, seconds: 0 };
  const endMs = performance.now() + (o.seconds ?? 0) * 1000;
  const more = (n: number): boolean => (o.countPerWorker !== undefined ? n < o.countPerWorker : performance.now() < endMs);
  const worker = async (queue: PrintableCard[], w: number): Promise<void> => {
    for (let n = 0, used = 0; more(n); n++) {
      const card = queue[0];
      if (!card) {
        p.exhausted = true;
        return;
      }
      const t0 = performance.now();
      try {
        await api.redeem({ source: SOURCE, redemptionKey: `${o.tag}-${w}-${n}`, pins: [card.pin], amount: o.amount, currency: card.currency, orderRef: `order-${o.tag}-${w}-${n}`, capture: true });
        p.samplesMs.push(performance.now() - t0);
        p.done++;
      } catch (e) {
        p.failed++;
        p.firstError ??= errorCode(e);
      }
      if (++used >= o.perCard) {
        queue.shift();
        used = 0;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(queues.map(worker));
  p.seconds = (performance.now() - t0) / 1000;
  return p;
}

async function capturedCount(storage: Storage): Promise<number> {
  const row = await storage.read((q) => q.get<{ n: number }>("SELECT COUNT(*) AS n FROM voucher_redemptions WHERE state = 'captured'"));
  return Number(row?.n ?? 0);
}

/** The redemption and raw commit figures of one engine. */
export async function redeemBench(storage: Storage, dir: string, o: Options, report: (line: string) => void): Promise<RedeemFigures> {
  const engine = storage.engine;
  const center = await openVoucherCenter(storage, dir);
  try {
    const perCard = Math.floor(LOAD / o.amount);
    const needed = o.inFlight * WARMUP_PER_WORKER + Math.ceil(RATE_SIZED_FOR * o.durationS);
    const perWorker = Math.max(1, Math.ceil(needed / perCard / o.inFlight));
    const setup0 = performance.now();
    const cards = await sellStock(center.api, perWorker * o.inFlight, o.inFlight);
    report(`${engine}: ${cards.length} cards loaded with ${LOAD} issued and sold in ${Math.round(performance.now() - setup0)} ms; ${perCard} redemptions of ${o.amount} per card`);
    const queues = Array.from({ length: o.inFlight }, (_, w) => cards.slice(w * perWorker, (w + 1) * perWorker));
    const warm = await redeemPhase(center.api, queues, { amount: o.amount, perCard, countPerWorker: WARMUP_PER_WORKER, tag: 'warm' });
    if (warm.failed > 0) throw new Error(`${engine}: the warm-up redemptions failed (${warm.firstError})`);
    const before = await capturedCount(storage);
    report(`${engine}: VoucherApi.redeem with capture, ${o.inFlight} in flight, ${o.durationS} s ...`);
    const measured = await withBatchSizes(storage, () => redeemPhase(center.api, queues, { amount: o.amount, perCard, seconds: o.durationS, tag: 'run' }));
    const phase = measured.value;
    const capturedInCenter = (await capturedCount(storage)) - before;
    report(`${engine}: raw group commit, storage.transact with one insert, ${o.inFlight} units in flight, ${o.durationS} s ...`);
    const raw = await withBatchSizes(storage, () => rawCommitRate(storage, o.inFlight, o.durationS, 'bench_voucher_raw'));
    const redeemPerSec = Math.round(phase.done / phase.seconds);
    const rawCommitPerSec = Math.round(raw.value);
    const f: RedeemFigures = {
      engine,
      redeemPerSec,
      redeemP50Ms: percentileMs(phase.samplesMs, 0.5),
      redeemP99Ms: percentileMs(phase.samplesMs, 0.99),
      redemptions: phase.done,
      failed: phase.failed,
      cardsExhausted: phase.exhausted,
      unitsPerCommit: measured.unitsPerBatch,
      committerBusy: measured.committerBusy,
      rawCommitPerSec,
      rawUnitsPerCommit: raw.unitsPerBatch,
      redeemToRawRatio: round(redeemPerSec / Math.max(1, rawCommitPerSec)),
      capturedInCenter,
    };
    report(
      `${engine}: redeem ${f.redeemPerSec}/s (p50 ${f.redeemP50Ms} ms, p99 ${f.redeemP99Ms} ms, ${f.unitsPerCommit} units per commit, committer busy ${f.committerBusy}) = ${f.redeemToRawRatio}x raw commit ${f.rawCommitPerSec} units/s (${f.rawUnitsPerCommit} units per commit)`,
    );
    if (phase.failed > 0) report(`WARNING: ${engine}: ${phase.failed} redemptions failed (first: ${phase.firstError}): the figures are suspect`);
    if (phase.exhausted) report(`WARNING: ${engine}: a worker ran out of cards before the phase ended (stock sized for ${RATE_SIZED_FOR}/s): the rate is a lower bound`);
    if (capturedInCenter !== phase.done) report(`WARNING: ${engine}: the center holds ${capturedInCenter} captured redemptions for ${phase.done} answered`);
    return f;
  } finally {
    await center.close();
  }
}

export interface ActivationFigures {
  readonly activationsPerSec: number;
  readonly activationP50Ms: number;
  readonly activationP99Ms: number;
  readonly activations: number;
  readonly failed: number;
  /** Cards the center holds active at the end = activations answered approved. */
  readonly activeInCenter: number;
}

/**
 * Activations end to end: tills → HQ → center, each on its own SQLite, the
 * HQ link signed and verified. Measured at the till from VOUCHER_ACTIVATE
 * sent to VOUCHER_RESULT received.
 */
export async function activationBench(dir: string, o: Options, report: (line: string) => void): Promise<ActivationFigures> {
  const hqId = 'HQ-BENCH';
  const write = (name: string, data: string | Buffer, mode = 0o600): string => {
    const path = join(dir, name);
    writeFileSync(path, data, { mode });
    return path;
  };
  const masterKey = randomBytes(32);
  const masterKeyFile = write('act-master.key', masterKey.toString('hex'));
  const pinKeyFile = write('act-pin.key', randomBytes(32));
  const pair = generateKeyPairSync('ed25519');
  const hqKeyFile = write('hq-signing.key', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const publicKeyFile = write('hq-signing.pub', pair.publicKey.export({ type: 'spki', format: 'pem' }), 0o644);
  const tills = Array.from({ length: o.inFlight }, (_, i) => `POS-B${i}`);
  const warmup = tills.length;
  const centerStorage = await openStorage({ engine: 'sqlite', path: join(dir, 'act-center.db') });
  const hqStorage = await openStorage({ engine: 'sqlite', path: join(dir, 'act-hq.db') });
  const closers: Array<() => Promise<unknown>> = [() => hqStorage.close(), () => centerStorage.close()];
  try {
    const centerModules = [validityModule(), voucherModule({ sweepIntervalMs: null }), hqLinkModule()];
    const centerConfig = parseCenterConfig(
      {
        listen: { host: '127.0.0.1', port: 0 },
        terminalKeys: { masterKeyFile },
        voucher: { pinKeyFile, hqs: [{ hqId, commissionBp: 250 }] },
        hqLink: { host: '127.0.0.1', port: 0, hqs: [{ hqId, publicPemFile: publicKeyFile }] },
      },
      centerModules,
    );
    const center = await startCenter(centerConfig, centerModules, { storage: centerStorage, log: silentLogger });
    closers.unshift(() => center.close());
    const api = center.module<VoucherApi>(VOUCHER_MODULE);
    const batch = await api.issueBatch({ hqId, denomination: 1000, count: o.activations + warmup });
    const first = seqOf(batch.firstSerial);
    const serials = Array.from({ length: batch.count }, (_, i) => serialOf(first + i));

    const validity = await ValidityRepository.open(hqStorage);
    await validity.addTerminals(tills.map((id) => ({ id, ownerKind: 'store' as const, ownerId: 'S-BENCH', keyRef: `k-${id}` })));
    const hqModules = [validityModule(), hqModule()];
    const hqConfig = parseCenterConfig(
      {
        listen: { host: '127.0.0.1', port: 0 },
        terminalKeys: { masterKeyFile },
        hq: { hqId, commissionBp: 250, stores: [{ storeId: 'S-BENCH', terminals: tills }], center: { url: center.module<HqLinkApi>(HQ_LINK_MODULE).url, keyFile: hqKeyFile } },
      },
      hqModules,
    );
    const hq = await startCenter(hqConfig, hqModules, { storage: hqStorage, log: silentLogger });
    closers.unshift(() => hq.close());
    const links = tills.map((id) => new LinkClient({ terminalId: id, terminalKey: deriveTerminalKey(masterKey, `k-${id}`), centers: [{ host: '127.0.0.1', port: hq.address.port }] }));
    for (const l of links) l.start();
    closers.unshift(async () => Promise.all(links.map((l) => l.close())));

    const samplesMs: number[] = [];
    let failed = 0;
    let firstError: string | null = null;
    let next = 0;
    const sell = async (link: LinkClient, serial: string, measure: boolean): Promise<void> => {
      const t0 = performance.now();
      try {
        const r = await link.request({ type: 'voucherActivate', transactionId: randomBytes(16), serial, amountMinor: 1000, currency: 'JPY' }, { timeoutMs: 30_000, attempts: 1 });
        if (r.type !== 'voucherResult' || r.status !== STATUS.APPROVED) throw new Error(`answered ${r.type} ${'resultCode' in r ? String(r.resultCode) : ''}`);
        if (measure) samplesMs.push(performance.now() - t0);
      } catch (e) {
        failed++;
        firstError ??= e instanceof Error && !('code' in e) ? e.message : errorCode(e);
      }
    };
    // Warm-up: one sale per till (sessions up, code paths hot), not counted.
    await Promise.all(links.map((l, i) => sell(l, serials[o.activations + i]!, false)));
    if (failed > 0) throw new Error(`the warm-up activations through the HQ failed (${firstError})`);
    report(`activations through the HQ: ${tills.length} tills → HQ (SQLite) → signed HQ link → center (SQLite), ${o.activations} sales ...`);
    const t0 = performance.now();
    await Promise.all(
      links.map(async (l) => {
        for (let i = next++; i < o.activations; i = next++) await sell(l, serials[i]!, true);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const active = await centerStorage.read((q) => q.get<{ n: number }>("SELECT COUNT(*) AS n FROM voucher_cards WHERE state = 'active'"));
    const f: ActivationFigures = {
      activationsPerSec: round(samplesMs.length / seconds),
      activationP50Ms: percentileMs(samplesMs, 0.5),
      activationP99Ms: percentileMs(samplesMs, 0.99),
      activations: samplesMs.length,
      failed,
      activeInCenter: Number(active?.n ?? 0) - warmup,
    };
    report(`activations: ${f.activationsPerSec}/s (p50 ${f.activationP50Ms} ms, p99 ${f.activationP99Ms} ms) at the till, ${f.activations} approved${failed > 0 ? `, ${failed} FAILED (first: ${firstError})` : ''}`);
    return f;
  } finally {
    for (const c of closers) await c().catch(() => undefined);
  }
}

/** The bench's own PostgreSQL 15 server and a database on it, or null when the binaries are not installed. */
async function openPostgres(): Promise<{ storage: Storage; close: () => Promise<void> } | null> {
  let url = '';
  const stop = await startPostgres({ provide: (_k: string, v: string) => void (url = v) } as never);
  if (!url) return null;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('CREATE DATABASE bench_voucher');
  await admin.end();
  const storage = await openStorage({ engine: 'postgres', url: url.replace(/\/postgres$/, '/bench_voucher') });
  return {
    storage,
    close: async () => {
      await storage.close();
      await stop?.();
    },
  };
}

function engineKeys(f: RedeemFigures, suffix: 'Sqlite' | 'Postgres'): Record<string, number | boolean> {
  return {
    [`redeemPerSec${suffix}`]: f.redeemPerSec,
    [`redeemP50Ms${suffix}`]: f.redeemP50Ms,
    [`redeemP99Ms${suffix}`]: f.redeemP99Ms,
    [`rawCommitPerSec${suffix}`]: f.rawCommitPerSec,
    [`redeemToRawRatio${suffix}`]: f.redeemToRawRatio,
    [`redemptions${suffix}`]: f.redemptions,
    [`failedRedemptions${suffix}`]: f.failed,
    [`unitsPerCommit${suffix}`]: f.unitsPerCommit,
    [`rawUnitsPerCommit${suffix}`]: f.rawUnitsPerCommit,
  };
}

export async function run(args: string[], report: (line: string) => void): Promise<Record<string, unknown>> {
  const o = parseOptions(args);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-voucher-'));
  report(`voucher bench: ${o.inFlight} in flight, ${o.durationS} s per phase, one PIN loaded with ${LOAD} per redemption of ${o.amount}`);
  try {
    const sqliteStorage = await openStorage({ engine: 'sqlite', path: join(dir, 'center.db') });
    let sqlite: RedeemFigures;
    try {
      sqlite = await redeemBench(sqliteStorage, dir, o, report);
    } finally {
      await sqliteStorage.close();
    }
    let postgres: RedeemFigures | string;
    const pgStore = o.postgres ? await openPostgres() : null;
    if (!pgStore) {
      postgres = o.postgres ? 'skipped: the PostgreSQL 15 binaries are not installed (npm run sysdeps)' : 'skipped: --no-postgres';
      report(`postgres: ${postgres}`);
    } else {
      try {
        postgres = await redeemBench(pgStore.storage, dir, o, report);
      } finally {
        await pgStore.close();
      }
    }
    const act = await activationBench(dir, o, report);
    return {
      suite: 'voucher',
      durationS: o.durationS,
      inFlight: o.inFlight,
      amountMinor: o.amount,
      ...engineKeys(sqlite, 'Sqlite'),
      ...(typeof postgres === 'string' ? { postgres } : engineKeys(postgres, 'Postgres')),
      failedRedemptions: sqlite.failed + (typeof postgres === 'string' ? 0 : postgres.failed),
      activationsPerSec: act.activationsPerSec,
      activationP50Ms: act.activationP50Ms,
      activationP99Ms: act.activationP99Ms,
      activations: act.activations,
      failedActivations: act.failed,
      activeInCenter: act.activeInCenter,
      cardsExhausted: sqlite.cardsExhausted || (typeof postgres !== 'string' && postgres.cardsExhausted),
      engines: { sqlite, ...(typeof postgres !== 'string' && { postgres }) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
