import { randomBytes } from 'node:crypto';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { CENTER_MODULES } from '../../../center/modules.js';
import { TX_RESULT } from '../../../center/validity/transaction-registry.js';
import { STATUS, TX_KIND } from '../../../protocol/codes.js';
import type { LinkClient } from '../../../terminal/link/link-client.js';
import { configOf, keyDir, seedTerminals, TERMINAL, terminalLink } from './support.js';

/**
 * PROTOCOL.md §6.2 "How a TRANSACTION_REQUEST is tied to a VALIDITY_REQUEST",
 * over the real protocol against the real center on SQLite: one transaction
 * per check, a newer check replaces the older, no check → RESULT_CODE 1, the
 * same transaction id with other fields → RESULT_CODE 2.
 */
const keys = keyDir();
const MEDIUM_A = 'a1a1a1a1a1a1a1a1';
const MEDIUM_B = 'b2b2b2b2b2b2b2b2';
let storage: Storage;
let center: Center;
const links: LinkClient[] = [];

const tx = (id: Buffer, amountMinor = 500) => ({ type: 'transactionRequest' as const, transactionId: id, kind: TX_KIND.PURCHASE, amountMinor, currency: 'JPY', content: [] });
const check = (l: LinkClient, medium: string) => l.request({ type: 'validityRequest', terminalId: TERMINAL, mediumId: Buffer.from(medium, 'hex') });
const link = (): LinkClient => {
  const l = terminalLink(keys.masterKey, TERMINAL, center.address.port);
  links.push(l);
  return l;
};
const executedFor = async (id: Buffer) => storage.read((q) => q.all('SELECT medium_id, amount_minor FROM checked_transactions WHERE id = ?', [id.toString('hex')]));

beforeAll(async () => {
  storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
  await seedTerminals(storage);
  const expiresAtMs = Date.now() + 86_400_000;
  await (await ValidityRepository.open(storage)).addMedia([{ id: MEDIUM_A, expiresAtMs }, { id: MEDIUM_B, expiresAtMs }]);
  center = await startCenter(configOf(keys.masterKeyFile, { validity: { mode: 'direct' } }), CENTER_MODULES, { storage });
});
afterAll(async () => {
  for (const l of links) await l.close();
  await center.close();
  await storage.close();
  keys.remove();
});

describe('a transaction and its validity check (one session)', () => {
  it('one transaction per check: a second transaction after the first is declined VALIDITY_REQUIRED (1), the session goes on', async () => {
    const l = link();
    expect((await check(l, MEDIUM_A)).type).toBe('validityAck');
    const first = randomBytes(16);
    expect(await l.request(tx(first))).toMatchObject({ status: STATUS.APPROVED, resultCode: TX_RESULT.OK });
    const second = randomBytes(16);
    expect(await l.request(tx(second))).toMatchObject({ status: STATUS.DECLINED, resultCode: TX_RESULT.VALIDITY_REQUIRED });
    expect(await executedFor(second)).toEqual([]);
    expect((await check(l, MEDIUM_A)).type).toBe('validityAck');
    expect(await l.request(tx(second))).toMatchObject({ status: STATUS.APPROVED, resultCode: TX_RESULT.OK });
  });

  it('a newer check replaces the older: the transaction runs for the medium of the last check', async () => {
    const l = link();
    expect((await check(l, MEDIUM_A)).type).toBe('validityAck');
    expect((await check(l, MEDIUM_B)).type).toBe('validityAck');
    const id = randomBytes(16);
    expect(await l.request(tx(id))).toMatchObject({ status: STATUS.APPROVED, resultCode: TX_RESULT.OK });
    expect(await executedFor(id)).toEqual([{ medium_id: MEDIUM_B, amount_minor: 500 }]);
    expect(await l.request(tx(randomBytes(16)))).toMatchObject({ resultCode: TX_RESULT.VALIDITY_REQUIRED });
  });

  it('the same transaction id with another amount is declined EXISTS_WITH_DIFFERENT_FIELDS (2), with or without a check', async () => {
    const l = link();
    const id = randomBytes(16);
    expect((await check(l, MEDIUM_A)).type).toBe('validityAck');
    expect(await l.request(tx(id, 500))).toMatchObject({ status: STATUS.APPROVED, resultCode: TX_RESULT.OK });
    expect((await check(l, MEDIUM_A)).type).toBe('validityAck');
    expect(await l.request(tx(id, 600))).toMatchObject({ status: STATUS.DECLINED, resultCode: TX_RESULT.EXISTS_WITH_DIFFERENT_FIELDS });
    expect(await link().request(tx(id, 700))).toMatchObject({ status: STATUS.DECLINED, resultCode: TX_RESULT.EXISTS_WITH_DIFFERENT_FIELDS });
    expect(await executedFor(id)).toEqual([{ medium_id: MEDIUM_A, amount_minor: 500 }]);
  });
});
