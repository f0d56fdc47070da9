/**
 * The whole demo world of one run, as a spec of the one world builder
 * (sim/world/world.ts), started in dependency order and closed in reverse:
 * the simulator (its own pcscd with vpcd readers; purse cards and bank cash
 * cards; a barcode scanner on a socat pty), a drive with a medium per shop
 * terminal (media.ts), banks A and B over HTTP behind the relay, the center
 * on SQLite with its modules (e-money with the provider's account at every
 * bank and the member shops; every terminal and purse card registered
 * before the listener opens; the sweep on a timer), and the fleet of
 * terminal agents. A part that fails to start unwinds what was started and
 * ends DEMO_SETUP_FAILED.
 */
import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { errorCode, TesseraError } from '../../core/errors.js';
import { createLogger, type Logger } from '../../core/log.js';
import type { Emoney } from '../../center/emoney/emoney.js';
import type { Center } from '../../center/server/start-center.js';
import { SqliteStorage } from '../../center/storage/sqlite.js';
import { assert } from '../../core/assert.js';
import type { RoleRegistry } from '../../terminal/agent/role-registry.js';
import type { Simulator } from '../simulator.js';
import type { WorldBanks } from '../world/banks.js';
import type { WorldTerminal } from '../world/terminals.js';
import { openWorld, type World, type WorldSpec } from '../world/world.js';
import { CURRENCY, type DemoCast } from './cast.js';
import { DemoTerminal } from './fleet.js';
import { DEMO_LIMITS } from './limits.js';
import { LogFile } from './log-file.js';
import { insertMedia, type DemoDrive } from './media.js';
import type { PersonKeypad } from './person-keypad.js';
import { readerDevicesFor, scannersFor, terminalSpecs } from './terminals.js';
import { VOUCHER_CHAIN } from './vouchers/plan.js';
import type { VoucherSetup } from './vouchers/setup.js';
import type { PasswordSetup } from './passwords/setup.js';
import type { PrepaidSetup } from './prepaid/setup.js';

/** A registered purse card stays valid this long (the demo lasts minutes). */
const CARD_VALIDITY_MS = 365 * 24 * 3_600_000;

export interface DemoCenter {
  readonly center: Center;
  readonly emoney: Emoney;
  readonly storage: SqliteStorage;
  readonly dbPath: string;
  /** The storage's defaults (WAL, synchronous=FULL), read back and reported. */
  readonly pragmas: { journalMode: string; synchronous: number };
}

export interface DemoWorld {
  /** The world builder's handle (terminals started later, the master key file). */
  readonly world: World;
  readonly dir: string;
  readonly logFile: string;
  readonly log: Logger;
  readonly sim: Simulator;
  readonly banks: WorldBanks;
  readonly center: DemoCenter;
  readonly fleet: ReadonlyMap<string, DemoTerminal>;
  /** The shop terminals' drives (terminal id → drive with its medium in). */
  readonly drives: ReadonlyMap<string, DemoDrive>;
  /** Simulator scanners left for the voucher tills (none without the voucher scene). */
  readonly voucherScanners: readonly string[];
  /** The simulator scanner left for the settlement-password till (null without the password scene). */
  readonly passwordScanner: string | null;
  /** Closes everything, newest first; each step bounded; returns the codes of steps that failed. */
  close(): Promise<string[]>;
}

/** libpcsclite reads PCSCLITE_CSOCK_NAME once per process: one demo world per process. */
let pcscClaimed = false;

/** The demo's cast as a world: what runs where. */
export function demoSpec(cast: DemoCast, dir: string, roles: RoleRegistry, clock: Clock, log: Logger, vouchers?: VoucherSetup, passwords?: PasswordSetup, prepaid?: PrepaidSetup): WorldSpec {
  // The voucher tills (started by the voucher scene) take one more reader device and a scanner each; the prepaid kiosk a reader slot (its validator is the scene's).
  const tills = (vouchers ? VOUCHER_CHAIN.stores.length : 0) + (passwords ? 1 : 0);
  const kiosks = prepaid ? 1 : 0;
  return {
    dir,
    terminalDir: join(dir, 'terminals'),
    clock,
    terminalClock: clock,
    log: (part, name) => (part === 'terminal' ? log.child({ part }).child({ terminal: name }) : log.child({ part })),
    hardware: {
      readerDevices: readerDevicesFor(cast) + Math.ceil((tills + kiosks) / 2),
      scanners: scannersFor(cast) + tills,
      namePrefix: 'Tessera Demo',
      scannerBaudRate: DEMO_LIMITS.scannerBaud,
    },
    banks: {
      transport: 'http',
      banks: cast.banks,
      accounts: [
        ...cast.users.map((u) => ({ ref: u.account, holder: u.name, role: 'user' as const, pin: u.bankPin, openingMinor: u.openingMinor })),
        ...cast.shops.map((s) => ({ ref: s.account, holder: s.shopId, role: 'merchant' as const, pin: s.pin })),
        // The provider's accounts open empty: its balance at each bank is then exactly its net position there.
        ...cast.provider.map((p) => ({ ref: { bankCode: p.bankCode, branchCode: p.branchCode, accountNumber: p.accountNumber }, holder: 'provider', role: 'provider' as const, pin: p.securityCode })),
        ...(vouchers?.accounts ?? []),
        ...(passwords?.accounts ?? []),
      ],
    },
    // The settlement-password scene's SMSC and mail server, up before the center binds to them.
    ...(passwords && { parties: passwords.parties }),
    center: {
      validity: { mode: 'cached' },
      ...((vouchers || passwords || prepaid) && { sections: (banks: WorldBanks | null) => ({ ...vouchers?.centerSections(banks), ...passwords?.centerSections(), ...prepaid?.centerSections() }) }),
      // The prepaid scene's provider center, a terminal of the prepaid center.
      ...(prepaid && { terminals: prepaid.terminals }),
      media: cast.users.map((u) => ({ id: u.purseCardId, expiresAtMs: clock.nowMs() + CARD_VALIDITY_MS })),
      modules: {
        emoney: {
          config: { currency: CURRENCY, providerAccounts: cast.provider },
          shops: cast.shops.map((s) => ({ shopId: s.shopId, account: s.account })),
          sweepIntervalMs: DEMO_LIMITS.sweepIntervalMs,
        },
      },
    },
    terminals: terminalSpecs(cast, dir).map((t) => ({ ...t, roles })),
  };
}

export async function startWorld(o: { cast: DemoCast; dir: string; roles: RoleRegistry; clock: Clock; vouchers?: VoucherSetup; passwords?: PasswordSetup; prepaid?: PrepaidSetup }): Promise<DemoWorld> {
  const logFile = join(o.dir, 'demo.log');
  const dest = new LogFile(logFile);
  const log = createLogger('demo', { level: process.env['TESSERA_LOG_LEVEL'] ?? 'info' }, dest);
  try {
    checkPcsc(o.dir);
    const drives = await setupStep('media', async () => insertMedia(o.dir, o.cast.shops.map((s) => s.terminalId)));
    const spec = demoSpec(o.cast, o.dir, o.roles, o.clock, log, o.vouchers, o.passwords, o.prepaid);
    const world = await openWorld(spec, {
      step: setupStep,
      shutdownStepMs: DEMO_LIMITS.shutdownStepTimeoutMs,
      onShutdownFailure: (part, outcome) => log.warn({ part, outcome }, 'shutdown step failed'),
    });
    pcscClaimed = true;
    const close = async (): Promise<string[]> => {
      const failed = await world.close();
      dest.close();
      return failed;
    };
    try {
      const sim = world.sim!;
      await setupStep('cards', () => issueCards(sim, o.cast));
      const node = world.node!;
      const storage = node.storage;
      assert(storage instanceof SqliteStorage, 'the demo center runs on SQLite');
      const center: DemoCenter = { center: node.center!, emoney: node.emoney!, storage, dbPath: join(o.dir, 'center.db'), pragmas: storage.pragmas() };
      const fleet = new Map([...world.terminals].map(([id, t]) => [id, new DemoTerminal(t as WorldTerminal<PersonKeypad>, sim, o.clock)]));
      const voucherScanners = o.vouchers ? VOUCHER_CHAIN.stores.map((_, i) => `scanner${scannersFor(o.cast) + i}`) : [];
      const passwordScanner = o.passwords ? `scanner${scannersFor(o.cast) + voucherScanners.length}` : null;
      return { world, dir: o.dir, logFile, log, sim, banks: world.banks!, center, fleet, drives, voucherScanners, passwordScanner, close };
    } catch (e) {
      await close();
      throw e;
    }
  } catch (e) {
    dest.close();
    throw e;
  }
}

/** One simulator per process, and its pcscd socket path must fit a Unix socket address. */
function checkPcsc(dir: string): void {
  if (pcscClaimed) throw new TesseraError('DEMO_SETUP_FAILED', 'one demo per process: the PC/SC client library reads its socket path once');
  const socket = join(dir, 'sim', 'pcscd', 'run', 'pcscd.comm');
  if (Buffer.byteLength(socket) > DEMO_LIMITS.socketPathBytesMax) {
    throw new TesseraError('DEMO_BAD_OPTION', 'the state directory path is too long for the pcscd socket; use a shorter --state-dir', { bytes: Buffer.byteLength(socket) });
  }
}

async function issueCards(sim: Simulator, cast: DemoCast): Promise<void> {
  for (const u of cast.users) {
    await sim.issueCard({ cardId: u.purseCardId, pin: u.cardPin, balanceMinor: 0 });
    await sim.issueCashCard({ cardId: u.cashCardId, ...u.account });
  }
}

/** A setup step's failure as DEMO_SETUP_FAILED naming the part and the cause's code (coded demo errors pass through). */
async function setupStep<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof TesseraError && e.code.startsWith('DEMO_')) throw e;
    throw new TesseraError('DEMO_SETUP_FAILED', `${name} did not start (${errorCode(e)})`, { part: name, cause: errorCode(e) }, { cause: e });
  }
}
