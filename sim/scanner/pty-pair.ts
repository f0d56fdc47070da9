import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { SIM_LIMITS } from '../limits.js';

/**
 * A pair of connected pseudo-terminals made by socat, reachable through two
 * symlinks: what one end writes, the other reads. The device end is opened
 * by the serial driver as if it were /dev/ttyUSB0; the sim writes scans to
 * the host end. Stopping socat removes both links: the "cable is pulled".
 */
export class PtyPair {
  private child: ChildProcess | null = null;

  constructor(
    /** The link the driver opens (the scanner's serial port). */
    readonly deviceLink: string,
    /** The link the simulated scanner writes to. */
    readonly hostLink: string,
    private readonly clock: Clock = systemClock,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const end = (link: string): string => `pty,raw,echo=0,link=${link}`;
    const child = spawn('socat', ['-d', '-d', end(this.deviceLink), end(this.hostLink)], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.resume();
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    const attempts = Math.ceil(SIM_LIMITS.socatStartTimeoutMs / SIM_LIMITS.startPollMs);
    for (let i = 0; i < attempts; i++) {
      if (existsSync(this.deviceLink) && existsSync(this.hostLink)) return;
      if (this.child !== child) break;
      await this.clock.sleep(SIM_LIMITS.startPollMs);
    }
    await this.stop();
    throw new TesseraError('SIM_SOCAT_FAILED', 'socat did not create the pty links', { deviceLink: this.deviceLink });
  }

  /** Stops socat (SIGTERM; SIGKILL after stopTimeoutMs); resolves once it exited and the links are gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = this.clock.setTimer(SIM_LIMITS.stopTimeoutMs, () => child.kill('SIGKILL'));
      await exited;
      timer.cancel();
    }
  }
}
