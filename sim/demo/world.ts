/**
 * The whole demo world of one run, started in dependency order and closed in
 * reverse: the simulator (its own pcscd with vpcd readers; purse cards and
 * bank cash cards; a barcode scanner on a socat pty), a drive with a medium
 * per shop terminal (media.ts), banks A and B over HTTP behind the relay, the center on
 * SQLite with the e-money module, and the fleet of terminal agents. A part
 * that fails to start unwinds what was started and ends DEMO_SETUP_FAILED.
 */
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorCode, TesseraError } from '../../core/errors.js';
import { createLogger, type Logger } from '../../core/log.js';
import { systemRandom } from '../../core/random.js';
import type { RoleRegistry } from '../../terminal/agent/role-registry.js';
import { Simulator } from '../simulator.js';
import { startBanks, type DemoBanks } from './banks.js';
import type { DemoCast } from './cast.js';
import { startCenter, type DemoCenter } from './center.js';
import { startFleet, stopFleet, type DemoTerminal } from './fleet.js';
import { DEMO_LIMITS } from './limits.js';
import { LogFile } from './log-file.js';
import { insertMedia, type DemoDrive } from './media.js';
import { provisionTerminals, readerDevicesFor, scannersFor, writeMasterKey } from './terminals.js';

export interface DemoWorld {
  readonly dir: string;
  readonly logFile: string;
  readonly log: Logger;
  readonly sim: Simulator;
  readonly banks: DemoBanks;
  readonly center: DemoCenter;
  readonly fleet: ReadonlyMap<string, DemoTerminal>;
  /** The shop terminals' drives (terminal id → drive with its medium in). */
  readonly drives: ReadonlyMap<string, DemoDrive>;
  /** Closes everything, newest first; each step bounded; returns the codes of steps that failed. */
  close(): Promise<string[]>;
}

/** libpcsclite reads PCSCLITE_CSOCK_NAME once per process: one demo world per process. */
let pcscClaimed = false;

type Step = { name: string; run: () => Promise<void> };

export async function startWorld(o: { cast: DemoCast; dir: string; roles: RoleRegistry; clock: Clock }): Promise<DemoWorld> {
  const logFile = join(o.dir, 'demo.log');
  const dest = new LogFile(logFile);
  const log = createLogger('demo', { level: process.env['TESSERA_LOG_LEVEL'] ?? 'info' }, dest);
  const undo: Step[] = [{ name: 'log', run: async () => dest.close() }];
  const close = (): Promise<string[]> => unwind(undo, log, o.clock);
  const started = async <T>(name: string, start: () => Promise<T>, stop: (t: T) => Promise<void>): Promise<T> => {
    const t = await setupStep(name, start);
    undo.push({ name, run: () => stop(t) });
    return t;
  };
  try {
    const sim = await started('simulator', () => startSimulator(o.cast, o.dir, o.clock), (s) => s.stop());
    await setupStep('cards', () => issueCards(sim, o.cast));
    const keys = await setupStep('keys', async () => writeMasterKey(o.dir, systemRandom));
    const specs = await setupStep('terminals', () => provisionTerminals(o.cast, o.dir, keys.masterKey));
    const drives = await setupStep('media', async () => insertMedia(o.dir, specs.filter((s) => s.storeMountDir !== null).map((s) => s.terminalId)));
    const banks = await started('banks', () => startBanks(o.cast, o.dir, log.child({ part: 'bank' })), (b) => b.close());
    const center = await started(
      'center',
      () => startCenter({ cast: o.cast, dir: o.dir, relay: banks.relay, issuerMasterKey: sim.masterKey, ...keys, terminals: specs, log: log.child({ part: 'center' }), clock: o.clock }),
      (c) => c.close(),
    );
    const fleet = await started('fleet', () => startFleet({ sim, specs, centerPort: center.center.address.port, roles: o.roles, log: log.child({ part: 'terminal' }), clock: o.clock }), stopFleet);
    return { dir: o.dir, logFile, log, sim, banks, center, fleet, drives, close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function startSimulator(cast: DemoCast, dir: string, clock: Clock): Promise<Simulator> {
  if (pcscClaimed) throw new TesseraError('DEMO_SETUP_FAILED', 'one demo per process: the PC/SC client library reads its socket path once');
  const stateDir = join(dir, 'sim');
  const socket = join(stateDir, 'pcscd', 'run', 'pcscd.comm');
  if (Buffer.byteLength(socket) > DEMO_LIMITS.socketPathBytesMax) {
    throw new TesseraError('DEMO_BAD_OPTION', 'the state directory path is too long for the pcscd socket; use a shorter --state-dir', { bytes: Buffer.byteLength(socket) });
  }
  const sim = await Simulator.start({ stateDir, readerDevices: readerDevicesFor(cast), scanners: scannersFor(cast), namePrefix: 'Tessera Demo', clock });
  // Before the first PC/SC call of this process (the agents' readers open after this).
  process.env['PCSCLITE_CSOCK_NAME'] = sim.info().pcscSocket;
  pcscClaimed = true;
  return sim;
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

/** Runs undo steps newest first, each bounded by shutdownStepTimeoutMs; all run even if one fails or hangs. */
async function unwind(undo: Step[], log: Logger, clock: Clock): Promise<string[]> {
  const failed: string[] = [];
  for (const step of undo.splice(0).reverse()) {
    let timer: TimerHandle | undefined;
    const outcome = await Promise.race([
      step.run().then(() => 'ok', (e: unknown) => errorCode(e)),
      new Promise<string>((resolve) => (timer = clock.setTimer(DEMO_LIMITS.shutdownStepTimeoutMs, () => resolve('timeout')))),
    ]);
    timer?.cancel();
    if (outcome !== 'ok') {
      failed.push(`${step.name}:${outcome}`);
      if (step.name !== 'log') log.warn({ part: step.name, outcome }, 'shutdown step failed');
    }
  }
  return failed;
}
