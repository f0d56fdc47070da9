/**
 * `npm run bench -- insertion [--json] [--insertions N] [--modes cached|all|m1,m2] [--gap-ms 500] [--seed 1]`
 *
 * Card insertion → VALIDITY ACK through the whole real stack: a virtual purse
 * card connects to vpcd (the "insertion") → our own pcscd → smartcard →
 * PcscCardReader (`inserted`) → agent (validity-pos: SELECT, READ ID) →
 * LinkClient → startCenter on SQLite → ACK / EARLY_ACK back at the agent.
 * Baseline, same run: the same VALIDITY_REQUEST over the same kind of link
 * without a card (what the center and the link cost on their own).
 * Breakdown: insertion → reader ready (pcscd/vpcd/driver), ready → ACK (card
 * APDUs + link round trip), insertion → transaction approved.
 */
import { ValidityRepository } from '../center/validity/repository.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCenterConfig } from '../center/server/config.js';
import { startCenter, type Center } from '../center/server/start-center.js';
import { CENTER_MODULES } from '../center/modules.js';
import { deriveTerminalKey } from '../center/server/terminal-keys.js';
import { openStorage } from '../center/storage/open.js';
import type { Storage } from '../center/storage/types.js';
import { VALIDITY_MODES, type ValidityMode } from '../center/validity/types.js';
import { systemClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import { SeededRandom, type Random } from '../core/random.js';
import { CardSlots } from '../sim/card/card-slots.js';
import { SimPcscd } from '../sim/pcscd/sim-pcscd.js';
import type { Agent } from '../terminal/agent/agent.js';
import { createAgent } from '../terminal/agent/create-agent.js';
import type { AgentReport } from '../terminal/agent/role.js';
import { parseTerminalConfig } from '../terminal/config/load.js';
import { LinkClient } from '../terminal/link/link-client.js';

const TERMINAL = 'BENCH-POS-1';
const BASELINE_TERMINAL = 'BENCH-LINK-1';
const CARD_ID = 'b0000000000000b1';
const ISSUER_KEY = Buffer.alloc(32, 9);

interface Stats {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  n: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => round(s[Math.floor(p * (s.length - 1))] ?? NaN);
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(s[s.length - 1] ?? NaN), n: s.length };
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

interface Rig {
  dir: string;
  pcscd: SimPcscd;
  slots: CardSlots;
  storage: Storage;
  masterKeyFile: string;
  masterKey: Buffer;
  center: Center | null;
  port: number;
}

async function startRig(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-insertion-'));
  const pcscd = await SimPcscd.start({ dir: join(dir, 'pcscd'), devices: 1, namePrefix: 'Bench Insert' });
  process.env['PCSCLITE_CSOCK_NAME'] = pcscd.socketPath; // before the first PC/SC call
  const masterKey = randomBytes(32);
  const masterKeyFile = join(dir, 'master.key');
  writeFileSync(masterKeyFile, masterKey.toString('hex'), { mode: 0o600 });
  const storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
  const validity = await ValidityRepository.open(storage);
  await validity.addTerminals([TERMINAL, BASELINE_TERMINAL].map((id) => ({ id, ownerKind: 'store' as const, ownerId: 'BENCH', keyRef: `k-${id}` })));
  await validity.addMedia([{ id: CARD_ID, expiresAtMs: Date.now() + 86_400_000 }]);
  const slots = new CardSlots(pcscd.slots, join(dir, 'cards'));
  await slots.issue({ cardId: CARD_ID, pin: '1234', balanceMinor: 0, masterKey: ISSUER_KEY });
  return { dir, pcscd, slots, storage, masterKey, masterKeyFile, center: null, port: 0 };
}

async function centerIn(rig: Rig, mode: ValidityMode): Promise<void> {
  await rig.center?.close();
  const config = parseCenterConfig({ listen: { host: '127.0.0.1', port: rig.port }, terminalKeys: { masterKeyFile: rig.masterKeyFile }, validity: { mode } }, CENTER_MODULES);
  rig.center = await startCenter(config, CENTER_MODULES, { storage: rig.storage, log: silentLogger });
  rig.port = rig.center.address.port;
}

async function startAgent(rig: Rig): Promise<Agent> {
  const keyFile = join(rig.dir, 'terminal.key');
  writeFileSync(keyFile, deriveTerminalKey(rig.masterKey, `k-${TERMINAL}`).toString('hex'), { mode: 0o600 });
  const config = parseTerminalConfig({
    terminalId: TERMINAL,
    keyFile,
    centers: [{ host: '127.0.0.1', port: rig.port }],
    devices: { reader: { namePattern: ` 00 00$` } },
    journal: join(rig.dir, 'journal.db'),
    transaction: { amountMinor: 100 },
  });
  const agent = createAgent(config, { log: silentLogger });
  await agent.start();
  return agent;
}

/** One insertion: returns the agent's report and the time the card was inserted. */
async function insertOnce(rig: Rig, agent: Agent): Promise<{ r: AgentReport; t0: number; tEnd: number }> {
  const done = new Promise<AgentReport>((resolve) => {
    const on = (r: AgentReport): void => {
      if (r.trigger !== 'card') return;
      agent.off('outcome', on);
      resolve(r);
    };
    agent.on('outcome', on);
  });
  const t0 = performance.now();
  await rig.slots.insert(CARD_ID, rig.pcscd.slots[0]!.name);
  const r = await done;
  const tEnd = performance.now();
  await rig.slots.remove(rig.pcscd.slots[0]!.name);
  if (r.result !== 'approved' || r.ackAtMs === undefined) throw new Error(`bench insertion not approved: ${r.code}`);
  return { r, t0, tEnd };
}

/**
 * pcscd polls vpcd readers for presence, so insertion → ready depends on when
 * in the poll cycle the card arrives. A fixed insert/remove cadence locks onto
 * one phase; a seeded random pause before each insertion (0..gapMsMax) samples
 * the cycle the way holders do.
 */
async function insertions(rig: Rig, agent: Agent, n: number, random: Random, gapMsMax: number) {
  const toAck: number[] = [];
  const toReady: number[] = [];
  const readyToAck: number[] = [];
  const toApproved: number[] = [];
  await insertOnce(rig, agent); // warm-up (session up, JIT)
  for (let i = 0; i < n; i++) {
    if (gapMsMax > 0) await systemClock.sleep(random.int(gapMsMax));
    const { r, t0, tEnd } = await insertOnce(rig, agent);
    toAck.push(r.ackAtMs! - t0);
    toReady.push(r.insertedAtMs! - t0);
    readyToAck.push(r.ackAtMs! - r.insertedAtMs!);
    toApproved.push(tEnd - t0);
  }
  return { insertionToAck: stats(toAck), insertionToReaderReady: stats(toReady), readerReadyToAck: stats(readyToAck), insertionToApproved: stats(toApproved) };
}

/** The same validity request over a link of its own, no card: the center + link cost. */
async function baseline(rig: Rig, n: number): Promise<Stats> {
  const link = new LinkClient({ terminalId: BASELINE_TERMINAL, terminalKey: deriveTerminalKey(rig.masterKey, `k-${BASELINE_TERMINAL}`), centers: [{ host: '127.0.0.1', port: rig.port }] });
  link.start();
  const req = { type: 'validityRequest' as const, terminalId: BASELINE_TERMINAL, mediumId: Buffer.from(CARD_ID, 'hex') };
  try {
    await link.request(req);
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await link.request(req);
      samples.push(performance.now() - t0);
      if (res.type === 'validityNak') throw new Error('baseline NAK');
    }
    return stats(samples);
  } finally {
    await link.close();
  }
}

function argOf(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function modesOf(arg: string | undefined): ValidityMode[] {
  if (arg === 'all') return [...VALIDITY_MODES];
  const modes = (arg ?? 'cached').split(',') as ValidityMode[];
  for (const m of modes) if (!VALIDITY_MODES.includes(m)) throw new Error(`unknown mode ${m}`);
  return modes;
}

export async function run(args: string[], report: (line: string) => void): Promise<Record<string, unknown>> {
  const n = Math.max(1, Math.min(1_000, Number(argOf(args, '--insertions') ?? 50) || 50));
  const modes = modesOf(argOf(args, '--modes'));
  const gapMsMax = Math.max(0, Number(argOf(args, '--gap-ms') ?? 500) || 0);
  const seed = Number(argOf(args, '--seed') ?? 1) >>> 0;
  const random = new SeededRandom(seed);
  const rig = await startRig();
  let agent: Agent | undefined;
  const byMode: Record<string, unknown> = {};
  try {
    await centerIn(rig, modes[0]!);
    agent = await startAgent(rig);
    for (const mode of modes) {
      await centerIn(rig, mode);
      const cards = await insertions(rig, agent, n, random, gapMsMax);
      const base = await baseline(rig, n);
      report(`${mode}: insertion -> ACK p50 ${cards.insertionToAck.p50Ms} ms, p99 ${cards.insertionToAck.p99Ms} ms (n=${n}); baseline validity request without a card p50 ${base.p50Ms} ms, p99 ${base.p99Ms} ms`);
      report(`${mode}:   insertion -> reader ready p50 ${cards.insertionToReaderReady.p50Ms} ms; ready -> ACK (SELECT, READ ID, link) p50 ${cards.readerReadyToAck.p50Ms} ms; insertion -> approved p50 ${cards.insertionToApproved.p50Ms} ms`);
      byMode[mode] = { ...cards, baselineValidityRequest: base };
    }
  } finally {
    await agent?.stop();
    await rig.slots.removeAll().catch(() => undefined);
    await rig.center?.close();
    await rig.storage.close();
    await rig.pcscd.stop();
    rmSync(rig.dir, { recursive: true, force: true });
  }
  const first = byMode[modes[0]!] as { insertionToAck: Stats; baselineValidityRequest: Stats };
  return { insertionToAckMsP50: first.insertionToAck.p50Ms, insertionToAckMsP99: first.insertionToAck.p99Ms, baselineMsP50: first.baselineValidityRequest.p50Ms, baselineMsP99: first.baselineValidityRequest.p99Ms, insertions: n, gapMsMax, seed, modes: byMode };
}
