/**
 * Starts and stops socat pty pairs for the serial tests (a virtual scanner
 * per pair). Each call gets its own temp directory, so test files never
 * share a port.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualScanner } from '../../sim/scanner/virtual-scanner.js';

export interface TestScanner {
  readonly scanner: VirtualScanner;
  stop(): Promise<void>;
}

export async function startTestScanner(name = 'scanner'): Promise<TestScanner> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pty-'));
  const scanner = new VirtualScanner(dir, name);
  await scanner.plug();
  return {
    scanner,
    stop: async () => {
      await scanner.unplug();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Kills the socat that owns a virtual scanner's ptys outright (SIGKILL, no clean-up: a crash, a yanked adapter). */
export function killPtyOwner(scanner: VirtualScanner): void {
  const pids = execFileSync('pgrep', ['-f', `link=${scanner.devicePath} `], { encoding: 'utf8' }).trim().split('\n').map(Number);
  if (pids.length !== 1 || !Number.isInteger(pids[0])) throw new Error(`expected one socat for ${scanner.devicePath}, found ${pids.join(',')}`);
  process.kill(pids[0]!, 'SIGKILL');
  // Its links stay behind, naming /dev/pts numbers the next pty anywhere may take: gone, as a USB node would be.
  for (const link of [scanner.devicePath, scanner.devicePath.replace(/\.tty$/, '.host')]) rmSync(link, { force: true });
}

/** Plugs a scanner whose pty owner was killed back in: new ptys on the same paths. */
export async function replugAfterKill(scanner: VirtualScanner): Promise<void> {
  await scanner.unplug();
  await scanner.plug();
}
