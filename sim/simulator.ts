import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import { TesseraError } from '../core/errors.js';
import { PidLock } from '../core/files.js';
import { systemRandom, type Random } from '../core/random.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { CardSlots, type InsertOptions, type SlotView } from './card/card-slots.js';
import type { CardState, CashCardOptions, CashCardState } from './card/card-state.js';
import { VirtualMedium } from './medium/virtual-medium.js';
import { SimPcscd } from './pcscd/sim-pcscd.js';
import { VirtualScanner, type ScanOptions } from './scanner/virtual-scanner.js';
import { plugValidators, validatorsInfo } from './validator/sim-validators.js';
import type { VirtualValidator } from './validator/virtual-validator.js';

export interface SimulatorOptions {
  /** Everything the simulator keeps: card states, issuer key, pcscd dir, ptys, media. */
  readonly stateDir: string;
  /** vpcd devices (two reader slots each). */
  readonly readerDevices?: number;
  readonly scanners?: number;
  /** Virtual ccTalk bill validators on ptys (`validator0`, …; sim/validator/sim-validators.ts). Default 0. */
  readonly validators?: number;
  readonly basePorts?: readonly number[];
  readonly namePrefix?: string;
  /** Issuer master key; default: `<stateDir>/issuer.key` (created with 32 random bytes if missing). */
  readonly masterKey?: Buffer;
  readonly clock?: Clock;
  readonly random?: Random;
}

/** What a terminal needs to use the simulated hardware. */
export interface SimInfo {
  /** Set PCSCLITE_CSOCK_NAME to this in the terminal process (before its first PC/SC call). */
  readonly pcscSocket: string;
  readonly pcscdIsolation: string;
  readonly readers: SlotView[];
  /** Serial port paths, one per virtual scanner. */
  readonly scanners: Array<{ readonly name: string; readonly path: string; readonly plugged: boolean }>;
  /** The removable-store mount directory (exists while a medium is inserted). */
  readonly mediumMountDir: string;
  readonly mediumInserted: string | null;
  readonly issuerKeyFile: string;
  /** Serial port paths, one per virtual bill validator (ccTalk address 40). */
  readonly validators: ReturnType<typeof validatorsInfo>;
}

/**
 * The hardware a terminal expects, simulated below the real drivers: a pcscd
 * with vpcd readers and virtual cards, socat-backed serial scanners, and a
 * floppy-style drive with virtual media. Every piece of state lives in this
 * instance or under stateDir; several simulators can run side by side.
 */
export class Simulator {
  private readonly media = new Map<string, VirtualMedium>();
  private insertedMedium: string | null = null;
  /** Virtual bill validators by name (options.validators). */
  validators: ReadonlyMap<string, VirtualValidator> = new Map();

  private constructor(
    private readonly dirs: { state: string; shelf: string; mount: string; issuerKey: string },
    readonly pcscd: SimPcscd,
    readonly cards: CardSlots,
    readonly scanners: ReadonlyMap<string, VirtualScanner>,
    readonly masterKey: Buffer,
    private readonly lock: PidLock,
  ) {}

  static async start(options: SimulatorOptions): Promise<Simulator> {
    const state = options.stateDir;
    const dirs = { state, shelf: join(state, 'media'), mount: join(state, 'drive', 'medium'), issuerKey: join(state, 'issuer.key') };
    mkdirSync(state, { recursive: true });
    // Before anything else: a second simulator on this directory would replace the control socket and, on exit, delete pcscd's socket.
    const lock = PidLock.acquire(join(state, 'sim.lock'), 'SIM_STATE_DIR_IN_USE', `the simulator state directory ${state}`);
    try {
      return await Simulator.startLocked(options, dirs, lock);
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  private static async startLocked(options: SimulatorOptions, dirs: Simulator['dirs'], lock: PidLock): Promise<Simulator> {
    const state = dirs.state;
    for (const d of [dirs.shelf, join(state, 'drive'), join(state, 'pty')]) mkdirSync(d, { recursive: true });
    const random = options.random ?? systemRandom;
    const masterKey = options.masterKey ?? (await loadOrCreateKey(dirs.issuerKey, random));
    const clock = options.clock ?? systemClock;
    const pcscd = await SimPcscd.start({
      dir: join(state, 'pcscd'),
      devices: options.readerDevices ?? 1,
      namePrefix: options.namePrefix ?? 'Tessera Sim',
      random,
      clock,
      ...(options.basePorts ? { basePorts: options.basePorts } : {}),
    });
    const scanners = new Map<string, VirtualScanner>();
    try {
      for (let i = 0; i < (options.scanners ?? 1); i++) {
        const scanner = new VirtualScanner(join(state, 'pty'), `scanner${i}`, clock);
        await scanner.plug();
        scanners.set(`scanner${i}`, scanner);
      }
    } catch (e) {
      await Promise.all([...scanners.values()].map((s) => s.unplug()));
      await pcscd.stop();
      throw e;
    }
    const cards = new CardSlots(pcscd.slots, join(state, 'cards'), clock);
    const sim = new Simulator(dirs, pcscd, cards, scanners, masterKey, lock);
    sim.validators = await plugValidators(join(state, 'pty'), options.validators ?? 0, clock).catch(async (e: unknown) => {
      await sim.stop();
      throw e;
    });
    return sim;
  }

  info(): SimInfo {
    return {
      pcscSocket: this.pcscd.socketPath,
      pcscdIsolation: this.pcscd.isolation,
      readers: this.cards.list(),
      scanners: [...this.scanners].map(([name, s]) => ({ name, path: s.devicePath, plugged: s.plugged })),
      mediumMountDir: this.dirs.mount,
      mediumInserted: this.insertedMedium,
      issuerKeyFile: this.dirs.issuerKey,
      validators: validatorsInfo(this.validators),
    };
  }

  /** Issues a purse card (or a foreign card) with keys diversified from this simulator's issuer key. */
  issueCard(o: { cardId: string; pin: string; balanceMinor?: number; currency?: string; foreign?: boolean }): Promise<CardState> {
    return this.cards.issue({
      cardId: o.cardId,
      pin: o.pin,
      masterKey: this.masterKey,
      ...(o.balanceMinor !== undefined ? { balanceMinor: o.balanceMinor } : {}),
      ...(o.currency !== undefined ? { currency: o.currency } : {}),
      application: o.foreign ? 'foreign' : 'purse',
    });
  }

  /** Issues a bank cash card (seed 004) carrying a user's bank account: bank 4 digits, branch 3, account 7. */
  issueCashCard(o: CashCardOptions): Promise<CashCardState> {
    return this.cards.issueCashCard(o);
  }

  /** A reader by name or by index in info().readers. */
  readerName(reader: string | number): string {
    const list = this.cards.list();
    const found = typeof reader === 'number' ? list[reader] : list.find((r) => r.name === reader);
    if (!found) throw new TesseraError('SIM_UNKNOWN_READER', `no simulated reader ${JSON.stringify(reader)}`);
    return found.name;
  }

  async insertCard(cardId: string, reader: string | number, options: InsertOptions = {}): Promise<void> {
    await this.cards.insert(cardId, this.readerName(reader), options);
  }

  async removeCard(reader: string | number): Promise<void> {
    await this.cards.remove(this.readerName(reader));
  }

  scanner(name: string): VirtualScanner {
    const scanner = this.scanners.get(name);
    if (!scanner) throw new TesseraError('SIM_BAD_COMMAND', `no virtual scanner '${name}'`);
    return scanner;
  }

  async scan(scanner: string, data: string, options: ScanOptions = {}): Promise<void> {
    await this.scanner(scanner).scan(data, options);
  }

  /** Inserts a medium by name (a new blank one is made on first use). */
  insertMedium(name: string): void {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(name)) throw new TesseraError('SIM_BAD_COMMAND', 'medium names are 1-32 of [A-Za-z0-9_-]');
    if (this.insertedMedium !== null) throw new TesseraError('SIM_MEDIUM_STATE', `medium '${this.insertedMedium}' is in the drive`);
    const medium = this.media.get(name) ?? new VirtualMedium(name, this.dirs.shelf, this.dirs.mount);
    this.media.set(name, medium);
    medium.insert();
    this.insertedMedium = name;
  }

  ejectMedium(): string {
    const name = this.insertedMedium;
    if (name === null) throw new TesseraError('SIM_MEDIUM_STATE', 'the drive is empty');
    this.media.get(name)?.eject();
    this.insertedMedium = null;
    return name;
  }

  /** Removes every card, ejects the medium, unplugs scanners, stops pcscd. Card states and media stay. */
  async stop(): Promise<void> {
    await this.cards.removeAll().catch(() => undefined);
    if (this.insertedMedium !== null) this.ejectMedium();
    await Promise.all([...this.scanners.values()].map((s) => s.unplug()));
    await Promise.all([...this.validators.values()].map((v) => v.unplug()));
    await this.pcscd.stop();
    rmSync(join(this.dirs.state, 'pcscd', 'run'), { recursive: true, force: true });
    this.lock.release();
  }
}

async function loadOrCreateKey(path: string, random: Random): Promise<Buffer> {
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
    if (key.length !== 32) throw new TesseraError('SIM_BAD_COMMAND', 'issuer key file must hold 64 hex chars', { path });
    return key;
  }
  const key = random.bytes(32);
  await writeFileAtomic(path, Buffer.from(`${key.toString('hex')}\n`), `${process.pid}`);
  return key;
}
