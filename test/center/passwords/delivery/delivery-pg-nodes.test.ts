/**
 * The delivery queue on PostgreSQL shared by two center nodes, each its own
 * process (support/delivery-child.ts) bound to one simulated SMSC, both
 * sweeping the same queue every 50 ms. A node claims a delivery (a lease,
 * center/kit/claims.ts) before it sends, so two nodes never both send the
 * same message while a lease holds (10 s here: under a loaded CI machine a
 * node's pass from claim to record took over 2 s, and an expired lease is
 * rightly sent again by the other node, at-least-once); after a kill -9 of
 * one node mid-queue the other takes over the dead node's deliveries once
 * their leases expire, and a restarted node
 * joins again: every delivery delivered, its outcome recorded once, resends
 * bounded by the sends in flight at the kill.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../../../center/storage/open.js';
import type { Storage } from '../../../../center/storage/types.js';
import { PhoneStore } from '../../../../sim/phone/store.js';
import { createTestDatabase, type TestDatabase } from '../../../support/postgres.js';
import { startDeliveryChild, type DeliveryChild } from './support/delivery-process.js';
import { startPhoneProcess, startSmscProcess, testDir, waitFor, type Party, type PhoneProcess } from './support/messaging.js';

const ALICE = '819000000002';
const N = 40;

describe('the delivery queue on PostgreSQL with two center nodes', () => {
  let dir: string;
  let db: TestDatabase;
  let check: Storage;
  let smsc: Party & { passwordFile: string };
  let alice: PhoneProcess;
  const children: DeliveryChild[] = [];
  const spec = (node: string) => ({ db: db.url, smscPort: smsc.port, passwordFile: smsc.passwordFile, claimHoldMs: 10_000, node });
  const start = async (node: string): Promise<DeliveryChild> => {
    const c = startDeliveryChild(spec(node));
    children.push(c);
    await waitFor(`node ${node} ready`, async () => c.lines.find((l) => l['ready'] === true), 90_000);
    return c;
  };
  const count = async (sql: string, params: string[] = []): Promise<number> => Number((await check.read((q) => q.get<{ n: number }>(sql, params)))?.n ?? 0);

  beforeAll(async () => {
    dir = testDir('delivery-pg-nodes');
    db = await createTestDatabase('pw_delivery_nodes');
    check = await openStorage({ engine: 'postgres', url: db.url });
    smsc = await startSmscProcess(dir, [ALICE]);
    alice = await startPhoneProcess(dir, 'alice', { msisdn: ALICE, smscPort: smsc.port });
  }, 300_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await Promise.all([alice?.process.stop(), smsc?.process.stop()]);
    await check?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two nodes sweeping one queue send each message once; after a kill -9 of one the other finishes its deliveries, the restarted node joins; outcomes once each', async () => {
    const a = await start('A');
    const b = await start('B');
    const submitted = (): number => smsc.process.lines.filter((l) => l['event'] === 'submitted' && l['to'] === ALICE).length;

    // 1. Both nodes queue and both sweep: N deliveries, N submits, one attempt each.
    a.send({ enqueue: N / 2, prefix: 'a', to: ALICE });
    b.send({ enqueue: N / 2, prefix: 'b', to: ALICE });
    const sentBy = (c: DeliveryChild): number => c.lines.filter((l) => l['state'] === 'sent').length;
    await waitFor('the first N delivered', async () => (await count("SELECT COUNT(*) AS n FROM password_deliveries WHERE state = 'delivered'")) === N || undefined, 60_000);
    expect(submitted()).toBe(N);
    expect(await count('SELECT COUNT(*) AS n FROM password_delivery_attempts')).toBe(N);
    expect(await count('SELECT COUNT(*) AS n FROM password_deliveries WHERE attempts <> 1')).toBe(0);
    // Each node's 'sent' lines: together exactly N (no delivery recorded as sent by both). A line is printed after its
    // commit and read from the child's pipe some time later, so the count is awaited before it is compared.
    await waitFor("the nodes' sent lines", async () => sentBy(a) + sentBy(b) >= N || undefined, 30_000);
    expect(sentBy(a) + sentBy(b)).toBe(N);

    // 2. Receipts held back; node A is killed with sends recorded but unconfirmed, and some perhaps mid-send.
    await smsc.control({ cmd: 'receipt-delay', ms: 2_000 });
    const before = submitted();
    const sentBeforeA = sentBy(a) + sentBy(b);
    a.send({ enqueue: N, prefix: 'k', to: ALICE });
    await waitFor('some of the second batch sent', async () => sentBy(a) + sentBy(b) - sentBeforeA >= 5 || undefined, 30_000);
    a.kill('SIGKILL');
    await a.exited;
    const inFlight = await count("SELECT COUNT(*) AS n FROM password_delivery_attempts WHERE message_id IS NULL AND delivery_id LIKE 'k-%'");
    await smsc.control({ cmd: 'receipt-delay', ms: 0 });
    const a2 = await start('A2');
    await waitFor('every delivery delivered', async () => (await count("SELECT COUNT(*) AS n FROM password_deliveries WHERE state = 'delivered'")) === 2 * N || undefined, 90_000);

    const outcomes = await check.read((q) => q.all<{ delivery_id: string; state: string; late: number }>('SELECT delivery_id, state, late FROM test_password_outcomes ORDER BY delivery_id'));
    expect(outcomes).toHaveLength(2 * N);
    expect(new Set(outcomes.map((o) => o.delivery_id)).size).toBe(2 * N);
    expect(outcomes.every((o) => o.state === 'delivered' && Number(o.late) === 0)).toBe(true);
    expect(await count('SELECT COUNT(*) AS n FROM password_deliveries WHERE text IS NOT NULL')).toBe(0);
    // At-least-once only across the kill: extra submits are bounded by the sends the dead node had in flight.
    const extra = submitted() - before - N;
    expect(extra).toBeGreaterThanOrEqual(0);
    expect(extra).toBeLessThanOrEqual(inFlight);
    const phone = await waitFor('all on the phone once', async () => {
      const mine = new PhoneStore(alice.dir).messages.filter((m) => /^[abk]-/.test(m.ref ?? ''));
      return mine.length === 2 * N ? mine : undefined;
    });
    expect(new Set(phone.map((m) => m.ref)).size).toBe(2 * N);
    expect(`${a.output}${b.output}${a2.output}${smsc.process.output}`).not.toMatch(/TPW1:/);
  }, 240_000);
});
