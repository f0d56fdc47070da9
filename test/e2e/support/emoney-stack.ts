/**
 * The seed-004 world on the REAL stack, for terminal-side e2e tests: agents
 * (createAgent → PcscCardReader → smartcard → this file's own pcscd → vpcd →
 * virtual cards in CardSlots), a center (createCenter on SQLite files with
 * the e-money flow) and banks A and B behind the relay. One stack per test
 * file (one pcscd per process). Center and banks keep their databases in
 * files, so the center can be stopped (terminals offline), started again on
 * the same port, or "crashed" and reopened from disk.
 *
 * Extending it (other roles, other cards): `startAgent({ role, roles })`
 * takes any role name and an optional registry; `slots` issues any card the
 * sim knows; `addMoney(name, fn)` adds a bucket to moneyInWorld().
 */
import { ValidityRepository } from '../../../center/validity/repository.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditLedger } from '../../../center/ledger/audit.js';
import { EMONEY_AUDIT } from '../../../center/emoney/audit-check.js';
import { Emoney } from '../../../center/emoney/emoney.js';
import type { SettlementStep } from '../../../center/emoney/settlement.js';
import { Relay } from '../../../center/relay/relay.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { EMONEY_MODULE, emoneyModule } from '../../../center/emoney/module.js';
import { CENTER_MODULES } from '../../../center/modules.js';
import type { AnyCenterModule } from '../../../center/server/module.js';
import { deriveTerminalKey, terminalKeyLookup } from '../../../center/server/terminal-keys.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { systemClock, type Clock } from '../../../core/clock.js';
import { createLogger, silentLogger, type Logger } from '../../../core/log.js';
import { SeededRandom } from '../../../core/random.js';
import { STATUS } from '../../../protocol/codes.js';
import { PROTOCOL_LIMITS } from '../../../protocol/limits.js';
import { CardSlots } from '../../../sim/card/card-slots.js';
import { PurseApplet } from '../../../sim/card/purse-applet.js';
import type { VirtualCard } from '../../../sim/card/virtual-card.js';
import type { Agent } from '../../../terminal/agent/agent.js';
import { createAgent } from '../../../terminal/agent/create-agent.js';
import { ScriptedKeypad, type KeypadPrompt } from '../../../terminal/agent/keypad.js';
import type { AgentCommand, AgentReport } from '../../../terminal/agent/role.js';
import type { RoleRegistry } from '../../../terminal/agent/role-registry.js';
import { parseTerminalConfig } from '../../../terminal/config/load.js';
import type { TerminalConfigInput } from '../../../terminal/config/schema.js';
import { Journal } from '../../../terminal/journal/journal.js';
import { LinkClient } from '../../../terminal/link/link-client.js';
import { chargeRequest, creditCard, TestCard } from '../../center/emoney/world.js';
import { configOf } from '../../center/server/support.js';
import { openBanks, WORLD, type Banks } from '../../sim/bank/fixtures.js';
import { startTestPcscd, type TestPcscd } from '../../support/pcscd.js';
import { freePort } from '../../support/free-port.js';
export { freePort };

export { WORLD };
export const PROVIDER_KIOSK_ID = 'KIOSK-1';
/** Shops and their bank accounts (WORLD.shopA at bank A, WORLD.shopB at bank B). */
export const SHOP_ACCOUNTS = { 'SHOP-A': WORLD.shopA.ref, 'SHOP-B': WORLD.shopB.ref } as const;
export type ShopId = keyof typeof SHOP_ACCOUNTS;
export const CARD_PIN = '1234';

export interface StartAgentOptions {
  readonly terminalId: string;
  readonly role: string;
  /** Index into the stack's reader slots (default: the next free one). */
  readonly reader?: number;
  /** The owner at the center: a shop id gets a callback address and is paid at its bank. */
  readonly ownerId?: string;
  readonly roleSettings?: Record<string, unknown>;
  /** A registry with roles not (yet) in builtinRoles(). */
  readonly roles?: RoleRegistry;
  /** Extra config fields (merged over the defaults). */
  readonly config?: Partial<TerminalConfigInput>;
  /** A scanner (e.g. a VirtualScanner's devicePath) and a removable store (a mount dir) beside the reader. */
  readonly devices?: Omit<TerminalConfigInput['devices'], 'reader'>;
}

export interface StackTerminal {
  readonly id: string;
  readonly readerName: string;
  readonly keypad: ScriptedKeypad;
  readonly outcomes: AgentReport[];
  readonly agent: Agent;
  /** The running agent's journal. */
  readonly journal: Journal;
  /** The journal's database file (its WAL beside it, `-wal`). */
  readonly journalPath: string;
  /** Reads the journal whether the agent runs or not. */
  withJournal<T>(fn: (j: Journal) => T): T;
  /** Queues keypad entries and inserts the card: the virtual card (hook its `apdu` event) and the flow's report to come. */
  insert(cardId: string, keys?: Partial<Record<KeypadPrompt, string>>): Promise<{ card: VirtualCard; outcome: Promise<AgentReport> }>;
  /** Queues keypad entries, inserts the card, resolves with the card flow's report (the card stays in: take()). */
  present(cardId: string, keys?: Partial<Record<KeypadPrompt, string>>): Promise<AgentReport>;
  /** The holder takes the card back. */
  take(): Promise<void>;
  command(name: string, args?: AgentCommand['args']): Promise<AgentReport>;
  nextOutcome(pred?: (r: AgentReport) => boolean): Promise<AgentReport>;
  readonly running: boolean;
  /** Resolves once the agent's link to the center is up (throws after timeoutMs). */
  linkUp(timeoutMs?: number): Promise<void>;
  /** Stops the agent (its journal and callback port are kept for restart()). */
  stop(): Promise<void>;
  /** A new agent process on the same journal, key, reader and callback port. */
  restart(): Promise<void>;
}

export interface MoneyReport {
  readonly total: number;
  readonly parts: Record<string, number>;
}

export interface EmoneyStack {
  readonly dir: string;
  readonly pcscd: TestPcscd;
  readonly slots: CardSlots;
  readonly readers: readonly string[];
  readonly masterKey: Buffer;
  readonly issuerMasterKey: Buffer;
  readonly banks: Banks;
  /** The center's storage (reopened by crashCenter()). */
  readonly storage: Storage;
  /** The validity module's lists (media, terminals) over storage. */
  readonly validity: ValidityRepository;
  readonly emoney: Emoney;
  readonly center: Center | null;
  readonly centerPort: number;
  readonly terminals: ReadonlyMap<string, StackTerminal>;
  /** Captured log lines (openEmoneyStack({ captureLogs: true })), else empty. */
  readonly logLines: readonly string[];
  /** Called after each durable settlement step (throw to stop the center's work there, as a crash would). */
  onSettlementStep: ((step: SettlementStep, batchId: string) => void) | null;
  /** Opens the terminal listener (again, on the same port) and waits until every running agent's link is up again. */
  startCenter(): Promise<void>;
  /** Closes the terminal listener: the terminals are offline. Storage stays open. */
  stopCenter(): Promise<void>;
  /** Drops the center (listener, e-money services, storage) and opens it again from its files, then sweeps. */
  crashCenter(): Promise<void>;
  /** Registers a terminal at the center, writes its key file; returns the key file path. */
  registerTerminal(terminalId: string, opts?: { ownerId?: string; callbackPort?: number }): Promise<string>;
  startAgent(opts: StartAgentOptions): Promise<StackTerminal>;
  /** Issues a purse card (counter 0, balance 0 unless given: a given balance is e-money out of thin air, count it yourself). */
  issueCard(cardId: string, opts?: { pin?: string; balanceMinor?: number }): Promise<string>;
  /** Charges a card through the center as a provider kiosk does (bank account → provider, card credited). Center must be up. */
  chargeCard(cardId: string, amountMinor: number, from?: { ref: (typeof WORLD)['aliceA']['ref']; pin: string }): Promise<void>;
  /** The card's balance as its chip keeps it. */
  cardBalance(cardId: string): number;
  cardCounter(cardId: string): number;
  /** Waits for the center's settlement callbacks and payments in flight. */
  idle(): Promise<void>;
  /** Adds a bucket to moneyInWorld (e.g. another kind of card). */
  addMoney(name: string, fn: () => Promise<number> | number): void;
  /**
   * Users' and shops' bank money + e-money on purse cards + unsettled records in every terminal journal
   * + debits owed to holders (journal aside, UNRECORDED) + batches acknowledged but not yet paid to shops.
   */
  moneyInWorld(): Promise<MoneyReport>;
  /** auditLedger of the center and both banks. */
  audits(): Promise<{ center: boolean; bankA: boolean; bankB: boolean }>;
  close(): Promise<void>;
}

/** Every log line of the stack's agents and center when opened with captureLogs (tests grep them for secrets). */
function stackLog(name: string, lines: string[] | null): Logger {
  if (lines) return createLogger(name, { level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return process.env['TESSERA_TEST_LOG'] ? createLogger(name, { level: process.env['TESSERA_TEST_LOG'] }) : silentLogger;
}

export interface EmoneyStackOptions {
  /** Reader slots (two per vpcd device); default 4. */
  readonly readers?: number;
  /** Keep every log line of agents and center in `logLines` (tests grep them for secrets). */
  readonly captureLogs?: boolean;
  /** The center's clock (e-money timeouts; a shifted clock tests them without waiting). Agents keep the system clock. */
  readonly clock?: Clock;
}

export async function openEmoneyStack(opts: EmoneyStackOptions = {}): Promise<EmoneyStack> {
  const devices = Math.ceil((opts.readers ?? 4) / 2);
  const pcscd = await startTestPcscd({ devices, namePrefix: 'Emoney Reader' });
  const dir = mkdtempSync(join(tmpdir(), 'tessera-emoney-'));
  const masterKey = randomBytes(32);
  const masterKeyFile = join(dir, 'center-master.key');
  writeFileSync(masterKeyFile, masterKey.toString('hex'), { mode: 0o600 });
  const issuerMasterKey = randomBytes(32);
  const banks = await openBanks(join(dir, 'bank-a.db'), join(dir, 'bank-b.db'));
  const relay = new Relay({ adapters: [banks.a, banks.b] });
  const slots = new CardSlots(pcscd.pcscd.slots, join(dir, 'cards'));
  return new Stack(dir, pcscd, slots, masterKey, masterKeyFile, issuerMasterKey, banks, relay, opts.captureLogs ? [] : null, opts.clock ?? systemClock).open();
}

class Stack implements EmoneyStack {
  storage!: Storage;
  validity!: ValidityRepository;
  emoney!: Emoney;
  center: Center | null = null;
  centerPort = 0;
  onSettlementStep: EmoneyStack['onSettlementStep'] = null;
  readonly terminals = new Map<string, StackTerminal>();
  private readonly issued = new Set<string>();
  private readonly extraMoney = new Map<string, () => Promise<number> | number>();
  private readonly usedReaders = new Set<number>();
  private kiosk: LinkClient | null = null;

  constructor(
    readonly dir: string,
    readonly pcscd: TestPcscd,
    readonly slots: CardSlots,
    readonly masterKey: Buffer,
    private readonly masterKeyFile: string,
    readonly issuerMasterKey: Buffer,
    readonly banks: Banks,
    private readonly relay: Relay,
    private readonly captured: string[] | null,
    private readonly clock: Clock,
  ) {}

  get logLines(): readonly string[] {
    return this.captured ?? [];
  }

  get readers(): string[] {
    return this.pcscd.pcscd.slots.map((s) => s.name);
  }

  async open(): Promise<this> {
    this.storage = await openStorage(join(this.dir, 'center.db'));
    this.validity = await ValidityRepository.open(this.storage);
    await this.startCenter();
    for (const [shopId, ref] of Object.entries(SHOP_ACCOUNTS)) await this.emoney.registerShop(shopId, ref);
    await this.registerTerminal(PROVIDER_KIOSK_ID, { ownerId: 'PROVIDER' });
    return this;
  }

  /** The center's modules: CENTER_MODULES with the e-money module on this stack's relay, keys and settlement hook (no sweep timer: tests sweep). */
  private modules(): AnyCenterModule[] {
    const emoney = emoneyModule({
      relay: this.relay,
      secrets: {
        issuerMasterKey: this.issuerMasterKey,
        currency: 'JPY',
        providerAccounts: [
          { ...WORLD.providerA.ref, securityCode: WORLD.providerA.pin },
          { ...WORLD.providerB.ref, securityCode: WORLD.providerB.pin },
        ],
      },
      sweepIntervalMs: null,
      onSettlementStep: (step, id) => this.onSettlementStep?.(step, id),
    });
    return CENTER_MODULES.map((m) => (m.name === EMONEY_MODULE ? emoney : m));
  }

  async startCenter(): Promise<void> {
    if (this.center) return;
    const modules = this.modules();
    this.center = await startCenter(configOf(this.masterKeyFile, { listen: { host: '127.0.0.1', port: this.centerPort } }), modules, {
      storage: this.storage,
      clock: this.clock,
      random: new SeededRandom(Number.parseInt(randomBytes(4).toString('hex'), 16)),
      log: stackLog('center', this.captured),
    });
    this.emoney = this.center.module<Emoney>(EMONEY_MODULE);
    this.centerPort = this.center.address.port;
    // Agents reconnect with exponential backoff (up to RECONNECT_MAX_MS): wait for them, bounded.
    await Promise.all([...this.terminals.values()].filter((t) => t.running).map((t) => t.linkUp()));
  }

  /** Stops the listener and the modules (settlement callbacks drained first); the storage and the last e-money instance stay for reading. */
  async stopCenter(): Promise<void> {
    await this.kiosk?.close();
    this.kiosk = null;
    const c = this.center;
    this.center = null;
    await c?.close();
  }

  async crashCenter(): Promise<void> {
    await this.stopCenter();
    await this.storage.close();
    this.storage = await openStorage(join(this.dir, 'center.db'));
    this.validity = await ValidityRepository.open(this.storage);
    await this.startCenter();
    await this.emoney.sweep();
  }

  async idle(): Promise<void> {
    await this.emoney.idle();
  }

  async registerTerminal(terminalId: string, o: { ownerId?: string; callbackPort?: number } = {}): Promise<string> {
    const existing = await this.validity.getTerminal(terminalId);
    if (!existing) {
      await this.validity.addTerminals([
        {
          id: terminalId,
          ownerKind: 'store',
          ownerId: o.ownerId ?? 'STORE-1',
          keyRef: `k-${terminalId}`,
          ...(o.callbackPort !== undefined && { callbackAddress: `127.0.0.1:${o.callbackPort}` }),
        },
      ]);
    }
    const file = join(this.dir, `${terminalId}.key`);
    writeFileSync(file, deriveTerminalKey(this.masterKey, `k-${terminalId}`).toString('hex'), { mode: 0o600 });
    return file;
  }

  private pickReader(wanted?: number): number {
    const i = wanted ?? [...this.readers.keys()].find((k) => !this.usedReaders.has(k));
    if (i === undefined || i >= this.readers.length) throw new Error('no free reader slot: open the stack with more readers');
    this.usedReaders.add(i);
    return i;
  }

  async startAgent(o: StartAgentOptions): Promise<StackTerminal> {
    if (this.terminals.has(o.terminalId)) throw new Error(`terminal ${o.terminalId} already started`);
    const readerName = this.readers[this.pickReader(o.reader)]!;
    const callbackPort = await freePort();
    const keyFile = await this.registerTerminal(o.terminalId, { ...(o.ownerId && { ownerId: o.ownerId }), callbackPort });
    const config = parseTerminalConfig({
      terminalId: o.terminalId,
      keyFile,
      role: o.role,
      centers: [{ host: '127.0.0.1', port: this.centerPort }],
      callback: { host: '127.0.0.1', port: callbackPort },
      devices: { reader: { namePattern: `^${readerName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` }, ...o.devices },
      journal: join(this.dir, `${o.terminalId}.journal.db`),
      link: { requestTimeoutMs: 2_000, attempts: 1 },
      roleSettings: o.roleSettings ?? {},
      ...o.config,
    });
    const keypad = new ScriptedKeypad(systemClock);
    const term = new Terminal(o.terminalId, readerName, config.journal, keypad, this.slots, (): Agent =>
      createAgent(config, { log: stackLog(o.terminalId, this.captured), keypad, ...(o.roles && { roles: o.roles }) }),
    );
    await term.restart();
    this.terminals.set(o.terminalId, term);
    return term;
  }

  async issueCard(cardId: string, o: { pin?: string; balanceMinor?: number } = {}): Promise<string> {
    await this.slots.issue({ cardId, pin: o.pin ?? CARD_PIN, balanceMinor: o.balanceMinor ?? 0, masterKey: this.issuerMasterKey });
    // A purse card is a medium on the validity lists (the center's general gate refuses an unknown card).
    if (!(await this.validity.getMedium(cardId))) await this.validity.addMedia([{ id: cardId, expiresAtMs: 4_102_444_800_000 }]);
    this.issued.add(cardId);
    return cardId;
  }

  async chargeCard(cardId: string, amountMinor: number, from: { ref: (typeof WORLD)['aliceA']['ref']; pin: string } = WORLD.aliceA): Promise<void> {
    if (!this.center) throw new Error('chargeCard needs the center up');
    this.kiosk ??= this.kioskLink();
    const txId = randomBytes(16);
    const charged = await chargeRequest(this.kiosk, txId, from.ref, from.pin, amountMinor);
    if (charged.status !== STATUS.APPROVED) throw new Error(`charge declined (result ${charged.resultCode})`);
    const { confirmed } = await creditCard(this.kiosk, txId, new TestCard(new PurseApplet(this.slots.store, cardId), CARD_PIN), amountMinor);
    if (confirmed?.status !== STATUS.APPROVED) throw new Error('card credit not confirmed');
  }

  private kioskLink(): LinkClient {
    const c = new LinkClient({
      terminalId: PROVIDER_KIOSK_ID,
      terminalKey: deriveTerminalKey(this.masterKey, `k-${PROVIDER_KIOSK_ID}`),
      centers: [{ host: '127.0.0.1', port: this.centerPort }],
      maxAttempts: 1,
    });
    c.start();
    return c;
  }

  cardBalance(cardId: string): number {
    return this.slots.store.load(cardId)!.balanceMinor;
  }

  cardCounter(cardId: string): number {
    return this.slots.store.load(cardId)!.counter;
  }

  addMoney(name: string, fn: () => Promise<number> | number): void {
    this.extraMoney.set(name, fn);
  }

  async moneyInWorld(): Promise<MoneyReport> {
    const parts: Record<string, number> = {
      usersAtBanks: (await this.banks.a.totalOf('user')) + (await this.banks.b.totalOf('user')),
      shopsAtBanks: (await this.banks.a.totalOf('merchant')) + (await this.banks.b.totalOf('merchant')),
      onCards: [...this.issued].reduce((s, id) => s + this.cardBalance(id), 0),
      unsettledRecords: 0,
      owedToHolders: 0,
      // Erased at the shop, booked to settle-clearing, the bank transfer pending (e.g. the provider's account there is short).
      owedToShops: Number((await this.storage.read((q) => q.get<{ n: number | null }>("SELECT sum(total) AS n FROM emoney_batches WHERE state = 'acked'")))?.n ?? 0),
    };
    for (const t of this.terminals.values()) {
      t.withJournal((j) => {
        parts['unsettledRecords']! += j.listUnsettled().reduce((s, r) => s + r.amountMinor, 0);
        parts['owedToHolders']! += j.listAside().filter((a) => a.reason === 'UNRECORDED').reduce((s, a) => s + a.amountMinor, 0);
      });
    }
    for (const [name, fn] of this.extraMoney) parts[name] = await fn();
    return { total: Object.values(parts).reduce((s, v) => s + v, 0), parts };
  }

  async audits(): Promise<{ center: boolean; bankA: boolean; bankB: boolean }> {
    return {
      center: (await auditLedger(this.storage, [EMONEY_AUDIT])).ok,
      bankA: (await auditLedger(this.banks.a.storage)).ok,
      bankB: (await auditLedger(this.banks.b.storage)).ok,
    };
  }

  async close(): Promise<void> {
    for (const t of this.terminals.values()) await t.stop().catch(() => undefined);
    await this.slots.removeAll().catch(() => undefined);
    await this.emoney.idle();
    await this.stopCenter();
    await this.storage.close();
    await this.banks.close();
    await this.pcscd.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

class Terminal implements StackTerminal {
  readonly outcomes: AgentReport[] = [];
  private current: Agent | null = null;
  private waiters: Array<{ pred: (r: AgentReport) => boolean; resolve: (r: AgentReport) => void }> = [];

  constructor(
    readonly id: string,
    readonly readerName: string,
    readonly journalPath: string,
    readonly keypad: ScriptedKeypad,
    private readonly slots: CardSlots,
    private readonly make: () => Agent,
  ) {}

  get agent(): Agent {
    if (!this.current) throw new Error(`terminal ${this.id} is stopped`);
    return this.current;
  }

  get journal(): Journal {
    return this.agent.context.journal;
  }

  get running(): boolean {
    return this.current !== null;
  }

  async linkUp(timeoutMs = PROTOCOL_LIMITS.RECONNECT_MAX_MS * 1.5): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.agent.context.link.isUp) {
      if (Date.now() > until) throw new Error(`${this.id}: link not up after ${timeoutMs} ms`);
      await systemClock.sleep(25);
    }
  }

  withJournal<T>(fn: (j: Journal) => T): T {
    if (this.current) return fn(this.current.context.journal);
    const j = Journal.open(this.journalPath);
    try {
      return fn(j);
    } finally {
      j.close();
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    const agent = this.make();
    agent.on('outcome', (r) => this.onOutcome(r));
    await agent.start();
    this.current = agent;
  }

  private onOutcome(r: AgentReport): void {
    this.outcomes.push(r);
    const w = this.waiters.find((x) => x.pred(r));
    if (!w) return;
    this.waiters = this.waiters.filter((x) => x !== w);
    w.resolve(r);
  }

  nextOutcome(pred: (r: AgentReport) => boolean = () => true): Promise<AgentReport> {
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  async insert(cardId: string, keys: Partial<Record<KeypadPrompt, string>> = {}): Promise<{ card: VirtualCard; outcome: Promise<AgentReport> }> {
    for (const [prompt, value] of Object.entries(keys)) this.keypad.push(prompt as KeypadPrompt, value);
    const outcome = this.nextOutcome((r) => r.trigger === 'card' || r.trigger === 'invalid-medium');
    return { card: await this.slots.insert(cardId, this.readerName), outcome };
  }

  async present(cardId: string, keys: Partial<Record<KeypadPrompt, string>> = {}): Promise<AgentReport> {
    return (await this.insert(cardId, keys)).outcome;
  }

  async take(): Promise<void> {
    if (this.slots.card(this.readerName)) await this.slots.remove(this.readerName);
  }

  command(name: string, args?: AgentCommand['args']): Promise<AgentReport> {
    return this.agent.command({ name, ...(args && { args }) });
  }

  async stop(): Promise<void> {
    const a = this.current;
    this.current = null;
    await a?.stop();
  }
}
