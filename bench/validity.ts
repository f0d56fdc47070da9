/**
 * `npm run bench -- validity [--json] [--quick] [--think-ms N] [--sequences N] [--terminals N]`
 *
 * Real terminals' message sequence against a real center (startCenter:
 * storage → validity store → engine → TCP listener; LinkClient terminals
 * with the handshake): VALIDITY_REQUEST, then — after the ACK / EARLY_ACK —
 * the terminal's think time, then TRANSACTION_REQUEST. Every mode, on SQLite
 * (a file, WAL, synchronous=FULL) and on a PostgreSQL 15 server this bench
 * starts itself, with 0 / 2 / 10 ms of extra latency before each database
 * read of the validity check.
 *
 * ack   = validity request sent → ACK/EARLY_ACK received (terminal clock)
 * start = validity request sent → the center clears the transaction to run
 *         (onTransactionStart; same process, same clock)
 * Also: the cached lookup cost (ValidityStore.judgeMedium, ns) and the
 * media table's bytes per medium (from the table, and measured on 1 M media).
 */
import { ValidityRepository } from '../center/validity/repository.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { silentLogger } from '../core/log.js';
import { TX_KIND } from '../protocol/codes.js';
import { parseCenterConfig } from '../center/server/config.js';
import { startCenter } from '../center/server/start-center.js';
import { cashModule } from '../center/cash/module.js';
import { validityModule } from '../center/validity/module.js';
import { deriveTerminalKey } from '../center/server/terminal-keys.js';
import { openStorage } from '../center/storage/open.js';
import type { Storage } from '../center/storage/types.js';
import { VALIDITY_MODES, type ValidityMode } from '../center/validity/types.js';
import { LinkClient } from '../terminal/link/link-client.js';
import startPostgres from '../test/support/postgres-global.js';
import { delayedSource } from './_delayed-source.js';
import { lookupCost, measuredBytesPerMedium } from './_validity-lookup.js';

const EXTRA_DB_MS = [0, 2, 10] as const;
const ENGINES = ['sqlite', 'postgres'] as const;
type EngineName = (typeof ENGINES)[number];

interface Options {
  thinkMs: number;
  sequences: number;
  terminals: number;
  media: number;
  quick: boolean;
}

interface Figures {
  ackUsP50: number;
  ackUsP99: number;
  startUsP50: number;
  startUsP99: number;
}

function parseOptions(args: string[]): Options {
  const num = (name: string, dflt: number): number => {
    const i = args.indexOf(name);
    const v = i >= 0 ? Number(args[i + 1]) : dflt;
    if (!Number.isFinite(v) || v < 0) throw new Error(`${name} needs a number`);
    return v;
  };
  const quick = args.includes('--quick');
  return {
    thinkMs: num('--think-ms', 5),
    sequences: num('--sequences', quick ? 15 : 60),
    terminals: num('--terminals', 4),
    media: num('--media', quick ? 5_000 : 20_000),
    quick,
  };
}

function percentileUs(samplesMs: number[], p: number): number {
  const s = [...samplesMs].sort((a, b) => a - b);
  return Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0) * 1000);
}

const TERMINAL_ID = (i: number): string => `T-BENCH-${i}`;

/** Seeds `media` active media and the bench terminals (all valid: the benchmark times the valid path). */
async function seed(storage: Storage, media: number, terminals: number): Promise<string[]> {
  const validity = await ValidityRepository.open(storage);
  const expiresAtMs = Date.now() + 365 * 86_400_000;
  const ids: string[] = [];
  for (let done = 0; done < media; ) {
    const n = Math.min(5_000, media - done);
    const batch = Array.from({ length: n }, () => randomBytes(8).toString('hex'));
    await validity.addMedia(batch.map((id) => ({ id, expiresAtMs })));
    ids.push(...batch);
    done += n;
  }
  await validity.addTerminals(
    Array.from({ length: terminals }, (_, i) => ({ id: TERMINAL_ID(i), ownerKind: 'store' as const, ownerId: 'BENCH', keyRef: `k-${i}` })),
  );
  return ids;
}

/** One terminal's loop: request → ACK → think → transaction → result, `sequences` times. */
async function terminalLoop(
  link: LinkClient,
  terminalId: string,
  media: string[],
  o: Options,
  sent: Map<string, number>,
  ackMs: number[],
): Promise<void> {
  for (let i = 0; i < o.sequences; i++) {
    const mediumId = Buffer.from(media[Math.floor(Math.random() * media.length)] as string, 'hex');
    const txId = randomBytes(16);
    const t0 = performance.now();
    sent.set(txId.toString('hex'), t0);
    const ack = await link.request({ type: 'validityRequest', terminalId, mediumId });
    ackMs.push(performance.now() - t0);
    if (ack.type === 'validityNak') throw new Error(`bench pair refused: ${JSON.stringify(ack)}`);
    await new Promise((r) => setTimeout(r, o.thinkMs));
    const res = await link.request({ type: 'transactionRequest', transactionId: txId, kind: TX_KIND.PURCHASE, amountMinor: 100, currency: 'JPY', content: [] });
    if (res.type !== 'transactionResult' || res.status !== 0) throw new Error(`bench transaction failed: ${JSON.stringify(res)}`);
  }
}

async function runCombo(
  storage: Storage,
  mode: ValidityMode,
  extraMs: number,
  media: string[],
  keyFile: string,
  master: Buffer,
  o: Options,
): Promise<Figures & { createMs: number }> {
  const sent = new Map<string, number>();
  const startMs: number[] = [];
  const created = performance.now();
  const validity = validityModule({
    wrapSource: (s) => delayedSource(s, extraMs),
    onTransactionStart: (ctx) => {
      const t0 = sent.get(ctx.transactionId);
      if (t0 !== undefined) startMs.push(performance.now() - t0);
    },
  });
  const modules = [validity, cashModule];
  const center = await startCenter(parseCenterConfig({ listen: { port: 0 }, validity: { mode }, terminalKeys: { masterKeyFile: keyFile } }, modules), modules, {
    storage,
    log: silentLogger,
  });
  const createMs = performance.now() - created;
  const links = Array.from({ length: o.terminals }, (_, i) => {
    const l = new LinkClient({ terminalId: TERMINAL_ID(i), terminalKey: deriveTerminalKey(master, `k-${i}`), centers: [{ host: '127.0.0.1', port: center.address.port }] });
    l.start();
    return l;
  });
  try {
    // Warm-up: sessions up, code paths hot (not measured).
    const warm: number[] = [];
    await Promise.all(links.map((l, i) => terminalLoop(l, TERMINAL_ID(i), media, { ...o, sequences: 3 }, new Map(), warm)));
    const ackMs: number[] = [];
    await Promise.all(links.map((l, i) => terminalLoop(l, TERMINAL_ID(i), media, o, sent, ackMs)));
    return {
      ackUsP50: percentileUs(ackMs, 0.5),
      ackUsP99: percentileUs(ackMs, 0.99),
      startUsP50: percentileUs(startMs, 0.5),
      startUsP99: percentileUs(startMs, 0.99),
      createMs,
    };
  } finally {
    for (const l of links) await l.close();
    await center.close();
  }
}

async function openEngine(engine: EngineName, dir: string): Promise<{ storage: Storage; close: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const storage = await openStorage({ engine: 'sqlite', path: join(dir, 'bench.db') });
    return { storage, close: () => storage.close() };
  }
  let url = '';
  const stop = await startPostgres({ provide: (_k: string, v: string) => void (url = v) } as never);
  if (!url) throw new Error('PostgreSQL 15 binaries not found: run `npm run sysdeps`');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('CREATE DATABASE bench_validity');
  await admin.end();
  const storage = await openStorage({ engine: 'postgres', url: url.replace(/\/postgres$/, '/bench_validity') });
  return {
    storage,
    close: async () => {
      await storage.close();
      await stop?.();
    },
  };
}

export async function run(args: string[], report: (line: string) => void): Promise<Record<string, unknown>> {
  const o = parseOptions(args);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-validity-'));
  const master = randomBytes(32);
  const keyFile = join(dir, 'master.key');
  writeFileSync(keyFile, master.toString('hex'), { mode: 0o600 });
  report(`validity bench: ${o.terminals} terminals x ${o.sequences} sequences, think ${o.thinkMs} ms, ${o.media} media`);
  const modes: Record<string, Record<string, Record<string, Figures>>> = {};
  /** startCenter time in cached mode (+0 ms): dominated by the prefetch of both lists. */
  const prefetchMs: Record<string, number> = {};
  try {
    for (const engine of ENGINES) {
      const { storage, close } = await openEngine(engine, dir);
      try {
        const media = await seed(storage, o.media, o.terminals);
        for (const mode of VALIDITY_MODES) {
          for (const extraMs of EXTRA_DB_MS) {
            const { createMs, ...f } = await runCombo(storage, mode, extraMs, media, keyFile, master, o);
            ((modes[mode] ??= {})[engine] ??= {})[String(extraMs)] = f;
            if (mode === 'cached' && extraMs === 0) prefetchMs[engine] = Math.round(createMs);
            report(`${mode.padEnd(16)} ${engine.padEnd(9)} +${String(extraMs).padStart(2)} ms  ack p50 ${f.ackUsP50} us p99 ${f.ackUsP99} us  start p50 ${f.startUsP50} us p99 ${f.startUsP99} us`);
          }
        }
      } finally {
        await close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const lookup = await lookupCost(o.quick ? 200_000 : 1_000_000);
  report(`cached lookup p50 ${lookup.nsP50} ns over ${lookup.media} media; ${lookup.bytesPerMedium.toFixed(2)} bytes/medium in the table`);
  const measured = measuredBytesPerMedium(o.quick ? 200_000 : 1_000_000);
  report(`measured: ${measured.bytesPerMedium.toFixed(2)} bytes/medium (arrayBuffers delta, ${measured.media} media), built in ${measured.buildMs} ms`);
  return {
    modes,
    cachedLookupNsP50: lookup.nsP50,
    bytesPerMedium: Number(lookup.bytesPerMedium.toFixed(2)),
    measuredBytesPerMedium: Number(measured.bytesPerMedium.toFixed(2)),
    prefetch: { media: o.media, msByEngine: prefetchMs },
    tableBuildMsPerMillion: Math.round((measured.buildMs * 1_000_000) / measured.media),
    thinkMs: o.thinkMs,
    terminals: o.terminals,
    sequencesPerTerminal: o.sequences,
  };
}
