/**
 * A node whose SMPP client is not bound yet (just restarted, or the SMSC is
 * away) must not use up a delivery's attempts: the message never left, so
 * it is not an attempt. Before, five sweeps of an unbound node failed the
 * delivery for good (its password refunded) although nothing was ever sent;
 * the two-node PostgreSQL test met it when a restarted node swept before
 * its bind. The sender here is a unit-test double of the SMPP client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryService, type SmsSender } from '../../../../center/passwords/delivery/service.js';
import { SmppDeliveryError } from '../../../../center/passwords/delivery/smpp-client.js';
import { openStorage } from '../../../../center/storage/open.js';
import type { Storage } from '../../../../center/storage/types.js';
import { systemClock } from '../../../../core/clock.js';
import { silentLogger } from '../../../../core/log.js';
import { systemRandom } from '../../../../core/random.js';

describe('a send that never left is not an attempt', () => {
  let dir: string;
  let storage: Storage;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-not-sent-'));
    storage = await openStorage({ engine: 'sqlite', path: join(dir, 'd.db') });
  });
  afterAll(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an unbound client leaves the delivery queued with its attempts untouched; once bound it is sent as attempt 1', async () => {
    let bound = false;
    let submits = 0;
    const sms: SmsSender = {
      submit: async () => {
        if (!bound) throw new SmppDeliveryError('PWDELIVERY_SMSC_UNAVAILABLE', 'no bound SMPP session', true, {}, true);
        submits += 1;
        return 'm-0001';
      },
    };
    const service = await DeliveryService.open({ storage, clock: systemClock, random: systemRandom, log: silentLogger, port: { outcome: async () => {} }, sms, attemptsMax: 3, backoffMsBase: 1 });
    await storage.transact((tx) => service.enqueue(tx, { id: 'd-unbound-1', passwordSerial: 'S-1', channel: 'sms', to: '819000000001', text: 'code 7K3Q-Z9T2-M4XW-8RHD', deadlineMs: Date.now() + 60_000 }));
    // Ten sweeps while unbound: more than attemptsMax tries, none counted.
    for (let i = 0; i < 10; i += 1) {
      await service.sweep();
      await new Promise((r) => setTimeout(r, 3));
    }
    expect(await service.get('d-unbound-1')).toMatchObject({ state: 'queued', attempts: 0, code: 'PWDELIVERY_SMSC_UNAVAILABLE' });
    expect(await service.attempts('d-unbound-1')).toEqual([]);
    bound = true;
    await new Promise((r) => setTimeout(r, 3));
    await service.sweep();
    expect(await service.get('d-unbound-1')).toMatchObject({ state: 'sent', attempts: 1, code: 'OK' });
    expect(await service.attempts('d-unbound-1')).toEqual([expect.objectContaining({ attempt: 1, messageId: 'm-0001' })]);
    expect(submits).toBe(1);
  });
});
