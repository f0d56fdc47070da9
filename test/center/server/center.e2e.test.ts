import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { randomBytes } from 'node:crypto';
import { NAK_REASON, PENDING_CHECK, STATUS, TX_KIND } from '../../../protocol/codes.js';
import type { CenterResponse } from '../../../protocol/messages/types.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { CENTER_MODULES } from '../../../center/modules.js';
import { TX_RESULT } from '../../../center/validity/transaction-registry.js';
import { VALIDITY_MODES, type ValidityMode } from '../../../center/validity/types.js';
import type { LinkClient } from '../../../terminal/link/link-client.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { BLOCKED_TERMINAL, configOf, keyDir, seedTerminals, TERMINAL, terminalLink } from './support.js';

/**
 * The whole seed-001 flow over the real protocol: a LinkClient terminal
 * (handshake with its derived key) → center listener → validity engine →
 * transaction registry → storage, in every mode, on SQLite and PostgreSQL.
 */
const keys = keyDir();
afterAll(() => keys.remove());

function mediumHex(engine: string, mode: ValidityMode, n: number): string {
  const e = engine === 'sqlite' ? 1 : 2;
  return `${e}${VALIDITY_MODES.indexOf(mode)}${n.toString(16).padStart(14, '0')}`;
}

function txRequest(id: Buffer, amountMinor = 500) {
  return { type: 'transactionRequest' as const, transactionId: id, kind: TX_KIND.PURCHASE, amountMinor, currency: 'JPY', content: [] };
}

async function validity(link: LinkClient, terminalId: string, mediumId: string): Promise<CenterResponse> {
  return link.request({ type: 'validityRequest', terminalId, mediumId: Buffer.from(mediumId, 'hex') });
}

describe.each(['sqlite', 'postgres'] as const)('center end to end on %s', (engine) => {
  let storage: Storage;
  /** The validity module's lists over storage. */
  let lists: ValidityRepository;
  let db: TestDatabase | undefined;

  beforeAll(async () => {
    if (engine === 'postgres') {
      db = await createTestDatabase('center_e2e');
      storage = await openStorage({ engine: 'postgres', url: db.url });
    } else {
      storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
    }
    await seedTerminals(storage);
    lists = await ValidityRepository.open(storage);
  });
  afterAll(async () => {
    await storage.close();
    await db?.drop();
  });

  describe.each(VALIDITY_MODES)('mode %s', (mode) => {
    let center: Center;
    const links: LinkClient[] = [];
    const link = (terminalId = TERMINAL): LinkClient => {
      const l = terminalLink(keys.masterKey, terminalId, center.address.port);
      links.push(l);
      return l;
    };
    const good = mediumHex(engine, mode, 1);
    const lost = mediumHex(engine, mode, 2);

    beforeAll(async () => {
      const expiresAtMs = Date.now() + 86_400_000;
      await lists.addMedia([
        { id: good, expiresAtMs },
        { id: lost, expiresAtMs, status: 'lost' },
      ]);
      center = await startCenter(configOf(keys.masterKeyFile, { validity: { mode } }), CENTER_MODULES, { storage });
    });
    afterAll(async () => {
      for (const l of links) await l.close();
      await center.close();
    });

    it('valid card: ACK (or EARLY_ACK), the transaction executes once, a retry on a new session replays it', async () => {
      const l = link();
      const ack = await validity(l, TERMINAL, good);
      if (mode === 'cached-medium') expect(ack).toEqual({ type: 'validityEarlyAck', pending: PENDING_CHECK.TERMINAL });
      else if (mode === 'cached-terminal') expect(ack).toEqual({ type: 'validityEarlyAck', pending: PENDING_CHECK.MEDIUM });
      else expect(ack).toEqual({ type: 'validityAck' });
      const id = randomBytes(16);
      expect(await l.request(txRequest(id))).toEqual({ type: 'transactionResult', transactionId: id, status: STATUS.APPROVED, resultCode: 0 });
      const rows = await storage.read((q) => q.all('SELECT medium_id, terminal_id FROM checked_transactions WHERE id = ?', [id.toString('hex')]));
      expect(rows).toEqual([{ medium_id: good, terminal_id: TERMINAL }]);
      // a retry without a check (new session) answers the first outcome; a fresh id without a check is declined
      const other = link();
      expect(await other.request(txRequest(id))).toMatchObject({ status: STATUS.APPROVED, resultCode: TX_RESULT.OK });
      expect(await other.request(txRequest(randomBytes(16)))).toMatchObject({ status: STATUS.DECLINED, resultCode: TX_RESULT.VALIDITY_REQUIRED });
    });

    it('lost card: NAK with capture, the session ends, the card is captured in the database', async () => {
      const l = link();
      let final = await validity(l, TERMINAL, lost);
      if (mode === 'cached-terminal') {
        expect(final.type).toBe('validityEarlyAck');
        final = await l.request(txRequest(randomBytes(16)));
      }
      expect(final).toEqual({ type: 'validityNak', reason: NAK_REASON.MEDIUM_LOST, capture: true });
      expect((await lists.getMedium(lost))?.status).toBe('captured');
    });

    it('blocked terminal: NAK TERMINAL_INACTIVE (after the EARLY_ACK in configuration 2), nothing executes', async () => {
      const l = link(BLOCKED_TERMINAL);
      let final = await validity(l, BLOCKED_TERMINAL, good);
      const id = randomBytes(16);
      if (mode === 'cached-medium') {
        expect(final.type).toBe('validityEarlyAck');
        final = await l.request(txRequest(id));
      }
      expect(final).toEqual({ type: 'validityNak', reason: NAK_REASON.TERMINAL_INACTIVE, capture: false });
      expect(await storage.read((q) => q.get('SELECT id FROM checked_transactions WHERE id = ?', [id.toString('hex')]))).toBeUndefined();
      expect((await lists.getMedium(good))?.status).toBe('active');
    });

    it('a request naming another terminal than the authenticated one is refused', async () => {
      const l = link();
      expect(await validity(l, BLOCKED_TERMINAL, good)).toEqual({ type: 'validityNak', reason: NAK_REASON.TERMINAL_MISMATCH, capture: false });
    });
  });
});
