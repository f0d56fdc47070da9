import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LinkClient } from '../../../terminal/link/link-client.js';
import { deriveTerminalKey } from '../../../center/server/terminal-keys.js';
import type { Storage } from '../../../center/storage/types.js';
import { CENTER_MODULES } from '../../../center/modules.js';
import { parseCenterConfig, type CenterConfig, type CenterConfigInput } from '../../../center/server/config.js';

export const TERMINAL = 'T-E2E-1';
export const BLOCKED_TERMINAL = 'T-E2E-BLK';

/** A temp dir holding a fresh master key file; remove() deletes it. */
export function keyDir(): { masterKey: Buffer; masterKeyFile: string; dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-center-'));
  const masterKey = randomBytes(32);
  const masterKeyFile = join(dir, 'master.key');
  writeFileSync(masterKeyFile, masterKey.toString('hex'), { mode: 0o600 });
  return { masterKey, masterKeyFile, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function configOf(masterKeyFile: string, extra: Partial<CenterConfigInput> = {}): CenterConfig {
  return parseCenterConfig({ listen: { host: '127.0.0.1', port: 0 }, terminalKeys: { masterKeyFile }, ...extra }, CENTER_MODULES);
}

/** Terminals: one active, one blocked; keyRef = `k-<id>`. */
export async function seedTerminals(storage: Storage): Promise<void> {
  await (await ValidityRepository.open(storage)).addTerminals([
    { id: TERMINAL, ownerKind: 'store', ownerId: 'STORE-1', keyRef: `k-${TERMINAL}` },
    { id: BLOCKED_TERMINAL, ownerKind: 'store', ownerId: 'STORE-1', keyRef: `k-${BLOCKED_TERMINAL}`, status: 'blocked' },
  ]);
}

/** A real terminal link (handshake with the derived key) to the center at `port`. */
export function terminalLink(masterKey: Buffer, terminalId: string, port: number): LinkClient {
  const c = new LinkClient({
    terminalId,
    terminalKey: deriveTerminalKey(masterKey, `k-${terminalId}`),
    centers: [{ host: '127.0.0.1', port }],
    maxAttempts: 1,
  });
  c.start();
  return c;
}
