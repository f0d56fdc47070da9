/**
 * The demo's terminals before they run: which role each plays, whom it
 * belongs to, which simulated reader slot it uses, where the center calls
 * it back (shops), its scanner and removable store (shops), and its key file. Keys are derived from the center's
 * master key the way the center derives them (deriveTerminalKey over the
 * terminal's keyRef) and written mode 0600; they are never printed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Random } from '../../core/random.js';
import { deriveTerminalKey } from '../../center/server/terminal-keys.js';
import type { DemoCast } from './cast.js';
import { DEMO_LIMITS } from './limits.js';
import { mountDirOf } from './media.js';

export const PROVIDER_OWNER = 'PROVIDER';

export interface TerminalSpec {
  readonly terminalId: string;
  readonly role: 'provider-kiosk' | 'shop' | 'vending';
  /** The store the terminal is registered to (the shop id for shops: its bank account is the shop's). */
  readonly ownerId: string;
  /** Index of the simulated reader slot (two per vpcd device). */
  readonly slot: number;
  readonly roleSettings: Readonly<Record<string, unknown>>;
  readonly keyRef: string;
  readonly keyFile: string;
  readonly journal: string;
  /** Where the center calls back (shops and the vending machine), or null. */
  readonly callbackPort: number | null;
  /** The simulator scanner (socat pty) at this till, or null. */
  readonly scanner: string | null;
  /** The mount directory of this terminal's removable store (shops: settlement receipts), or null. */
  readonly storeMountDir: string | null;
}

/** Simulator scanners the fleet needs (`scanner0`, `scanner1`, … in shop order). */
export function scannersFor(cast: DemoCast): number {
  return cast.shops.filter((s) => s.scanner).length;
}

/** Reader devices the fleet needs (two slots each). */
export function readerDevicesFor(cast: DemoCast): number {
  return Math.ceil((cast.kiosks.length + cast.shops.length) / 2);
}

/** Writes the center master key (mode 0600) and returns it. */
export function writeMasterKey(dir: string, random: Random): { masterKey: Buffer; masterKeyFile: string } {
  const masterKey = random.bytes(32);
  const masterKeyFile = join(dir, 'center-master.key');
  writeFileSync(masterKeyFile, `${masterKey.toString('hex')}\n`, { mode: 0o600 });
  return { masterKey, masterKeyFile };
}

/** Every terminal of the cast, with key files written and callback ports reserved. */
export async function provisionTerminals(cast: DemoCast, dir: string, masterKey: Buffer): Promise<TerminalSpec[]> {
  const tdir = join(dir, 'terminals');
  mkdirSync(tdir, { recursive: true });
  const spec = async (terminalId: string, role: TerminalSpec['role'], ownerId: string, slot: number, roleSettings: Record<string, unknown>, scanner: string | null = null): Promise<TerminalSpec> => {
    const keyRef = `k-${terminalId}`;
    const keyFile = join(tdir, `${terminalId}.key`);
    writeFileSync(keyFile, `${deriveTerminalKey(masterKey, keyRef).toString('hex')}\n`, { mode: 0o600 });
    const shop = role !== 'provider-kiosk';
    const callbackPort = shop ? await freeLoopbackPort() : null;
    const storeMountDir = shop ? mountDirOf(dir, terminalId) : null;
    return { terminalId, role, ownerId, slot, roleSettings, keyRef, keyFile, journal: join(tdir, `${terminalId}.journal.db`), callbackPort, scanner, storeMountDir };
  };
  const specs: TerminalSpec[] = [];
  for (const k of cast.kiosks) specs.push(await spec(k, 'provider-kiosk', PROVIDER_OWNER, specs.length, {}));
  // A settle that gets no callback ends (TERM_SETTLE_TIMEOUT) before the demo's step deadline, so the agent stops cleanly.
  const settleWaitMs = DEMO_LIMITS.settleWaitMs;
  let scanners = 0;
  for (const s of cast.shops) {
    if (s.role === 'vending') specs.push(await spec(s.terminalId, s.role, s.shopId, specs.length, { products: { ...cast.products }, settleWaitMs }));
    else if (s.scanner) specs.push(await spec(s.terminalId, s.role, s.shopId, specs.length, { products: { ...cast.items }, settleWaitMs }, `scanner${scanners++}`));
    else specs.push(await spec(s.terminalId, s.role, s.shopId, specs.length, { settleWaitMs }));
  }
  return specs;
}

/**
 * A port the callback listener can take: the center must know it before the
 * terminal starts (it is registered with the terminal), and nothing else on
 * loopback is expected to grab it in the few milliseconds in between.
 */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
