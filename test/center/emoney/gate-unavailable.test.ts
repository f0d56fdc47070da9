/**
 * The e-money gate when the validity lists cannot be read (the database read
 * of the terminal fails): a shop's PURCHASE_UPLOAD and SETTLE_REQUEST are
 * answered with EMONEY_VALIDITY_UNAVAILABLE in the protocol (the ack's
 * RESULT_CODE, SETTLE_REFUSED), nothing stored or opened, and the session
 * goes on. Real center (listener, handshake, router, e-money flow) on
 * SQLite; the only double is the gate's read of the terminal, which fails as
 * an unreachable database does.
 */
import { ValidityRepository } from '../../../center/validity/repository.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Emoney } from '../../../center/emoney/emoney.js';
import { resultCodeOf } from '../../../center/emoney/result-codes.js';
import { Relay } from '../../../center/relay/relay.js';
import { CENTER_MODULES } from '../../../center/modules.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { terminalKeyLookup } from '../../../center/server/terminal-keys.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { ValidityGate } from '../../../center/validity/gate.js';
import { storageSource } from '../../../center/validity/storage-source.js';
import { systemClock } from '../../../core/clock.js';
import { TesseraError } from '../../../core/errors.js';
import { silentLogger } from '../../../core/log.js';
import type { LinkClient } from '../../../terminal/link/link-client.js';
import { configOf, keyDir, terminalLink } from '../server/support.js';

const SHOP = 'SHOP-U1';
let keys: ReturnType<typeof keyDir>;
let storage: Storage;
let center: Center;
let link: LinkClient;
/** false: the gate's database read of a terminal fails (the lists cannot be read). */
let readable = true;

const record = { mediumId: Buffer.from('0123456789abcdef', 'hex'), cardCounter: 2, amountMinor: 300, currency: 'JPY', terminalId: SHOP, terminalNonce: randomBytes(8), cardMac: randomBytes(8) };

beforeEach(async () => {
  keys = keyDir();
  storage = await openStorage(join(keys.dir, 'center.db'));
  const validity = await ValidityRepository.open(storage);
  await validity.addTerminals([{ id: SHOP, ownerKind: 'store', ownerId: 'SHOP-U', keyRef: `k-${SHOP}`, callbackAddress: '127.0.0.1:9' }]);
  const source = storageSource(validity);
  const gate = new ValidityGate({
    source: { ...source, getTerminal: (id) => (readable ? source.getTerminal(id) : Promise.reject(new TesseraError('STORAGE_UNAVAILABLE', 'database unreachable'))) },
    clock: systemClock,
    log: silentLogger,
  });
  const emoney = await Emoney.open({
    storage, relay: new Relay({ adapters: [] }), config: { issuerMasterKey: randomBytes(32), currency: 'JPY', providerAccounts: [] },
    lookupTerminalKey: terminalKeyLookup(validity, keys.masterKey), gate,
  });
  // The e-money flow stands in beside the modules (no emoney section: the module is off), so its gate keeps reading the database.
  center = await startCenter(configOf(keys.masterKeyFile), CENTER_MODULES, { storage, flows: [emoney.flow] });
  link = terminalLink(keys.masterKey, SHOP, center.address.port);
});

afterEach(async () => {
  readable = true;
  await link.close();
  await center.close();
  await storage.close();
  keys.remove();
});

describe('e-money gate, validity lists unavailable', () => {
  it('PURCHASE_UPLOAD and SETTLE_REQUEST are answered EMONEY_VALIDITY_UNAVAILABLE (coded, session kept); nothing stored, no batch opened', async () => {
    readable = false;
    const code = resultCodeOf('EMONEY_VALIDITY_UNAVAILABLE');
    expect(await link.request({ type: 'purchaseUpload', records: [record] })).toEqual({ type: 'purchaseUploadAck', results: [], resultCode: code });
    expect(await link.request({ type: 'settleRequest', terminalId: SHOP, records: [record] })).toEqual({ type: 'settleRefused', resultCode: code });
    const count = async (table: string) => Number((await storage.read((q) => q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)))?.n);
    expect(await count('emoney_records')).toBe(0);
    expect(await count('emoney_batches')).toBe(0);
    // Readable again: the same session uploads (the forged record is classified, not refused).
    readable = true;
    const ack = await link.request({ type: 'purchaseUpload', records: [record] });
    expect(ack).toMatchObject({ type: 'purchaseUploadAck', results: [{ cardCounter: 2 }] });
    expect(ack).not.toHaveProperty('resultCode');
  });
});
