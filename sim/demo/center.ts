/**
 * The demo's center: its own SQLite database (WAL, synchronous=FULL: the
 * storage's defaults, read back and reported), the e-money module with the
 * provider's account at every bank and the member shops' bank accounts,
 * every terminal and purse card registered before the listener opens (the
 * validity store prefetches them), and the e-money sweep on a timer: the
 * center's modules (validity, cash, e-money) started by startCenter.
 */
import { join } from 'node:path';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { cashModule } from '../../center/cash/module.js';
import type { Emoney } from '../../center/emoney/emoney.js';
import { EMONEY_MODULE, emoneyModule } from '../../center/emoney/module.js';
import type { Relay } from '../../center/relay/relay.js';
import { parseCenterConfig } from '../../center/server/config.js';
import { startCenter as startCenterOf, type Center } from '../../center/server/start-center.js';
import { validityModule } from '../../center/validity/module.js';
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
    await register(i, storage, clock);
    const modules = [
      validityModule(),
      cashModule,
      emoneyModule({
        secrets: { issuerMasterKey: i.issuerMasterKey, currency: CURRENCY, providerAccounts: i.cast.provider },
        relay: i.relay,
        sweepIntervalMs: DEMO_LIMITS.sweepIntervalMs,
      }),
    ];
    const config = parseCenterConfig({ listen: { host: '127.0.0.1', port: 0 }, db: dbPath, terminalKeys: { masterKeyFile: i.masterKeyFile }, validity: { mode: 'cached' } }, modules);
    const center = await startCenterOf(config, modules, { storage, clock, log: i.log });
    const emoney = center.module<Emoney>(EMONEY_MODULE);
    for (const s of i.cast.shops) await emoney.registerShop(s.shopId, s.account);
    const pragmas = storage.pragmas();
    return {
      center, emoney, storage, dbPath, pragmas,
      close: async () => {
        await center.close();
        await storage.close();
      },
    };
  } catch (e) {
    await storage.close().catch(() => undefined);
    throw e;
  }
}

async function register(i: CenterInputs, storage: SqliteStorage, clock: Clock): Promise<void> {
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
