/**
 * An HQ (its own SQLite journal) linked over the signed HTTP link to a real
 * voucher engine (center/voucher on its own SQLite, test/center/voucher/support.ts)
 * serving hq-routes.ts: what the HQ link tests share. The engine's clock is a
 * manual clock started at the real time, so the HQ's and the center's
 * business days agree; the HQ and the link's signatures run on the system clock.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ManualClock, systemClock } from '../../../core/clock.js';
import { TesseraError } from '../../../core/errors.js';
import { systemRandom } from '../../../core/random.js';
import { startHttpServer, type HttpListening } from '../../../center/http/app.js';
import { httpsCenterLink, type CenterLink } from '../../../center/hq/center-link.js';
import type { HqSection } from '../../../center/hq/config-schema.js';
import { HqService } from '../../../center/hq/hq-service.js';
import { hqMigrations } from '../../../center/hq/schema.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { hqLinkRoutes } from '../../../center/voucher/hq-routes.js';
import { openEngine, type Engine } from '../voucher/support.js';
import '../../../center/hq/errors.js';
import '../../../center/voucher/errors.js';

/** A link the test can cut: `down` refuses before the center; `loseAnswers` lets the call reach the center and loses its answer. */
export interface CutLink extends CenterLink {
  down: boolean;
  loseAnswers: boolean;
  calls: string[];
}

export interface HqWorld {
  readonly engine: Engine;
  readonly http: HttpListening;
  readonly hqKey: KeyObject;
  readonly link: CutLink;
  readonly hqStorage: Storage;
  readonly hq: HqService;
  readonly section: HqSection;
  readonly logs: string[];
  /** The HQ again on the same journal (after a crash). */
  reopenHq(): HqService;
  close(): Promise<void>;
}

export async function openHqWorld(o: { deadlineMs?: number } = {}): Promise<HqWorld> {
  const engine = await openEngine({ clock: new ManualClock(Date.now()) });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const http = await startHttpServer({
    title: 'hq link test', host: '127.0.0.1', port: 0, rateLimit: false,
    contributors: [hqLinkRoutes({ api: engine.vouchers, publicKeyOf: (id) => (id === 'HQ-1' ? publicKey : undefined), clock: systemClock }) as never],
  });
  const real = httpsCenterLink({ url: http.url, hqId: 'HQ-1', key: privateKey, clock: systemClock, random: systemRandom });
  const link: CutLink = {
    down: false,
    loseAnswers: false,
    calls: [],
    async call(method, path, body) {
      link.calls.push(`${method} ${path}`);
      if (link.down) throw new TesseraError('HQ_LINK_FAILED', 'cut by the test', { path });
      const r = await real.call(method, path, body);
      if (link.loseAnswers) throw new TesseraError('HQ_LINK_FAILED', 'answer lost by the test', { path });
      return r as never;
    },
  };
  const hqStorage = await openStorage({ engine: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'hq-')), 'hq.db') });
  await hqStorage.migrate(hqMigrations);
  const section: HqSection = {
    hqId: 'HQ-1', currency: 'JPY', commissionBp: 250, timeZone: 'Asia/Tokyo',
    stores: [{ storeId: 'S1', terminals: ['POS-1', 'POS-2'] }, { storeId: 'S2', terminals: ['POS-9'] }],
    center: { url: http.url, keyFile: '/nonexistent' },
    forwardDeadlineMs: o.deadlineMs ?? 1_500,
  };
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void logs.push(s) });
  const make = (): HqService => new HqService({ storage: hqStorage, clock: systemClock, log, section, link });
  return {
    engine, http, hqKey: privateKey, link, hqStorage, hq: make(), section, logs,
    reopenHq: make,
    close: async () => {
      await http.close();
      await hqStorage.close();
      await engine.close();
    },
  };
}
