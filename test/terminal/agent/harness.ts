/**
 * A simulated terminal against a running center, on the real stacks:
 * createAgent (PcscCardReader → smartcard → our own pcscd → vpcd → virtual
 * purse cards; LinkClient → TCP → startCenter on SQLite). One per test file
 * (one pcscd per process).
 */
import { ValidityRepository } from '../../../center/validity/repository.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cashModule } from '../../../center/cash/module.js';
import type { CenterFlow } from '../../../center/server/session-router.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { validityModule } from '../../../center/validity/module.js';
import type { ValiditySource } from '../../../center/validity/types.js';
import { parseCenterConfig } from '../../../center/server/config.js';
import { deriveTerminalKey } from '../../../center/server/terminal-keys.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import type { ValidityMode } from '../../../center/validity/types.js';
import { createLogger, silentLogger } from '../../../core/log.js';
import { CardSlots } from '../../../sim/card/card-slots.js';
import type { InsertOptions } from '../../../sim/card/card-slots.js';
import { parseTerminalConfig } from '../../../terminal/config/load.js';
import type { TerminalConfigInput } from '../../../terminal/config/schema.js';
import type { Agent } from '../../../terminal/agent/agent.js';
import { createAgent, type CreateAgentDeps } from '../../../terminal/agent/create-agent.js';
import type { AgentReport } from '../../../terminal/agent/role.js';
import { startTestPcscd, type TestPcscd } from '../../support/pcscd.js';

export const ISSUER_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x40 + i));

/** What a test varies of the center: a slow validity source, its own cash flow in place of the module's. */
export interface CenterOptions {
  readonly wrapValiditySource?: (source: ValiditySource) => ValiditySource;
  /** Leave the cash module out (a test standing in its own cash flow: the router refuses two flows for one request type). */
  readonly withoutCashFlow?: boolean;
  readonly flows?: readonly CenterFlow[];
}

export interface World {
  readonly dir: string;
  readonly pcscd: TestPcscd;
  readonly slots: CardSlots;
  readonly storage: Storage;
  /** The validity module's lists (media, terminals) over storage. */
  readonly validity: ValidityRepository;
  readonly masterKey: Buffer;
  center: Center | null;
  startCenter(mode: ValidityMode, port?: number, o?: CenterOptions): Promise<Center>;
  /** Registers a terminal at the center (unless `register: false`) and writes its key file; returns the key file path. */
  terminalKey(terminalId: string, opts?: { register?: boolean; status?: 'active' | 'blocked' | 'inactive' }): Promise<string>;
  /** Issues a purse card (or a foreign card) and registers it at the center with a status. */
  card(cardId: string, opts?: { status?: 'active' | 'lost' | 'stolen'; foreign?: boolean; register?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function startWorld(opts: { devices?: number } = {}): Promise<World> {
  const pcscd = await startTestPcscd({ devices: opts.devices ?? 1, namePrefix: 'Agent Reader' });
  const dir = mkdtempSync(join(tmpdir(), 'tessera-agent-'));
  const masterKey = randomBytes(32);
  const masterKeyFile = join(dir, 'center-master.key');
  writeFileSync(masterKeyFile, masterKey.toString('hex'), { mode: 0o600 });
  const storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
  const validity = await ValidityRepository.open(storage);
  const slots = new CardSlots(pcscd.pcscd.slots, join(dir, 'cards'));
  const world: World = {
    dir,
    pcscd,
    slots,
    storage,
    validity,
    masterKey,
    center: null,
    async startCenter(mode, port = 0, o = {}) {
      await world.center?.close();
      const validity = validityModule(o.wrapValiditySource ? { wrapSource: o.wrapValiditySource } : {});
      const modules = o.withoutCashFlow === true ? [validity] : [validity, cashModule];
      const config = parseCenterConfig({ listen: { host: '127.0.0.1', port }, terminalKeys: { masterKeyFile }, validity: { mode } }, modules);
      world.center = await startCenter(config, modules, { storage, log: silentLogger, ...(o.flows && { flows: o.flows }) });
      return world.center;
    },
    async terminalKey(terminalId, opts = {}) {
      if (opts.register !== false) {
        await validity.addTerminals([{ id: terminalId, ownerKind: 'store', ownerId: 'STORE-1', keyRef: `k-${terminalId}`, ...(opts.status && { status: opts.status }) }]);
      }
      const file = join(dir, `${terminalId}.key`);
      writeFileSync(file, deriveTerminalKey(masterKey, `k-${terminalId}`).toString('hex'), { mode: 0o600 });
      return file;
    },
    async card(cardId, opts = {}) {
      await slots.issue({ cardId, pin: '1234', balanceMinor: 10_000, masterKey: ISSUER_KEY, application: opts.foreign ? 'foreign' : 'purse' });
      if (opts.register === false || opts.foreign) return;
      await validity.addMedia([{ id: cardId, expiresAtMs: Date.now() + 86_400_000, ...(opts.status && { status: opts.status }) }]);
    },
    async close() {
      await slots.removeAll().catch(() => undefined);
      await world.center?.close();
      await storage.close();
      await pcscd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

export interface TestTerminal {
  readonly agent: Agent;
  readonly readerName: string;
  readonly outcomes: AgentReport[];
  /** Inserts the card and resolves with the card flow's report; leaves the card in (the holder takes it with take()). */
  present(cardId: string, options?: InsertOptions): Promise<AgentReport>;
  /** The holder takes the card back (removes it from the slot). */
  take(): Promise<void>;
  nextOutcome(pred?: (r: AgentReport) => boolean): Promise<AgentReport>;
  stop(): Promise<void>;
}

export async function startTerminal(
  world: World,
  terminalId: string,
  opts: { slot?: number; config?: Partial<TerminalConfigInput>; deps?: CreateAgentDeps; keyFile?: string; journal?: string } = {},
): Promise<TestTerminal> {
  const slot = world.pcscd.pcscd.slots[opts.slot ?? 0]!;
  const keyFile = opts.keyFile ?? (await world.terminalKey(terminalId));
  const config = parseTerminalConfig({
    terminalId,
    keyFile,
    centers: [{ host: '127.0.0.1', port: world.center!.address.port }],
    devices: { reader: { namePattern: `^${slot.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` } },
    journal: opts.journal ?? join(world.dir, `${terminalId}-${randomBytes(4).toString('hex')}.db`),
    transaction: { amountMinor: 500 },
    link: { requestTimeoutMs: 2_000, attempts: 2 },
    ...opts.config,
  });
  const log = process.env['TESSERA_TEST_LOG'] ? createLogger(terminalId, { level: process.env['TESSERA_TEST_LOG'] }) : silentLogger;
  const agent = createAgent(config, { log, ...opts.deps });
  const outcomes: AgentReport[] = [];
  const waiters: Array<{ pred: (r: AgentReport) => boolean; resolve: (r: AgentReport) => void }> = [];
  agent.on('outcome', (r) => {
    outcomes.push(r);
    const w = waiters.find((x) => x.pred(r));
    if (w) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(r);
    }
  });
  await agent.start();
  const nextOutcome = (pred: (r: AgentReport) => boolean = () => true): Promise<AgentReport> => new Promise((resolve) => waiters.push({ pred, resolve }));
  return {
    agent,
    readerName: slot.name,
    outcomes,
    nextOutcome,
    async present(cardId, options) {
      const done = nextOutcome((r) => r.trigger === 'card' || r.trigger === 'invalid-medium');
      await world.slots.insert(cardId, slot.name, options);
      return done;
    },
    async take() {
      if (world.slots.card(slot.name)) await world.slots.remove(slot.name);
    },
    async stop() {
      await agent.stop();
    },
  };
}

/** The database side of the validity check, `delayMs` slower on medium and terminal lookups (to pull a card mid-request). */
export function slowLookups(delayMs: number): (source: ValiditySource) => ValiditySource {
  const sleep = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, delayMs));
  return (source) => ({
    ...bindAll(source),
    getMedium: async (id) => (await sleep(), source.getMedium(id)),
    getTerminal: async (id) => (await sleep(), source.getTerminal(id)),
  });
}

function bindAll(source: ValiditySource): ValiditySource {
  const out: Record<string, unknown> = {};
  for (const key of ['getMedium', 'getTerminal', 'listMedia', 'listTerminals', 'listMediaChangedSince', 'listTerminalsChangedSince', 'countMedia', 'validityVersion', 'subscribe', 'captureMedium'] as const) {
    out[key] = (source[key] as (...a: unknown[]) => unknown).bind(source);
  }
  return out as unknown as ValiditySource;
}
