/**
 * kill -9 of the TTP's delivery service mid-queue. The SMSC and the phone
 * are `tessera` processes; the delivery service is its own process
 * (support/delivery-child.ts) on a SQLite file. After the kill a new
 * process on the same file resumes: every delivery ends delivered, each
 * outcome is reported to the passwords module exactly once, and SMS sent
 * twice are bounded by the sends in flight at the kill (at-least-once);
 * the phone keeps one copy of each (dedup by the delivery reference).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhoneStore } from '../../../../sim/phone/store.js';
import { startDeliveryChild, type DeliveryChild } from './support/delivery-process.js';
import { startPhoneProcess, startSmscProcess, testDir, waitFor, type Party, type PhoneProcess } from './support/messaging.js';

const ALICE = '819000000001';
const N = 80;
describe('kill -9 of the delivery service mid-queue', () => {
  let dir: string;
  let smsc: Party & { passwordFile: string };
  let alice: PhoneProcess;
  const children: DeliveryChild[] = [];

  beforeAll(async () => {
    dir = testDir('delivery-crash');
    smsc = await startSmscProcess(dir, [ALICE]);
    alice = await startPhoneProcess(dir, 'alice', { msisdn: ALICE, smscPort: smsc.port });
  }, 300_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await Promise.all([alice?.process.stop(), smsc?.process.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes after the kill: all delivered, outcomes reported once, resends bounded by the sends in flight, the phone keeps one copy of each', async () => {
    const db = join(dir, 'center.db');
    const spec = { db, smscPort: smsc.port, passwordFile: smsc.passwordFile, claimHoldMs: 2_000 };
    // Receipts held back 2 s: at the kill, sends are recorded but none is confirmed yet.
    await smsc.control({ cmd: 'receipt-delay', ms: 2_000 });
    const first = startDeliveryChild(spec);
    children.push(first);
    await waitFor('first delivery process ready', async () => first.lines.find((l) => l['ready'] === true), 60_000);
    first.send({ enqueue: N, prefix: 'k', to: ALICE });
    await waitFor('some sends recorded', async () => first.lines.filter((l) => l['state'] === 'sent').length >= 5 || undefined, 30_000);
    first.kill('SIGKILL');
    await first.exited;

    // What the dead process left: sends started (attempt counted) but never recorded are the ones that may go twice.
    const dead = new Database(db, { readonly: true });
    const inFlight = (dead.prepare('SELECT COUNT(*) AS n FROM password_delivery_attempts WHERE message_id IS NULL').get() as { n: number }).n;
    const deliveredAtKill = (dead.prepare("SELECT COUNT(*) AS n FROM password_deliveries WHERE state = 'delivered'").get() as { n: number }).n;
    dead.close();
    expect(deliveredAtKill).toBeLessThan(N);

    await smsc.control({ cmd: 'receipt-delay', ms: 0 });
    const second = startDeliveryChild(spec);
    children.push(second);
    const check = new Database(db, { readonly: true });
    try {
      await waitFor(
        'every delivery delivered after the restart',
        async () => {
          const n = (check.prepare("SELECT COUNT(*) AS n FROM password_deliveries WHERE state = 'delivered'").get() as { n: number }).n;
          return n === N || undefined;
        },
        60_000,
      );
      const outcomes = check.prepare('SELECT delivery_id AS id, state, late FROM test_password_outcomes ORDER BY delivery_id').all() as Array<{ id: string; state: string; late: number }>;
      expect(outcomes).toHaveLength(N);
      expect(new Set(outcomes.map((o) => o.id)).size).toBe(N);
      expect(outcomes.every((o) => o.state === 'delivered' && o.late === 0)).toBe(true);
      expect((check.prepare('SELECT COUNT(*) AS n FROM password_deliveries WHERE text IS NOT NULL').get() as { n: number }).n).toBe(0);
    } finally {
      check.close();
    }
    const submits = smsc.process.lines.filter((l) => l['event'] === 'submitted' && l['to'] === ALICE).length;
    expect(submits).toBeGreaterThanOrEqual(N);
    expect(submits - N).toBeLessThanOrEqual(inFlight);
    const phone = await waitFor('all on the phone', async () => {
      const s = new PhoneStore(alice.dir);
      const mine = s.messages.filter((m) => m.ref?.startsWith('k-'));
      return mine.length === N ? mine : undefined;
    });
    expect(new Set(phone.map((m) => m.ref)).size).toBe(N);
    // Every copy the SMSC delivered is on the phone once: first copies plus counted duplicates.
    const deliveredBySmsc = smsc.process.lines.filter((l) => l['event'] === 'delivered' && l['to'] === ALICE).length;
    expect(N + phone.reduce((a, m) => a + m.duplicates, 0)).toBe(deliveredBySmsc);
    // No password in any output.
    expect(`${first.output}${second.output}${smsc.process.output}${alice.process.output}`).not.toMatch(/TPW1:/);
  }, 120_000);
});
