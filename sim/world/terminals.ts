/**
 * The world's terminals: each provisioned the way an operator does it (a
 * key derived from the center's master key over `k-<id>` and written 0600,
 * a callback port reserved for roles the center calls back, a journal
 * file, the registration row at the center) and run as an in-process agent
 * (createAgent on the real drivers: PcscCardReader → smartcard → the
 * world's pcscd → vpcd → virtual cards; serial scanner and bill validator
 * on the simulator's socat ptys; a removable store on a mount directory;
 * LinkClient → TCP → the center).
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { deriveTerminalKey } from '../../center/server/terminal-keys.js';
import type { NewTerminal } from '../../center/validity/records.js';
import type { TerminalStatus } from '../../center/validity/records.js';
import type { Agent } from '../../terminal/agent/agent.js';
import { createAgent } from '../../terminal/agent/create-agent.js';
import { ScriptedKeypad, type Keypad, type KeypadPrompt } from '../../terminal/agent/keypad.js';
import type { AgentCommand, AgentReport } from '../../terminal/agent/role.js';
import type { RoleRegistry } from '../../terminal/agent/role-registry.js';
import { parseTerminalConfig } from '../../terminal/config/load.js';
import type { TerminalConfigInput } from '../../terminal/config/schema.js';
import { Journal } from '../../terminal/journal/journal.js';
import type { CardSlots } from '../card/card-slots.js';
import type { VirtualCard } from '../card/virtual-card.js';

export type Keys = Partial<Record<KeypadPrompt, string>>;

export interface WorldTerminalSpec<K extends Keypad = Keypad> {
  readonly terminalId: string;
  readonly role: string;
  /** The owner at the center (a shop id: paid at the shop's bank). Default STORE-1. */
  readonly ownerId?: string;
  /** Index into the world's reader slots (default: the next free one). */
  readonly reader?: number;
  /** The reader's APDU timeout (devices.reader.transmitTimeoutMs; the agent's default when absent). */
  readonly readerTransmitTimeoutMs?: number;
  /** Register the terminal at the center (default true; false: a stranger the center does not know). */
  readonly register?: boolean;
  /** Its status at the center (default active). */
  readonly status?: TerminalStatus;
  /** Reserve a callback port the center calls back on (default true). */
  readonly callback?: boolean;
  readonly roleSettings?: Readonly<Record<string, unknown>>;
  /** A simulator scanner by name (`scanner0`, …) at this terminal. */
  readonly scanner?: string;
  /** The mount directory of this terminal's removable store. */
  readonly storeMountDir?: string;
  /** Devices given outright (a test's own VirtualScanner, a simulator bill validator's pty), beside the reader. */
  readonly devices?: Omit<TerminalConfigInput['devices'], 'reader'>;
  /** The link's request timeout and attempts (default 2 s, 1 attempt). */
  readonly link?: { readonly requestTimeoutMs: number; readonly attempts: number };
  /** Extra config fields (merged over the defaults). */
  readonly config?: Partial<TerminalConfigInput>;
  /** A registry with roles not (yet) in builtinRoles(). */
  readonly roles?: RoleRegistry;
  /** The keypad and how a person's keys reach it (default: a ScriptedKeypad the keys are pushed to). */
  readonly keypad?: { readonly keypad: K; enter(keys: Keys): void };
}

/** A terminal provisioned in the world's directory, before its agent runs. */
export interface ProvisionedTerminal<K extends Keypad = Keypad> {
  readonly spec: WorldTerminalSpec<K>;
  readonly terminalId: string;
  readonly keyRef: string;
  readonly keyFile: string;
  readonly journal: string;
  readonly callbackPort: number | null;
  readonly readerName: string;
}

/** What the terminals of a world share: where files go, the center's master key and address, the hardware. */
export interface TerminalWorld {
  readonly terminalDir: string;
  readonly masterKey: Buffer;
  readonly centerPort: () => number;
  readonly readerName: (slot: number) => string;
  readonly scannerPath: (name: string) => string;
  readonly scannerBaudRate: number;
  readonly slots: CardSlots;
  readonly log: (terminalId: string) => Logger;
  readonly clock?: Clock;
}

/** The terminal's key as the center derives it (over keyRef `k-<id>`), written 0600 as `<dir>/<id>.key`. */
export function writeTerminalKey(dir: string, masterKey: Buffer, terminalId: string): { keyRef: string; keyFile: string } {
  const keyRef = `k-${terminalId}`;
  const keyFile = join(dir, `${terminalId}.key`);
  writeFileSync(keyFile, `${deriveTerminalKey(masterKey, keyRef).toString('hex')}\n`, { mode: 0o600 });
  return { keyRef, keyFile };
}

/** Key file written (0600), callback port reserved. */
export async function provisionTerminal<K extends Keypad>(spec: WorldTerminalSpec<K>, slot: number, w: TerminalWorld): Promise<ProvisionedTerminal<K>> {
  const { keyRef, keyFile } = writeTerminalKey(w.terminalDir, w.masterKey, spec.terminalId);
  const callbackPort = spec.callback === false ? null : await freeLoopbackPort();
  return { spec, terminalId: spec.terminalId, keyRef, keyFile, journal: join(w.terminalDir, `${spec.terminalId}.journal.db`), callbackPort, readerName: w.readerName(slot) };
}

/** The terminal's row at the center. */
export function terminalRow(t: { terminalId: string; keyRef: string; callbackPort: number | null; spec?: { ownerId?: string; status?: TerminalStatus } }): NewTerminal {
  return {
    id: t.terminalId,
    ownerKind: 'store',
    ownerId: t.spec?.ownerId ?? 'STORE-1',
    keyRef: t.keyRef,
    ...(t.spec?.status && { status: t.spec.status }),
    ...(t.callbackPort !== null && { callbackAddress: `127.0.0.1:${t.callbackPort}` }),
  };
}

/** The agent's config: reader by exact name, devices, link, journal, role settings. */
export function terminalConfigInput(t: ProvisionedTerminal, w: TerminalWorld): TerminalConfigInput {
  const s = t.spec;
  return {
    terminalId: t.terminalId,
    keyFile: t.keyFile,
    role: s.role,
    centers: [{ host: '127.0.0.1', port: w.centerPort() }],
    ...(t.callbackPort !== null && { callback: { host: '127.0.0.1', port: t.callbackPort } }),
    link: s.link ?? { requestTimeoutMs: 2_000, attempts: 1 },
    devices: {
      reader: { namePattern: `^${escapeRegExp(t.readerName)}$`, ...(s.readerTransmitTimeoutMs !== undefined && { transmitTimeoutMs: s.readerTransmitTimeoutMs }) },
      ...(s.scanner !== undefined && { scanner: { port: w.scannerPath(s.scanner), baudRate: w.scannerBaudRate } }),
      ...(s.storeMountDir !== undefined && { store: { mountDir: s.storeMountDir } }),
      ...s.devices,
    },
    journal: t.journal,
    roleSettings: { ...s.roleSettings },
    ...s.config,
  };
}

/** Starts the provisioned terminal's agent. */
export async function startWorldTerminal<K extends Keypad>(t: ProvisionedTerminal<K>, w: TerminalWorld): Promise<WorldTerminal<K>> {
  const config = parseTerminalConfig(terminalConfigInput(t, w));
  const keypad = t.spec.keypad ?? scriptedKeypad();
  const term = new WorldTerminal<K>(t, keypad.keypad as K, keypad.enter, w.slots, (): Agent =>
    createAgent(config, { log: w.log(t.terminalId), keypad: keypad.keypad, ...(t.spec.roles && { roles: t.spec.roles }), ...(w.clock && { clock: w.clock }) }),
  );
  await term.restart();
  return term;
}

function scriptedKeypad(): { keypad: ScriptedKeypad; enter(keys: Keys): void } {
  const keypad = new ScriptedKeypad(systemClock);
  return { keypad, enter: (keys) => Object.entries(keys).forEach(([prompt, value]) => keypad.push(prompt as KeypadPrompt, value)) };
}

/** A running (or stopped, restartable) terminal of the world and the person at it. */
export class WorldTerminal<K extends Keypad = ScriptedKeypad> {
  readonly outcomes: AgentReport[] = [];
  private current: Agent | null = null;
  private waiters: Array<{ pred: (r: AgentReport) => boolean; resolve: (r: AgentReport) => void }> = [];

  constructor(
    readonly provisioned: ProvisionedTerminal<K>,
    readonly keypad: K,
    private readonly enter: (keys: Keys) => void,
    private readonly slots: CardSlots,
    private readonly make: () => Agent,
  ) {}

  get id(): string {
    return this.provisioned.terminalId;
  }

  get spec(): WorldTerminalSpec<K> {
    return this.provisioned.spec;
  }

  get readerName(): string {
    return this.provisioned.readerName;
  }

  /** The journal's database file (its WAL beside it, `-wal`). */
  get journalPath(): string {
    return this.provisioned.journal;
  }

  get agent(): Agent {
    if (!this.current) throw new Error(`terminal ${this.id} is stopped`);
    return this.current;
  }

  /** The running agent's journal. */
  get journal(): Journal {
    return this.agent.context.journal;
  }

  get running(): boolean {
    return this.current !== null;
  }

  /** Resolves once the agent's link to the center is up (throws after timeoutMs). */
  async linkUp(timeoutMs = PROTOCOL_LIMITS.reconnectDelayMsMax * 1.5): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.agent.context.link.isUp) {
      if (Date.now() > until) throw new Error(`${this.id}: link not up after ${timeoutMs} ms`);
      await systemClock.sleep(25);
    }
  }

  /** Reads the journal whether the agent runs or not. */
  withJournal<T>(fn: (j: Journal) => T): T {
    if (this.current) return fn(this.current.context.journal);
    const j = Journal.open(this.journalPath);
    try {
      return fn(j);
    } finally {
      j.close();
    }
  }

  /** A new agent on the same journal, key, reader and callback port. */
  async restart(): Promise<void> {
    await this.stop();
    const agent = this.make();
    agent.on('outcome', (r) => this.onOutcome(r));
    try {
      await agent.start();
    } catch (e) {
      await agent.stop().catch(() => undefined);
      throw e;
    }
    this.current = agent;
  }

  private onOutcome(r: AgentReport): void {
    this.outcomes.push(r);
    const w = this.waiters.find((x) => x.pred(r));
    if (!w) return;
    this.waiters = this.waiters.filter((x) => x !== w);
    w.resolve(r);
  }

  /** The next report matching pred (reports already seen do not count). */
  nextOutcome(pred: (r: AgentReport) => boolean = () => true): Promise<AgentReport> {
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  /** The person's keys reach the keypad, then the card goes in: the virtual card (hook its `apdu` event) and the flow's report to come. */
  async insert(cardId: string, keys: Keys = {}): Promise<{ card: VirtualCard; outcome: Promise<AgentReport> }> {
    this.enter(keys);
    const outcome = this.nextOutcome((r) => r.trigger === 'card' || r.trigger === 'invalid-medium');
    return { card: await this.slots.insert(cardId, this.readerName), outcome };
  }

  /** Keys, card in, resolves with the card flow's report (the card stays in: take()). */
  async present(cardId: string, keys: Keys = {}): Promise<AgentReport> {
    return (await this.insert(cardId, keys)).outcome;
  }

  /** The holder takes the card back (if one is in). */
  async take(): Promise<void> {
    if (this.slots.card(this.readerName)) await this.slots.remove(this.readerName);
  }

  command(name: string, args?: AgentCommand['args']): Promise<AgentReport> {
    return this.agent.command({ name, ...(args && { args }) });
  }

  /** Stops the agent (its journal and callback port are kept for restart()). */
  async stop(): Promise<void> {
    const a = this.current;
    this.current = null;
    await a?.stop();
  }
}

/**
 * A port the callback listener can take: the center must know it before the
 * terminal starts (it is registered with the terminal), and nothing else on
 * loopback is expected to grab it in the few milliseconds in between.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A validity-pos terminal as the agent tests run it: no callback port, purchases of 500 JPY, a link of 2 s × 2 attempts; `o` over that. */
export function posTerminal(terminalId: string, o: Partial<WorldTerminalSpec<ScriptedKeypad>> = {}): WorldTerminalSpec<ScriptedKeypad> {
  return {
    terminalId,
    role: 'validity-pos',
    callback: false,
    link: { requestTimeoutMs: 2_000, attempts: 2 },
    ...o,
    config: { transaction: { kind: 'PURCHASE', amountMinor: 500, currency: 'JPY' }, ...o.config },
  };
}
