/**
 * Password delivery by SMS over SMPP, on the real stacks: the SMSC and the
 * phones are `tessera smsc serve` / `tessera phone serve` processes; the
 * TTP's delivery service (SMPP client, queue on a SQLite file) runs in the
 * test process, as it runs inside the center.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../core/clock.js';
import { createLogger } from '../../../../core/log.js';
import { systemRandom } from '../../../../core/random.js';
import { openDelivery, type RecordedOutcome, type OpenedDelivery } from '../../../../center/passwords/delivery/index.js';
import { openStorage } from '../../../../center/storage/open.js';
import type { Storage } from '../../../../center/storage/types.js';
import { base32Encode } from '../../../../protocol/password/base32.js';
import { PhoneStore } from '../../../../sim/phone/store.js';
import { SMPP_SYSTEM_ID, startPhoneProcess, startSmscProcess, testDir, waitFor, type Party, type PhoneProcess } from './support/messaging.js';

const ALICE = '819000000001';
const BOB = '819000000002';
const NOBODY = '819000000099';

describe('password delivery by SMS (SMPP)', () => {
  let dir: string;
  let smsc: Party & { passwordFile: string };
  let alice: PhoneProcess;
  let bob: PhoneProcess;
  let storage: Storage;
  let delivery: OpenedDelivery;
  const outcomes: Array<RecordedOutcome & { inTx: boolean }> = [];
  const logs: string[] = [];
  const secrets: string[] = [];

  const newPassword = (): string => {
    const s = `TPW1:${base32Encode(randomBytes(40))}`;
    secrets.push(s);
    return s;
  };
  const enqueue = async (id: string, to: string, deadlineInMs = 20_000): Promise<string> => {
    const pw = newPassword();
    await storage.transact((tx) =>
      delivery.service.enqueue(tx, { id, passwordSerial: `S-${id}`, channel: 'sms', to, text: `Tessera settlement password 1000 JPY until 2026-12-31\nCode 7K3Q-Z9T2-M4XW-8RHD\ntoken:${pw}`, deadlineMs: Date.now() + deadlineInMs }),
    );
    return pw;
  };
  const final = (id: string, timeoutMs = 20_000) =>
    waitFor(`delivery ${id} final`, async () => {
      const d = await delivery.service.get(id);
      return d && (d.state === 'delivered' || d.state === 'failed') ? d : undefined;
    }, timeoutMs);

  beforeAll(async () => {
    dir = testDir('sms-delivery');
    smsc = await startSmscProcess(dir, [ALICE, BOB], { holdMs: 5_000 });
    [alice, bob] = await Promise.all([
      startPhoneProcess(dir, 'alice', { msisdn: ALICE, smscPort: smsc.port }),
      startPhoneProcess(dir, 'bob', { msisdn: BOB, smscPort: smsc.port }),
    ]);
    storage = await openStorage({ engine: 'sqlite', path: join(dir, 'center.db') });
    delivery = await openDelivery(
      { smpp: { host: '127.0.0.1', port: smsc.port, systemId: SMPP_SYSTEM_ID, passwordFile: smsc.passwordFile, source: 'TESSERA' }, attemptsMax: 3, backoffMsBase: 100, sweepIntervalMs: 50 },
      {
        storage,
        clock: systemClock,
        random: systemRandom,
        log: createLogger('delivery', { level: 'debug' }, { write: (s: string) => void logs.push(s) }),
        port: {
          outcome: async (tx, o) => {
            // Inside the recording unit: the row already shows the new state.
            const row = await tx.get<{ state: string }>('SELECT state FROM password_deliveries WHERE id = ?', [o.deliveryId]);
            outcomes.push({ ...o, inTx: row?.state === (o.late ? 'failed' : o.state) });
          },
        },
      },
    );
    expect(await delivery.smpp!.waitBound(15_000)).toBe(true);
    delivery.service.start();
  }, 300_000);

  afterAll(async () => {
    await delivery?.close();
    await storage?.close();
    await Promise.all([alice?.process.stop(), bob?.process.stop(), smsc?.process.stop()]);
    // No password text in anything any actor printed or logged.
    const all = [smsc?.process.output, alice?.process.output, bob?.process.output, logs.join('')].join('\n');
    for (const s of secrets) expect(all.includes(s), 'a password appeared in output or logs').toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('submits over SMPP, the phone stores it, and the DELIVRD receipt marks it delivered and tells the passwords module in the same unit', async () => {
    const pw = await enqueue('d-ok-1', ALICE);
    const d = await final('d-ok-1');
    expect(d).toMatchObject({ state: 'delivered', code: 'OK', attempts: 1, channel: 'sms' });
    expect(outcomes.filter((o) => o.deliveryId === 'd-ok-1')).toEqual([expect.objectContaining({ state: 'delivered', late: false, code: 'OK', passwordSerial: 'S-d-ok-1', inTx: true })]);
    const attempts = await delivery.service.attempts('d-ok-1');
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ receipt: 'DELIVRD' });
    expect(attempts[0]!.messageId).toMatch(/^[0-9a-f]{16}$/);
    // The SMSC's own record of the receipt, for the same message id (its log line may reach us after the center took the receipt).
    const id = attempts[0]!.messageId;
    await waitFor('the SMSC\'s receipt line', async () => smsc.process.lines.some((l) => l['event'] === 'receipt' && l['messageId'] === id) || undefined);
    expect(smsc.process.lines).toContainEqual(expect.objectContaining({ event: 'receipt', messageId: id, stat: 'DELIVRD' }));
    // The phone holds it (0600), with the password line and the delivery reference.
    const store = new PhoneStore(alice.dir);
    const m = store.messages.find((x) => x.ref === 'd-ok-1');
    expect(m).toMatchObject({ channel: 'sms', token: pw, code: '7K3QZ9T2M4XW8RHD', duplicates: 0, from: 'TESSERA' });
    expect(statSync(join(alice.dir, 'messages.json')).mode & 0o777).toBe(0o600);
    // The secret left the queue when the delivery became final.
    const text = await storage.read((q) => q.get<{ text: string | null }>('SELECT text FROM password_deliveries WHERE id = ?', ['d-ok-1']));
    expect(text?.text).toBeNull();
  });

  it('phone switched off: every attempt ends UNDELIV, and the delivery fails after its attempts with the undeliverable code', async () => {
    await smsc.control({ cmd: 'phone-off', msisdn: BOB });
    await enqueue('d-off-1', BOB);
    const d = await final('d-off-1');
    expect(d).toMatchObject({ state: 'failed', code: 'PWDELIVERY_UNDELIVERABLE', attempts: 3 });
    const attempts = await delivery.service.attempts('d-off-1');
    expect(attempts.map((a) => a.receipt)).toEqual(['UNDELIV', 'UNDELIV', 'UNDELIV']);
    // Backoff: each resend waited at least the base backoff doubled per attempt.
    expect(attempts[1]!.sentMs - attempts[0]!.receiptMs!).toBeGreaterThanOrEqual(100);
    expect(attempts[2]!.sentMs - attempts[1]!.receiptMs!).toBeGreaterThanOrEqual(200);
    expect(outcomes.filter((o) => o.deliveryId === 'd-off-1')).toEqual([expect.objectContaining({ state: 'failed', late: false, code: 'PWDELIVERY_UNDELIVERABLE', inTx: true })]);
    await smsc.control({ cmd: 'phone-on', msisdn: BOB });
  });

  it('unknown number: the SMSC refuses the submit (ESME_RINVDSTADR) and the delivery fails at once, not retried', async () => {
    await enqueue('d-unknown-1', NOBODY);
    const d = await final('d-unknown-1');
    expect(d).toMatchObject({ state: 'failed', code: 'PWDELIVERY_SMSC_REFUSED', attempts: 1 });
    expect(smsc.process.lines).toContainEqual(expect.objectContaining({ event: 'submit-refused', to: NOBODY, status: 0x0b }));
  });

  it('late receipt: no receipt by the deadline fails the delivery; the DELIVRD that comes after is logged and reported as late and changes nothing', async () => {
    await smsc.control({ cmd: 'receipt-delay', ms: 3_000 });
    try {
      await enqueue('d-late-1', ALICE, 1_000);
      const d = await final('d-late-1');
      expect(d).toMatchObject({ state: 'failed', code: 'PWDELIVERY_DEADLINE' });
      const late = await waitFor('late receipt', async () => (await delivery.service.get('d-late-1'))?.lateReceipt ?? undefined);
      expect(late).toBe('DELIVRD');
      expect(outcomes.filter((o) => o.deliveryId === 'd-late-1').map((o) => [o.state, o.late, o.code])).toEqual([
        ['failed', false, 'PWDELIVERY_DEADLINE'],
        ['delivered', true, 'OK'],
      ]);
      expect(await delivery.service.get('d-late-1')).toMatchObject({ state: 'failed', code: 'PWDELIVERY_DEADLINE' });
      expect(logs.join('')).toContain('late delivery receipt');
    } finally {
      await smsc.control({ cmd: 'receipt-delay', ms: 0 });
    }
  });

  it('SMSC throttled, then down: the delivery waits queued with the temporary code and is delivered once the SMSC takes it (the client rebinds)', async () => {
    await smsc.control({ cmd: 'throttle', on: true });
    await enqueue('d-throttle-1', ALICE);
    await waitFor('throttled attempt', async () => {
      const d = await delivery.service.get('d-throttle-1');
      return d?.state === 'queued' && d.code === 'PWDELIVERY_SMSC_THROTTLED' ? d : undefined;
    });
    await smsc.control({ cmd: 'throttle', on: false });
    expect(await final('d-throttle-1')).toMatchObject({ state: 'delivered', code: 'OK' });

    await smsc.control({ cmd: 'down' });
    await enqueue('d-down-1', ALICE, 30_000);
    await waitFor('unavailable attempt', async () => {
      const d = await delivery.service.get('d-down-1');
      return d?.state === 'queued' && d.code === 'PWDELIVERY_SMSC_UNAVAILABLE' ? d : undefined;
    });
    await smsc.control({ cmd: 'up' });
    expect(await final('d-down-1', 30_000)).toMatchObject({ state: 'delivered', code: 'OK' });
    expect(new PhoneStore(alice.dir).messages.some((m) => m.ref === 'd-down-1')).toBe(true);
  }, 60_000);
});
