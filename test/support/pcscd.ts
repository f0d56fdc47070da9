/**
 * Starts a pcscd of the test file's own (own reader.conf.d, own vpcd ports,
 * own socket) and points this process's PC/SC client at it. Vitest runs each
 * test file in its own process (pool: forks), and libpcsclite reads
 * PCSCLITE_CSOCK_NAME once on its first call, so call this in beforeAll
 * before anything touches PC/SC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimPcscd } from '../../sim/pcscd/sim-pcscd.js';

export interface TestPcscd {
  /** The running daemon (replaced by restart()). */
  readonly pcscd: SimPcscd;
  readonly dir: string;
  /** Stops pcscd, keeping the directory (the reader is "gone"). */
  kill(): Promise<void>;
  /** Starts pcscd again on the same socket and ports (the reader "returns"). */
  restart(): Promise<void>;
  /** Stops pcscd and removes its directory. */
  stop(): Promise<void>;
}

let claimed: string | null = null;

export async function startTestPcscd(options: { devices?: number; namePrefix?: string; logLevel?: 'info' | 'debug' } = {}): Promise<TestPcscd> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pcscd-'));
  const pcscd = await SimPcscd.start({ dir, devices: options.devices ?? 1, namePrefix: options.namePrefix ?? 'Tessera Test', logLevel: options.logLevel ?? (process.env['TESSERA_PCSCD_DEBUG'] ? 'debug' : 'info') });
  if (claimed !== null && claimed !== pcscd.socketPath) {
    await pcscd.stop();
    throw new Error('one pcscd per test process: PCSCLITE_CSOCK_NAME is read once by libpcsclite');
  }
  claimed = pcscd.socketPath;
  process.env['PCSCLITE_CSOCK_NAME'] = pcscd.socketPath;
  const basePorts = pcscd.slots.filter((_, i) => i % 2 === 0).map((s) => s.port);
  const handle = {
    pcscd,
    dir,
    kill: async () => handle.pcscd.stop(),
    restart: async () => {
      await handle.pcscd.stop();
      handle.pcscd = await SimPcscd.start({ dir, devices: basePorts.length, basePorts, namePrefix: options.namePrefix ?? 'Tessera Test', logLevel: options.logLevel ?? (process.env['TESSERA_PCSCD_DEBUG'] ? 'debug' : 'info') });
    },
    stop: async () => {
      await handle.pcscd.stop();
      if (!process.env['TESSERA_KEEP_PCSCD_DIR']) rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
