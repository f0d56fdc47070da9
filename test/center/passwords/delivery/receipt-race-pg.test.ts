/**
 * A delivery receipt that races the record of its own submit, on two center
 * nodes sharing PostgreSQL. Node A's submit is answered (message id m) and A
 * records "sent, message id m" while node B, bound to the same SMSC, is
 * handed the receipt for m. Under READ COMMITTED each transaction could miss
 * the other's uncommitted write: B found no attempt holding m and parked the
 * receipt, A found no parked receipt and left the delivery `sent`, and it
 * stayed sent until its deadline failed it (its password refunded though
 * the phone had it). The record still applies a receipt it finds parked; a
 * receipt parked past its record is applied by the next sweep on any node
 * (no lock across the two: with group commit a lock held to the batch's
 * commit made nodes deadlock and stall for PostgreSQL's deadlock timeout).
 * The sender is a unit-test double of the SMPP client; the storage and the
 * race are real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryService, type SmsSender } from '../../../../center/passwords/delivery/service.js';
import { openStorage } from '../../../../center/storage/open.js';
import type { Storage } from '../../../../center/storage/types.js';
import { systemClock } from '../../../../core/clock.js';
import { silentLogger } from '../../../../core/log.js';
import { systemRandom } from '../../../../core/random.js';
import { createTestDatabase, type TestDatabase } from '../../../support/postgres.js';

const N = 150;

describe('a receipt racing its submit record on two PostgreSQL nodes', () => {
  let db: TestDatabase;
  let a: Storage;
  let b: Storage;
  beforeAll(async () => {
    db = await createTestDatabase('pw_receipt_race');
    a = await openStorage({ engine: 'postgres', url: db.url });
    b = await openStorage({ engine: 'postgres', url: db.url });
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('every delivery whose receipt came to the other node while its submit was being recorded ends delivered', async () => {
    const port = { outcome: async () => {} };
    let onB: DeliveryService | null = null;
    const pending: Promise<void>[] = [];
    let n = 0;
    const sms: SmsSender = {
      submit: async () => {
        const id = `m-${(n += 1)}`;
        // The SMSC answers A and, at about the same moment, hands the receipt to B's session.
        pending.push(new Promise<void>((r) => setImmediate(r)).then(() => onB!.receipt({ messageId: id, stat: 'DELIVRD' })));
        return id;
      },
    };
    const nodeA = await DeliveryService.open({ storage: a, clock: systemClock, random: systemRandom, log: silentLogger, port, sms, attemptsMax: 3, backoffMsBase: 50, claimHoldMs: 30_000 });
    onB = await DeliveryService.open({ storage: b, clock: systemClock, random: systemRandom, log: silentLogger, port, sms, attemptsMax: 3, backoffMsBase: 50, claimHoldMs: 30_000 });
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        a.transact((tx) => nodeA.enqueue(tx, { id: `r-${i}`, passwordSerial: `S-${i}`, channel: 'sms', to: '819000000001', text: `code ${i}`, deadlineMs: Date.now() + 120_000 })),
      ),
    );
    for (let i = 0; i < 20 && (await nodeA.list('queued')).length > 0; i += 1) await nodeA.sweep();
    await Promise.all(pending);
    expect(n).toBe(N);
    // Passes on the other node (each adopts at most a sweep batch): every receipt parked past its record is applied.
    for (let i = 0; i < 10; i += 1) if ((await onB.sweep()).adopted === 0) break;
    const states = await nodeA.list();
    const notDelivered = states.filter((d) => d.state !== 'delivered').map((d) => `${d.id}:${d.state}`);
    expect(notDelivered).toEqual([]);
    const parked = await a.read((q) => q.get<{ n: number }>('SELECT COUNT(*) AS n FROM password_delivery_receipts'));
    expect(Number(parked?.n)).toBe(0);
  }, 120_000);
});
