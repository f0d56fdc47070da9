/**
 * One world for the e2e tests, the demo and the crash tests: a declarative
 * spec of what runs (simulated hardware, banks, a center with its modules,
 * terminals) started in dependency order and closed in reverse, each part
 * where the spec puts it.
 *
 *   hardware   the simulator (sim/simulator.ts): its own pcscd with vpcd
 *              reader slots and virtual cards (CardSlots), socat-pty
 *              scanners and bill validators. libpcsclite reads
 *              PCSCLITE_CSOCK_NAME once: one world with hardware per process.
 *   banks      bank hosts (banks.ts) with the spec's accounts, reached
 *              through the relay directly or over HTTP.
 *
 * Each of hardware, banks, center and terminals also runs the operator's
 * way, as a `tessera` child process (`process: 'cli'`, startTerminalProcess;
 * cli-parts.ts, center-cli.ts) with the config and secret files (0600) the
 * world writes.
 *   parties    other outside parties (HQs, vendors, SMSCs as they come):
 *              each a WorldParty started after the banks, world.party(name).
 *   center     a center node (center.ts) on SQLite or PostgreSQL (`db`, a
 *              CenterDb: tests pass the PostgreSQL harness's), with its
 *              modules (e-money today), in this process or as a separate
 *              process (center-process.ts: the crash tests' child, killed
 *              mid-work). More nodes on the same database: addNode().
 *   terminals  agents provisioned and started (terminals.ts), at open or
 *              later with startTerminal().
 *
 * Who uses it: test/e2e (emoney-world.ts, the e-money world with its test
 * conveniences; emoney-processes and cash-center-process with processes),
 * the agent tests (test/terminal/agent), the demo (sim/demo/world.ts: its
 * cast becomes a spec) and the crash test (test/e2e/emoney-crash.test.ts). A part the spec leaves
 * out is not started. Lives under sim/ because the demo ships with it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { errorCode } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import type { ValidityRepository } from '../../center/validity/repository.js';
import type { ValidityMode } from '../../center/validity/types.js';
import type { StorageOptions, Storage } from '../../center/storage/types.js';
import type { NewMedium, NewTerminal } from '../../center/validity/records.js';
import type { EmoneyConfig } from '../../center/emoney/config.js';
import type { AnyCenterModule } from '../../center/server/module.js';
import type { Keypad } from '../../terminal/agent/keypad.js';
import type { CardSlots } from '../card/card-slots.js';
import { Simulator } from '../simulator.js';
import { openWorldBanks, type WorldBanks, type WorldBanksSpec } from './banks.js';
import { CliCenter } from './center-cli.js';
import { CliProcess } from './cli-process.js';
import { startCliBanks, startCliSim, writeConfigFile, writeSecretFile, type CliBanks, type CliSim } from './cli-parts.js';
import { openCenterNode, type CenterChange, type CenterNode, type EmoneyModuleSpec } from './center.js';
import type { Center } from '../../center/server/start-center.js';
import type { CenterFlow } from '../../center/server/session-router.js';
import type { MediumStatus, TerminalStatus } from '../../center/validity/records.js';
import { provisionTerminal, startWorldTerminal, terminalConfigInput, terminalRow, writeTerminalKey, type ProvisionedTerminal, type TerminalWorld, type WorldTerminal, type WorldTerminalSpec } from './terminals.js';

/**
 * Where the center's database lives. SQLITE_DB: a file in the world's
 * directory; a PostgreSQL CenterDb (the test harness's) gives a fresh
 * database that `drop` removes after the world closed. Every node opens it.
 */
export interface CenterDb {
  readonly name: 'sqlite' | 'postgres';
  open(dir: string): Promise<{ target: string | StorageOptions; drop?: () => Promise<void> }>;
}

export const SQLITE_DB: CenterDb = { name: 'sqlite', open: async (dir) => ({ target: join(dir, 'center.db') }) };

export interface WorldCenterSpec {
  /**
   * Where the center runs: in this process (default), or `cli`: `tessera
   * center --config` as a child process (center-cli.ts), its config file
   * written by the world (world.centerCli).
   */
  readonly process?: 'in-process' | 'cli';
  /** With `process: 'cli'`: more sections of center.json (a module's, admin). */
  readonly cliSections?: Readonly<Record<string, unknown>>;
  /** With `process: 'cli'`: how long a start may take until its ready line (default 20 s; a loaded machine compiles slowly). */
  readonly cliReadyMs?: number;
  /** With `process: 'cli'`: more environment for every center process (a crash test's fault file: core/fault-points.ts). */
  readonly cliEnv?: Readonly<Record<string, string>>;
  /** In this process: more sections of the center config (a module's: `voucher`, `merchantApi`, ...), or a function of the started banks (their URLs). */
  readonly sections?: Readonly<Record<string, unknown>> | ((banks: WorldBanks | null) => Readonly<Record<string, unknown>>);
  readonly db?: CenterDb;
  /** The world's versions of modules (e-money: its issuer key defaults to the world's), and any other module. */
  readonly modules?: { readonly emoney?: WorldEmoneySpec; readonly more?: readonly AnyCenterModule[] };
  readonly validity?: { readonly mode: ValidityMode };
  /** Media on the validity lists before the listener opens. */
  readonly media?: readonly NewMedium[];
  /** Terminals registered before the listener opens, beside the spec's own (outside parties: kiosk links, shop listeners). */
  readonly terminals?: readonly NewTerminal[];
  /** The first node's random (e-money tokens; tests seed it). */
  readonly random?: Random;
  /** Listed modules left out by name, and flows of a test's own beside the modules' (a stand-in for one left out). */
  readonly without?: readonly string[];
  readonly flows?: readonly CenterFlow[];
}

/** The e-money module of a world: the issuer key is the world's unless given. */
export type WorldEmoneySpec = Omit<EmoneyModuleSpec, 'config'> & { readonly config: Omit<EmoneyConfig, 'issuerMasterKey'> & { readonly issuerMasterKey?: Buffer } };

export interface WorldHardwareSpec {
  /** vpcd devices (two reader slots each). */
  readonly readerDevices: number;
  readonly scanners?: number;
  readonly validators?: number;
  readonly namePrefix?: string;
  readonly scannerBaudRate?: number;
  /** `cli`: `tessera sim serve` as a child process (world.simCli; readers only). */
  readonly process?: 'in-process' | 'cli';
}

export type WorldPart = 'center' | 'bank' | 'terminal' | 'party';

/**
 * An outside party beyond the banks (an HQ, a vendor, an SMSC as they come):
 * started after the banks and before the center (whose modules may call
 * it), closed after the center; found again with world.party(name).
 */
export interface WorldParty<T extends { close(): Promise<void> } = { close(): Promise<void> }> {
  readonly name: string;
  start(ctx: { readonly dir: string; readonly log: Logger }): Promise<T>;
}

export interface WorldSpec {
  /** Everything the world writes; default a fresh temp dir that close() removes. */
  readonly dir?: string;
  /** Terminal key files and journals (default: dir). */
  readonly terminalDir?: string;
  /** The center's clock (module timeouts: a shifted clock tests them without waiting). */
  readonly clock?: Clock;
  /** The agents' clock (default: the system clock). */
  readonly terminalClock?: Clock;
  /** A logger per part (terminals: per terminal id). Default silent. */
  readonly log?: (part: WorldPart, name?: string) => Logger;
  /** The center's terminal master key and the purse issuer key (default: random). */
  readonly masterKey?: Buffer;
  readonly issuerMasterKey?: Buffer;
  readonly hardware?: WorldHardwareSpec;
  readonly banks?: WorldBanksSpec;
  readonly parties?: readonly WorldParty[];
  readonly center?: WorldCenterSpec;
  /** Terminals provisioned before the center opens (registered with it) and started after it. */
  readonly terminals?: ReadonlyArray<WorldTerminalSpec<Keypad>>;
}

export interface WorldOptions {
  /** Runs each start step (the demo names the part that failed). */
  readonly step?: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  /** Each close step is bounded by this (default 10 s). */
  readonly shutdownStepMs?: number;
  /** Told of a close step that failed or timed out. */
  readonly onShutdownFailure?: (part: string, outcome: string) => void;
}

type Undo = { name: string; run: () => Promise<void> };

let claimedPcscSocket: string | null = null;

export class World {
  sim: Simulator | null = null;
  banks: WorldBanks | null = null;
  /** The first center node (null before open and without a center). */
  node: CenterNode | null = null;
  /** The center as a `tessera center` process (`process: 'cli'`), else null. */
  centerCli: CliCenter | null = null;
  /** The banks as `tessera bank serve` processes (`banks.process: 'cli'`), else null. */
  bankCli: CliBanks | null = null;
  /** The hardware as `tessera sim serve` (`hardware.process: 'cli'`), else null. */
  simCli: CliSim | null = null;
  /** Terminals started as `tessera terminal` processes (startTerminalProcess). */
  readonly terminalProcesses = new Map<string, CliProcess>();
  /** Nodes added with addNode() (same database). */
  readonly nodes: CenterNode[] = [];
  dbTarget: string | StorageOptions = '';
  readonly terminals = new Map<string, WorldTerminal<Keypad>>();
  readonly masterKey: Buffer;
  readonly masterKeyFile: string;
  readonly issuerMasterKey: Buffer;
  readonly clock: Clock;
  private readonly undo: Undo[] = [];
  private readonly running = new Map<string, { close(): Promise<void> }>();
  private readonly usedReaders = new Set<number>();

  private constructor(
    readonly spec: WorldSpec,
    readonly dir: string,
    private readonly ownsDir: boolean,
    private readonly opts: WorldOptions,
  ) {
    this.clock = spec.clock ?? systemClock;
    this.masterKey = spec.masterKey ?? randomBytes(32);
    this.issuerMasterKey = spec.issuerMasterKey ?? randomBytes(32);
    this.masterKeyFile = join(dir, 'center-master.key');
  }

  static async open(spec: WorldSpec, opts: WorldOptions = {}): Promise<World> {
    const dir = spec.dir ?? mkdtempSync(join(tmpdir(), 'tessera-world-'));
    mkdirSync(dir, { recursive: true });
    const w = new World(spec, dir, spec.dir === undefined, opts);
    try {
      await w.start();
    } catch (e) {
      await w.close();
      throw e;
    }
    return w;
  }

  private log(part: WorldPart, name?: string): Logger {
    return this.spec.log?.(part, name) ?? silentLogger;
  }

  private async started<T>(name: string, start: () => Promise<T>, stop: (t: T) => Promise<void>): Promise<T> {
    const t = await (this.opts.step ? this.opts.step(name, start) : start());
    this.undo.push({ name, run: () => stop(t) });
    return t;
  }

  private async start(): Promise<void> {
    const s = this.spec;
    if (s.hardware?.process === 'cli') {
      this.simCli = await this.started('simulator', () => startCliSim({ dir: this.dir, readerDevices: s.hardware!.readerDevices, issuerMasterKey: this.issuerMasterKey }), (sim) => sim.close());
    } else if (s.hardware) this.sim = await this.started('simulator', () => this.startHardware(s.hardware!), (sim) => sim.stop());
    const step = <T>(name: string, fn: () => Promise<T>): Promise<T> => (this.opts.step ? this.opts.step(name, fn) : fn());
    await step('keys', async () => writeFileSync(this.masterKeyFile, `${this.masterKey.toString('hex')}\n`, { mode: 0o600 }));
    if (s.terminalDir) mkdirSync(s.terminalDir, { recursive: true });
    const provisioned = await step('terminals', async () => {
      const out: ProvisionedTerminal<Keypad>[] = [];
      for (const t of s.terminals ?? []) out.push(await provisionTerminal(t, this.pickReader(t.reader), this.terminalWorld()));
      return out;
    });
    if (s.banks?.process === 'cli') this.bankCli = await this.started('banks', () => startCliBanks(s.banks!, this.dir), (b) => b.close());
    else if (s.banks) this.banks = await this.started('banks', () => openWorldBanks(s.banks!, this.dir, { log: this.log('bank') }), (b) => b.close());
    for (const p of s.parties ?? []) {
      const started = await this.started(p.name, () => p.start({ dir: this.dir, log: this.log('party', p.name) }), (x) => x.close());
      this.running.set(p.name, started);
    }
    if (s.center) {
      const db = await step('database', () => (s.center!.db ?? SQLITE_DB).open(this.dir));
      this.dbTarget = db.target;
      if (db.drop) this.undo.push({ name: 'database', run: db.drop });
      const register = async (validity: ValidityRepository): Promise<void> => {
        const fresh: NewTerminal[] = [];
        for (const row of [...provisioned.filter((p) => p.spec.register !== false).map(terminalRow), ...(s.center!.terminals ?? [])]) if (!(await validity.getTerminal(row.id))) fresh.push(row);
        if (fresh.length > 0) await validity.addTerminals(fresh);
        await addMissingMedia(validity, s.center!.media ?? []);
      };
      if (s.center.process === 'cli') {
        if (typeof db.target !== 'string') throw new Error('a center process needs its database as a path or URL');
        const target = db.target;
        this.centerCli = await this.started(
          'center',
          () => CliCenter.open({ dir: this.dir, db: target, masterKeyFile: this.masterKeyFile, register, ...(s.center!.validity && { validity: s.center!.validity }), sections: { ...this.emoneySection(), ...s.center!.cliSections }, ...(s.center!.cliReadyMs !== undefined && { readyMs: s.center!.cliReadyMs }), ...(s.center!.cliEnv && { env: s.center!.cliEnv }) }),
          (c) => c.close(),
        );
      } else this.node = await this.started(
        'center',
        () => this.openNode(s.center!.random, register),
        async () => {
          for (const n of this.nodes.splice(0)) await n.close();
          await this.node?.close();
          this.node = null;
        },
      );
    }
    if (provisioned.length > 0) {
      await this.started(
        'fleet',
        async () => {
          for (const p of provisioned) this.terminals.set(p.terminalId, await startWorldTerminal(p, this.terminalWorld()));
        },
        () => this.stopTerminals(),
      );
    } else {
      this.undo.push({ name: 'fleet', run: () => this.stopTerminals() });
    }
  }

  /**
   * The e-money module's section of a center process's config: the issuer
   * key and the provider's security codes in 0600 files, the banks by
   * their processes' URLs, the member shops.
   */
  private emoneySection(): Record<string, unknown> {
    const e = this.spec.center?.modules?.emoney;
    if (!e) return {};
    if (!this.bankCli) throw new Error("a center process with e-money needs the world's banks as processes (banks.process: 'cli')");
    const issuer = e.config.issuerMasterKey ?? this.issuerMasterKey;
    return {
      emoney: {
        issuerMasterKeyFile: writeSecretFile(this.dir, 'issuer.key', `${issuer.toString('hex')}\n`),
        currency: e.config.currency,
        providerAccounts: e.config.providerAccounts.map(({ securityCode, ...ref }) => ({
          ...ref,
          securityCodeFile: writeSecretFile(this.dir, `code-${ref.bankCode}-${ref.branchCode}-${ref.accountNumber}`, securityCode),
        })),
        banks: [...this.bankCli.urls].map(([bankCode, url]) => ({ bankCode, url })),
        shops: e.shops.map((shop) => ({ shopId: shop.shopId, ...shop.account })),
        ...(e.sweepIntervalMs !== undefined && { sweepIntervalMs: e.sweepIntervalMs }),
      },
    };
  }

  /**
   * Provisions a terminal (key file 0600, registered at an in-process
   * center unless `register: false`) and runs it as `tessera terminal
   * --config <id>.json`, on the world's pcscd; resolves on its ready line.
   */
  async startTerminalProcess(spec: WorldTerminalSpec, o: { readyMs?: number } = {}): Promise<CliProcess> {
    if (this.terminalProcesses.has(spec.terminalId)) throw new Error(`terminal ${spec.terminalId} already started`);
    const p = await provisionTerminal(spec, this.pickReader(spec.reader), this.terminalWorld());
    if (spec.register !== false && this.node && !(await this.validity.getTerminal(p.terminalId))) await this.validity.addTerminals([terminalRow(p)]);
    const config = writeConfigFile(this.spec.terminalDir ?? this.dir, `${spec.terminalId}.json`, terminalConfigInput(p, this.terminalWorld()));
    const env = this.simCli?.pcscEnv ?? (this.sim ? { PCSCLITE_CSOCK_NAME: this.sim.info().pcscSocket } : {});
    if (this.terminalProcesses.size === 0) this.undo.push({ name: 'terminal processes', run: async () => void (await Promise.all([...this.terminalProcesses.values()].map((t) => t.stop()))) });
    const proc = new CliProcess(spec.terminalId, ['terminal', '--config', config], env);
    this.terminalProcesses.set(spec.terminalId, proc);
    await proc.ready(o.readyMs ?? 30_000);
    return proc;
  }

  /** Every `tessera` process the world started (for scans of what they printed). */
  get processes(): CliProcess[] {
    return [...(this.bankCli?.processes.values() ?? []), ...(this.simCli ? [this.simCli.process] : []), ...(this.centerCli?.processes ?? []), ...this.terminalProcesses.values()];
  }

  private async stopTerminals(): Promise<void> {
    await Promise.all([...this.terminals.values()].map((t) => t.stop().catch(() => undefined)));
  }

  private async startHardware(h: WorldHardwareSpec): Promise<Simulator> {
    const sim = await Simulator.start({
      stateDir: join(this.dir, 'sim'),
      readerDevices: h.readerDevices,
      scanners: h.scanners ?? 0,
      validators: h.validators ?? 0,
      namePrefix: h.namePrefix ?? 'Tessera World',
      masterKey: this.issuerMasterKey,
      clock: this.spec.terminalClock ?? systemClock,
    });
    const socket = sim.info().pcscSocket;
    if (claimedPcscSocket !== null && claimedPcscSocket !== socket) {
      await sim.stop();
      throw new Error('one world with hardware per process: libpcsclite reads PCSCLITE_CSOCK_NAME once');
    }
    // Before the first PC/SC call of this process (the agents' readers open after this).
    claimedPcscSocket = socket;
    process.env['PCSCLITE_CSOCK_NAME'] = socket;
    return sim;
  }

  private pickReader(wanted?: number): number {
    const readers = this.sim?.pcscd.slots.length ?? this.simCli?.readers.length ?? 0;
    const i = wanted ?? [...Array(readers).keys()].find((k) => !this.usedReaders.has(k));
    if (i === undefined || i >= readers) throw new Error('no free reader slot: open the world with more reader devices');
    this.usedReaders.add(i);
    return i;
  }

  private terminalWorld(): TerminalWorld {
    const sim = this.sim;
    const needSim = (): Simulator => {
      if (!sim) throw new Error('this world has no simulated hardware');
      return sim;
    };
    return {
      terminalDir: this.spec.terminalDir ?? this.dir,
      masterKey: this.masterKey,
      centerPort: () => this.centerPort,
      readerName: (slot) => this.simCli?.readers[slot] ?? needSim().readerName(slot),
      scannerPath: (name) => needSim().scanner(name).devicePath,
      scannerBaudRate: this.spec.hardware?.scannerBaudRate ?? 9600,
      get slots() {
        return needSim().cards;
      },
      log: (id) => this.log('terminal', id),
      ...(this.spec.terminalClock && { clock: this.spec.terminalClock }),
    };
  }

  private openNode(random: Random | undefined, register?: (validity: ValidityRepository) => Promise<void>, sweepAtStart = false): Promise<CenterNode> {
    const c = this.spec.center!;
    const emoney = c.modules?.emoney;
    return openCenterNode(
      {
        db: this.dbTarget,
        masterKeyFile: this.masterKeyFile,
        ...(this.node && { port: this.node.port }),
        ...(c.validity && { validity: c.validity }),
        ...(c.sections && { sections: typeof c.sections === 'function' ? c.sections(this.banks) : c.sections }),
        ...(emoney && {
          emoney: { ...emoney, config: { ...emoney.config, issuerMasterKey: emoney.config.issuerMasterKey ?? this.issuerMasterKey }, sweepAtStart: sweepAtStart || emoney.sweepAtStart === true },
        }),
        ...(c.modules?.more && { modules: c.modules.more }),
        ...(c.without && { without: c.without }),
        ...(c.flows && { flows: c.flows }),
        ...(this.banks && { relay: this.banks.relay }),
        ...(register && { register }),
      },
      { clock: this.clock, log: this.log('center'), ...(random && { random }) },
    );
  }

  /** A started outside party by name. */
  party<T extends { close(): Promise<void> }>(name: string): T {
    const p = this.running.get(name);
    if (!p) throw new Error(`no party ${name} in this world`);
    return p as T;
  }

  private get requireNode(): CenterNode {
    if (!this.node) throw new Error('this world has no center');
    return this.node;
  }

  get storage(): Storage {
    return this.requireNode.storage;
  }

  /** The validity module's lists (terminals, media) on the first node's storage. */
  get validity(): ValidityRepository {
    return this.requireNode.validity;
  }

  private get requireSim(): Simulator {
    if (!this.sim) throw new Error('this world has no simulated hardware');
    return this.sim;
  }

  /** The first node's running center (listener and modules), or null while stopped. */
  get center(): Center | null {
    return this.node?.center ?? null;
  }

  /** The virtual cards in the world's reader slots. */
  get slots(): CardSlots {
    return this.requireSim.cards;
  }

  /** The name of reader slot `i` of the world's pcscd. */
  readerName(i: number): string {
    return this.requireSim.readerName(i);
  }

  /**
   * Issues a purse card (or a foreign card) on the world's issuer key and,
   * unless `register: false` or foreign, puts it on the validity lists with
   * a status.
   */
  async card(cardId: string, o: { status?: MediumStatus; foreign?: boolean; register?: boolean; pin?: string; balanceMinor?: number } = {}): Promise<void> {
    await this.requireSim.issueCard({ cardId, pin: o.pin ?? '1234', balanceMinor: o.balanceMinor ?? 10_000, foreign: o.foreign === true });
    if (o.register === false || o.foreign) return;
    await this.validity.addMedia([{ id: cardId, expiresAtMs: this.clock.nowMs() + 86_400_000, ...(o.status && { status: o.status }) }]);
  }

  /** The center's listener port (the same across stop/start). */
  get centerPort(): number {
    return this.node?.port ?? this.centerCli?.port ?? 0;
  }

  /**
   * Opens the terminal listener (again, on the same port) and waits until
   * every running agent's link is up again (unless `awaitTerminals: false`).
   * With a change (validity mode, modules, flows) a running listener is
   * closed first and the node runs with the change from now on.
   */
  async startCenter(change?: CenterChange, o: { awaitTerminals?: boolean } = {}): Promise<void> {
    if (this.centerCli) {
      if (change) throw new Error('a center process runs on its config file');
      await this.centerCli.start(); // a new process unless one runs
    } else {
      const node = this.requireNode;
      if (change) await node.stopListener();
      await node.startListener(change);
    }
    // Agents reconnect with exponential backoff (up to PROTOCOL_LIMITS.reconnectDelayMsMax): wait for them, bounded.
    if (o.awaitTerminals !== false) await Promise.all([...this.terminals.values()].filter((t) => t.running).map((t) => t.linkUp()));
  }

  /** Closes the terminal listener: the terminals are offline. Storage and modules stay open. */
  async stopCenter(): Promise<void> {
    await this.node?.stopListener();
  }

  /** Drops the center node (listener, modules, storage) and opens it again from its database, sweeping at start. */
  async crashCenter(): Promise<void> {
    const old = this.requireNode;
    await old.stopListener();
    await old.idle();
    await old.close();
    this.node = await this.openNode(undefined, undefined, true);
    await this.startCenter();
  }

  /** Another center node on the world's database (PostgreSQL: several nodes; closed with the world). */
  async addNode(random?: Random): Promise<CenterNode> {
    const saved = this.node;
    this.node = null; // a port of its own
    try {
      const n = await this.openNode(random);
      this.nodes.push(n);
      return n;
    } finally {
      this.node = saved;
    }
  }

  /** Registers a terminal at the center (if new; not with `register: false`) and writes its key file; returns the key file path. */
  async registerTerminal(terminalId: string, o: { ownerId?: string; callbackPort?: number; status?: TerminalStatus; register?: boolean } = {}): Promise<string> {
    const key = writeTerminalKey(this.spec.terminalDir ?? this.dir, this.masterKey, terminalId);
    if (o.register !== false && !(await this.validity.getTerminal(terminalId))) {
      await this.validity.addTerminals([terminalRow({ terminalId, keyRef: key.keyRef, callbackPort: o.callbackPort ?? null, spec: o })]);
    }
    return key.keyFile;
  }

  /** Provisions, registers and starts a terminal's agent. */
  async startTerminal<K extends Keypad>(spec: WorldTerminalSpec<K>): Promise<WorldTerminal<K>> {
    if (this.terminals.has(spec.terminalId)) throw new Error(`terminal ${spec.terminalId} already started`);
    const p = await provisionTerminal(spec, this.pickReader(spec.reader), this.terminalWorld());
    if (spec.register !== false && this.node && !(await this.validity.getTerminal(p.terminalId))) await this.validity.addTerminals([terminalRow(p)]);
    const t = await startWorldTerminal(p, this.terminalWorld());
    this.terminals.set(spec.terminalId, t as WorldTerminal<Keypad>);
    return t;
  }

  /** Waits for the center modules' work in flight (settlement callbacks, payments). */
  async idle(): Promise<void> {
    for (const n of [this.node, ...this.nodes]) await n?.idle();
  }

  /** Closes everything, newest first, each step bounded; returns the steps that failed (`part:code`). */
  async close(): Promise<string[]> {
    const failed: string[] = [];
    for (const step of this.undo.splice(0).reverse()) {
      let timer: TimerHandle | undefined;
      const outcome = await Promise.race([
        step.run().then(() => 'ok', (e: unknown) => errorCode(e)),
        new Promise<string>((resolve) => (timer = systemClock.setTimer(this.opts.shutdownStepMs ?? 10_000, () => resolve('timeout')))),
      ]);
      timer?.cancel();
      if (outcome !== 'ok') {
        failed.push(`${step.name}:${outcome}`);
        this.opts.onShutdownFailure?.(step.name, outcome);
      }
    }
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
    return failed;
  }
}

async function addMissingMedia(validity: ValidityRepository, media: readonly NewMedium[]): Promise<void> {
  const fresh: NewMedium[] = [];
  for (const m of media) if (!(await validity.getMedium(m.id))) fresh.push(m);
  if (fresh.length > 0) await validity.addMedia(fresh);
}

export const openWorld = (spec: WorldSpec, opts?: WorldOptions): Promise<World> => World.open(spec, opts);
