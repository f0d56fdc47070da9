import { ValidityRepository } from '../../../center/validity/repository.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidityGate } from '../../../center/validity/gate.js';
import { storageSource } from '../../../center/validity/storage-source.js';
import { ValidityStore } from '../../../center/validity/validity-store.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { systemClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';

const CARD = '00000000000000a1';
const FAR = 4_102_444_800_000;
let dir: string;
let storage: Storage;
let validity: ValidityRepository;
let store: ValidityStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-gate-'));
  storage = await openStorage({ engine: 'sqlite', path: join(dir, 'c.db') });
  validity = await ValidityRepository.open(storage);
  await validity.addMedia([{ id: CARD, expiresAtMs: FAR }]);
  await validity.addTerminals([{ id: 'KIOSK-1', ownerKind: 'store', ownerId: 'P', keyRef: 'k' }]);
  store = new ValidityStore({ source: storageSource(validity), clock: systemClock, log: silentLogger, cacheMedia: true, cacheTerminals: true, refreshIntervalMs: 0 });
  await store.start();
});

afterEach(async () => {
  await store.stop();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const gate = (withStore: boolean) => new ValidityGate({ source: storageSource(validity), clock: systemClock, log: silentLogger, store: withStore ? store : null });

describe('ValidityGate (the validity lists as every flow\'s gate)', () => {
  it('judges from the in-memory store: a stolen card is refused and captured (memory and database); a blocked terminal is refused, the card never captured for it', async () => {
    const g = gate(true);
    expect(await g.check({ mediumId: CARD, terminalId: 'KIOSK-1' })).toEqual({ ok: true });
    await validity.blockMedium(CARD, 'stolen');
    await store.settled();
    // capture: false only reads (a record of the card is judged, not the card).
    expect(await g.check({ mediumId: CARD }, { capture: false })).toEqual({ ok: false, reason: 'MEDIUM_STOLEN', capture: true });
    expect((await validity.getMedium(CARD))?.status).toBe('stolen');
    expect(await g.check({ mediumId: CARD, terminalId: 'KIOSK-1' })).toEqual({ ok: false, reason: 'MEDIUM_STOLEN', capture: true });
    expect((await validity.getMedium(CARD))?.status).toBe('captured');
    expect(store.judgeMedium(CARD, Date.now())).toMatchObject({ reason: 'MEDIUM_CAPTURED' });
    await validity.blockTerminal('KIOSK-1');
    await store.settled();
    expect(await g.check({ terminalId: 'KIOSK-1' })).toEqual({ ok: false, reason: 'TERMINAL_BLOCKED', capture: false });
    expect(await g.check({ mediumId: 'not-hex', terminalId: 'KIOSK-1' })).toMatchObject({ ok: false, reason: 'BAD_REQUEST' });
  });

  it('an id the store does not know yet is confirmed in the database; without a store every judgement reads the database', async () => {
    await store.stop(); // the store no longer follows the change feed: what is added now is only in the database
    await validity.addTerminals([{ id: 'SHOP-9', ownerKind: 'store', ownerId: 'S', keyRef: 'k9' }]);
    await validity.addMedia([{ id: '00000000000000b2', expiresAtMs: FAR }]);
    expect(store.judgeTerminal('SHOP-9')).toMatchObject({ reason: 'TERMINAL_UNKNOWN' });
    expect(await gate(true).check({ mediumId: '00000000000000b2', terminalId: 'SHOP-9' })).toEqual({ ok: true });
    expect(await gate(true).check({ terminalId: 'NOBODY' })).toEqual({ ok: false, reason: 'TERMINAL_UNKNOWN', capture: false });
    await validity.blockTerminal('SHOP-9');
    expect(await gate(false).check({ terminalId: 'SHOP-9' })).toEqual({ ok: false, reason: 'TERMINAL_BLOCKED', capture: false });
    expect(await gate(false).check({ mediumId: '00000000000000c3' })).toEqual({ ok: false, reason: 'MEDIUM_UNKNOWN', capture: false });
  });

  it('one block list for every kind: a voucher serial registered by its module is judged, blocked and captured by the same gate', async () => {
    const voucher = { name: 'voucher', isId: (id: string) => /^V[0-9]{8}$/.test(id) };
    validity.kinds.register(voucher);
    const g = new ValidityGate({ source: storageSource(validity), clock: systemClock, log: silentLogger, store, kinds: validity.kinds });
    await validity.addMedia([{ id: 'V00000042', kind: 'voucher', expiresAtMs: FAR }]);
    expect(await g.check({ medium: { kind: 'voucher', id: 'V00000042' }, terminalId: 'KIOSK-1' })).toEqual({ ok: true });
    // An IC card is not a voucher, and a voucher serial is not an id any other kind accepts.
    expect(await g.check({ medium: { kind: 'voucher', id: CARD } })).toMatchObject({ ok: false, reason: 'BAD_REQUEST' });
    expect(await g.check({ medium: { kind: 'prepaid', id: 'V00000042' } })).toMatchObject({ ok: false, reason: 'BAD_REQUEST' });
    await validity.blockMedium('V00000042', 'stolen');
    expect(await g.check({ medium: { kind: 'voucher', id: 'V00000042' }, terminalId: 'KIOSK-1' })).toEqual({ ok: false, reason: 'MEDIUM_STOLEN', capture: true });
    expect((await validity.getMedium('V00000042'))?.status).toBe('captured');
    expect(() => validity.kinds.register({ name: 'voucher', isId: () => true })).toThrow(expect.objectContaining({ code: 'VALIDITY_KIND_TAKEN' }));
  });
});
