/**
 * A queued delivery is sent as soon as its unit commits, not at the next
 * sweep: the service wakes its sweep on enqueue. Here the sweep interval is
 * a minute, so only the wake can send within the test. The sender is a
 * unit-test double of the SMPP client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryService, type SmsSender } from '../../../../center/passwords/delivery/service.js';
import { openStorage } from '../../../../center/storage/open.js';
import type { Storage } from '../../../../center/storage/types.js';
import { systemClock } from '../../../../core/clock.js';
import { silentLogger } from '../../../../core/log.js';
import { systemRandom } from '../../../../core/random.js';

describe('a queued delivery is sent when its unit commits', () => {
  let dir: string;
  let storage: Storage;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-wake-'));
    storage = await openStorage({ engine: 'sqlite', path: join(dir, 'd.db') });
  });
  afterAll(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with a one-minute sweep interval, three deliveries queued after the first pass are all submitted within seconds', async () => {
    const submitted: string[] = [];
    const sms: SmsSender = { submit: async (to) => (submitted.push(to), `m-${submitted.length}`) };
    const service = await DeliveryService.open({ storage, clock: systemClock, random: systemRandom, log: silentLogger, port: { outcome: async () => {} }, sms, sweepIntervalMs: 60_000 });
    service.start();
    try {
      await new Promise((r) => setTimeout(r, 50)); // the start pass has run on an empty queue
      for (let i = 0; i < 3; i += 1) {
        await storage.transact((tx) => service.enqueue(tx, { id: `w-${i}`, passwordSerial: `S-${i}`, channel: 'sms', to: '81900000000' + i, text: 'code 7K3Q-Z9T2-M4XW-8RHD', deadlineMs: Date.now() + 60_000 }));
      }
      const end = Date.now() + 10_000;
      while ((await service.list('sent')).length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(submitted.sort()).toEqual(['819000000000', '819000000001', '819000000002']);
      expect((await service.list('sent')).map((d) => d.id).sort()).toEqual(['w-0', 'w-1', 'w-2']);
    } finally {
      await service.stop();
    }
  });
});
