import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { systemRandom, type Random } from '../../core/random.js';
import { SIM_LIMITS } from '../limits.js';
import { pickFreePortRuns } from './free-ports.js';
import { buildNodelayShim } from './nodelay-shim.js';
import { VPCD_DRIVER_PATH, vpcdReaderConf } from './reader-conf.js';

export interface SimPcscdOptions {
  /** Working directory (reader config, socket dir); created if missing. */
  readonly dir: string;
  /** vpcd devices to configure; each exposes two reader slots. */
  readonly devices: number;
  /** Friendly name prefix; device i is named `${namePrefix} ${i}`. */
  readonly namePrefix?: string;
  /** Explicit base ports (one per device) instead of random free ones. */
  readonly basePorts?: readonly number[];
  /** Turn off Nagle in the vpcd driver through the LD_PRELOAD shim (default true). */
  readonly nodelay?: boolean;
  readonly random?: Random;
  readonly clock?: Clock;
  /** pcscd log level; its output goes to `<dir>/pcscd.log` (default info). */
  readonly logLevel?: 'info' | 'debug';
}

/** One reader slot of the simulated pcscd: its PC/SC name and the TCP port its virtual card connects to. */
export interface SimReaderSlot {
  readonly name: string;
  readonly port: number;
}

/** How pcscd is kept apart from any system pcscd: a private /run/pcscd in a mount namespace, or none. */
export type PcscdIsolation = 'mount-namespace' | 'user-namespace' | 'none';

const NAMESPACE_SCRIPT = 'mount -t tmpfs tessera /run && mkdir -p /run/pcscd && mount --bind "$0" /run/pcscd && exec "$@"';

/**
 * A pcscd of our own, started in the foreground with its own reader.conf.d
 * (vpcd devices on ports we choose) and, when the system allows it, its own
 * socket: pcsc-lite 1.9.9's daemon ignores PCSCLITE_CSOCK_NAME and always
 * uses /run/pcscd, so we run it in a mount namespace where /run/pcscd is a
 * directory of ours. Clients reach it by setting PCSCLITE_CSOCK_NAME to
 * `socketPath` before their first PC/SC call.
 */
export class SimPcscd {
  private stopped = false;
  private readonly logTail: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly socketPath: string,
    readonly slots: readonly SimReaderSlot[],
    readonly isolation: PcscdIsolation,
    readonly nodelay: boolean,
    private readonly clock: Clock,
    private readonly logStream: WriteStream,
  ) {
    child.once('exit', (code, signal) => {
      this.logStream.end(`[tessera] pcscd exited code=${code} signal=${signal}\n`);
    });
  }

  static async start(options: SimPcscdOptions): Promise<SimPcscd> {
    if (!Number.isInteger(options.devices) || options.devices < 1 || options.devices > SIM_LIMITS.vpcdDevicesMax) {
      throw new TesseraError('SIM_PCSCD_START_FAILED', `vpcd devices must be 1..${SIM_LIMITS.vpcdDevicesMax}`, { devices: options.devices });
    }
    const clock = options.clock ?? systemClock;
    const prefix = options.namePrefix ?? 'Tessera Sim';
    const confDir = join(options.dir, 'reader.conf.d');
    const runDir = join(options.dir, 'run');
    mkdirSync(confDir, { recursive: true });
    mkdirSync(runDir, { recursive: true });
    const ports = options.basePorts ?? (await pickFreePortRuns(options.devices, SIM_LIMITS.vpcdSlotsPerDeviceCount, options.random ?? systemRandom));
    if (ports.length !== options.devices) throw new TesseraError('SIM_PCSCD_START_FAILED', 'one base port per device expected');
    const slots: SimReaderSlot[] = [];
    ports.forEach((port, i) => {
      writeFileSync(join(confDir, `vpcd-${i}`), vpcdReaderConf(`${prefix} ${i}`, port, vpcdDriverCopy(options.dir, i)));
      for (let s = 0; s < SIM_LIMITS.vpcdSlotsPerDeviceCount; s++) {
        slots.push({ name: `${prefix} ${i} 00 ${String(s).padStart(2, '0')}`, port: port + s });
      }
    });
    const shim = options.nodelay === false ? null : await buildNodelayShim();
    const logFile = join(options.dir, 'pcscd.log');
    for (const isolation of isolationsToTry()) {
      const started = await SimPcscd.tryStart(isolation, confDir, runDir, slots, shim, clock, options.logLevel ?? 'info', logFile);
      if (started) return started;
    }
    throw new TesseraError('SIM_PCSCD_START_FAILED', `pcscd did not start in any isolation mode; see ${logFile}`, { dir: options.dir, logFile });
  }

  private static async tryStart(
    isolation: PcscdIsolation,
    confDir: string,
    runDir: string,
    slots: SimReaderSlot[],
    shim: string | null,
    clock: Clock,
    logLevel: 'info' | 'debug',
    logFile: string,
  ): Promise<SimPcscd | null> {
    if (isolation !== 'none') {
      // Our private /run/pcscd: leftovers of a killed pcscd would make the next one refuse to start
      // (it checks the pid file, and pids get reused).
      for (const f of ['pcscd.comm', 'pcscd.pid']) rmSync(join(runDir, f), { force: true });
    }
    const pcscdArgs = ['pcscd', '--foreground', `--${logLevel}`, '--config', confDir];
    const [cmd, ...args] = commandFor(isolation, runDir, pcscdArgs);
    const env = { ...process.env, ...(shim ? { LD_PRELOAD: shim } : {}) };
    const child = spawn(cmd as string, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const socketPath = isolation === 'none' ? '/run/pcscd/pcscd.comm' : join(runDir, 'pcscd.comm');
    const daemon = new SimPcscd(child, socketPath, slots, isolation, shim !== null, clock, createWriteStream(logFile, { flags: 'a' }));
    const ready = await daemon.waitReady();
    if (ready) return daemon;
    await daemon.stop();
    return null;
  }

  /** Resolves true once pcscd says "daemon ready" and its socket exists; false if it exits or times out. */
  private waitReady(): Promise<boolean> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        resolve(ok);
      };
      const timer = this.clock.setTimer(SIM_LIMITS.pcscdStartTimeoutMs, () => done(false));
      const onLine = (line: string): void => {
        this.remember(line);
        if (!settled && line.includes('daemon ready')) void this.waitSocket().then(done);
      };
      createInterface({ input: this.child.stdout! }).on('line', onLine);
      createInterface({ input: this.child.stderr! }).on('line', (l) => this.remember(l));
      this.child.once('exit', () => done(false));
      this.child.once('error', () => done(false));
    });
  }

  private async waitSocket(): Promise<boolean> {
    const attempts = Math.ceil(SIM_LIMITS.pcscdStartTimeoutMs / SIM_LIMITS.startPollMs);
    for (let i = 0; i < attempts; i++) {
      if (existsSync(this.socketPath)) return true;
      await this.clock.sleep(SIM_LIMITS.startPollMs);
    }
    return false;
  }

  private remember(line: string): void {
    if (!this.logStream.writableEnded) this.logStream.write(`${line}\n`);
    this.logTail.push(line);
    if (this.logTail.length > 50) this.logTail.shift();
  }

  /** The last lines pcscd printed (for failure messages). */
  log(): readonly string[] {
    return this.logTail;
  }

  /** Process id of pcscd (the spawned unshare/sh exec into it). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Stops pcscd (SIGTERM, then SIGKILL after stopTimeoutMs). Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = this.clock.setTimer(SIM_LIMITS.stopTimeoutMs, () => this.child.kill('SIGKILL'));
    await exited;
    timer.cancel();
    if (this.isolation !== 'none') rmSync(this.socketPath, { force: true });
  }
}

/**
 * The driver library device i loads. vsmartcard-vpcd 3.3 keeps its card
 * connections in one global array indexed by slot number only, so two
 * devices loaded from the same library share (and overwrite) each other's
 * slots: a card in device 2 shows up in device 0, or nowhere. A copy of the
 * file is a separate object to the dynamic loader (own globals), so every
 * device after the first gets its own copy in the pcscd directory.
 */
function vpcdDriverCopy(dir: string, device: number): string {
  if (device === 0) return VPCD_DRIVER_PATH;
  const driversDir = join(dir, 'drivers');
  mkdirSync(driversDir, { recursive: true });
  const copy = join(driversDir, `libifdvpcd-${device}.so`);
  copyFileSync(VPCD_DRIVER_PATH, copy);
  return copy;
}

function isolationsToTry(): PcscdIsolation[] {
  const forced = process.env['TESSERA_PCSCD_ISOLATION'];
  if (forced === 'mount-namespace' || forced === 'user-namespace' || forced === 'none') return [forced];
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return root ? ['mount-namespace', 'user-namespace', 'none'] : ['user-namespace', 'none'];
}

function commandFor(isolation: PcscdIsolation, runDir: string, pcscdArgs: string[]): string[] {
  switch (isolation) {
    case 'mount-namespace':
      return ['unshare', '-m', '--propagation', 'private', 'sh', '-c', NAMESPACE_SCRIPT, runDir, ...pcscdArgs];
    case 'user-namespace':
      return ['unshare', '-r', '-m', '--propagation', 'private', 'sh', '-c', NAMESPACE_SCRIPT, runDir, ...pcscdArgs];
    case 'none':
      return pcscdArgs;
  }
}
