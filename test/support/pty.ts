/**
 * Starts and stops socat pty pairs for the serial tests (a virtual scanner
 * per pair). Each call gets its own temp directory, so test files never
 * share a port.
 */
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
