/**
 * The demo's center: its own SQLite database (WAL, synchronous=FULL: the
 * storage's defaults, read back and reported), the e-money module with the
 * provider's account at every bank and the member shops' bank accounts,
 * every terminal and purse card registered before the listener opens (the
 * validity store prefetches them), and the e-money sweep on a timer.
 */
import { join } from 'node:path';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { Emoney } from '../../center/emoney/emoney.js';
import { startSweepTimer } from '../../center/kit/sweep-timer.js';
import type { Relay } from '../../center/relay/relay.js';
import { parseCenterConfig } from '../../center/server/config.js';
import { createCenter, type Center } from '../../center/server/create-center.js';
import { terminalKeyLookup } from '../../center/server/terminal-keys.js';
import { openStorage } from '../../center/storage/open.js';
import { SqliteStorage } from '../../center/storage/sqlite.js';
import { assert } from '../../core/assert.js';
import { CURRENCY, type DemoCast } from './cast.js';
import { DEMO_LIMITS } from './limits.js';
import type { TerminalSpec } from './terminals.js';

/** A registered purse card stays valid this long (the demo lasts minutes). */
const CARD_VALIDITY_MS = 365 * 24 * 3_600_000;

export interface DemoCenter {
  readonly center: Center;
  readonly emoney: Emoney;
  readonly storage: SqliteStorage;
  readonly dbPath: string;
  readonly pragmas: { journalMode: string; synchronous: number };
  close(): Promise<void>;
}

export interface CenterInputs {
  readonly cast: DemoCast;
  readonly dir: string;
  readonly relay: Relay;
  readonly issuerMasterKey: Buffer;
  readonly masterKey: Buffer;
  readonly masterKeyFile: string;
  readonly terminals: readonly TerminalSpec[];
  readonly log: Logger;
  readonly clock?: Clock;
}

export async function startCenter(i: CenterInputs): Promise<DemoCenter> {
  const clock = i.clock ?? systemClock;
  const dbPath = join(i.dir, 'center.db');
  const storage = await openStorage({ engine: 'sqlite', path: dbPath }, { clock, log: i.log });
  assert(storage instanceof SqliteStorage, 'the demo center runs on SQLite');
  try {
    const emoney = await Emoney.open({
      storage,
      relay: i.relay,
      config: { issuerMasterKey: i.issuerMasterKey, currency: CURRENCY, providerAccounts: i.cast.provider },
      lookupTerminalKey: terminalKeyLookup(storage, i.masterKey),
      clock,
      log: i.log,
    });
    await register(i, storage, emoney, clock);
    const config = parseCenterConfig({ listen: { host: '127.0.0.1', port: 0 }, db: dbPath, terminalKeys: { masterKeyFile: i.masterKeyFile }, validity: { mode: 'cached' } });
    const center = await createCenter(config, { storage, flows: [emoney.flow], gates: [emoney.gate], clock, log: i.log });
    const sweep = startSweepTimer(emoney, DEMO_LIMITS.sweepIntervalMs, clock, i.log, 'e-money');
    const pragmas = storage.pragmas();
    return {
      center, emoney, storage, dbPath, pragmas,
      close: async () => {
        await sweep.stop();
        await emoney.idle();
        await center.close();
        await storage.close();
      },
    };
  } catch (e) {
    await storage.close().catch(() => undefined);
    throw e;
  }
}

async function register(i: CenterInputs, storage: SqliteStorage, emoney: Emoney, clock: Clock): Promise<void> {
  for (const s of i.cast.shops) await emoney.registerShop(s.shopId, s.account);
  await storage.addTerminals(
    i.terminals.map((t) => ({
      id: t.terminalId,
      ownerKind: 'store' as const,
      ownerId: t.ownerId,
      keyRef: t.keyRef,
      callbackAddress: t.callbackPort === null ? null : `127.0.0.1:${t.callbackPort}`,
    })),
  );
  await storage.addMedia(i.cast.users.map((u) => ({ id: u.purseCardId, expiresAtMs: clock.nowMs() + CARD_VALIDITY_MS })));
}
