/**
 * Password delivery by e-mail over SMTP, on the real stacks: the mail server
 * and the phone are `tessera mailbox serve` / `tessera phone serve`
 * processes; the TTP's delivery service (nodemailer, queue on SQLite) runs
 * in the test process. For SMTP "delivered" means accepted (250) by the
 * receiving server.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../core/clock.js';
import { createLogger } from '../../../../core/log.js';
import { systemRandom } from '../../../../core/random.js';
import { openDelivery, type RecordedOutcome, type OpenedDelivery } from '../../../../center/passwords/delivery/index.js';
import { passwordDeliveryFactory, type PasswordDeliveryHandle } from '../../../../center/passwords/delivery/password-delivery.js';
import { openStorage } from '../../../../center/storage/open.js';
import type { Storage } from '../../../../center/storage/types.js';
import { writeSecretFile } from '../../../../sim/world/cli-parts.js';
import { base32Encode } from '../../../../protocol/password/base32.js';
import { PhoneStore } from '../../../../sim/phone/store.js';
import { SMTP_PASSWORD, SMTP_USER, startMailboxProcess, startPhoneProcess, testDir, waitFor, type Party, type PhoneProcess } from './support/messaging.js';

const ALICE = 'alice@example.test';
const CAROL = 'carol@example.test';

describe('password delivery by e-mail (SMTP)', () => {
  let dir: string;
  let mailbox: Party & { dir: string };
  let alice: PhoneProcess;
  let storage: Storage;
  let delivery: OpenedDelivery;
  const outcomes: RecordedOutcome[] = [];
  const logs: string[] = [];
  const secrets: string[] = [SMTP_PASSWORD];

  const enqueue = async (id: string, to: string): Promise<string> => {
    const pw = `TPW1:${base32Encode(randomBytes(40))}`;
    secrets.push(pw);
    await storage.transact((tx) =>
      delivery.service.enqueue(tx, { id, passwordSerial: `S-${id}`, channel: 'email', to, subject: 'Your settlement password', text: `Tessera settlement password 1000 JPY\nCode 7K3Q-Z9T2-M4XW-8RHD\ntoken:${pw}`, deadlineMs: Date.now() + 20_000 }),
    );
    return pw;
  };
  const final = (id: string) =>
    waitFor(`delivery ${id} final`, async () => {
      const d = await delivery.service.get(id);
      return d && (d.state === 'delivered' || d.state === 'failed') ? d : undefined;
    });

  beforeAll(async () => {
    dir = testDir('smtp-delivery');
    mailbox = await startMailboxProcess(dir, [ALICE, CAROL]);
    alice = await startPhoneProcess(dir, 'alice', { msisdn: '819000000011', maildir: join(mailbox.dir, ALICE) });
    storage = await openStorage({ engine: 'sqlite', path: join(dir, 'center.db') });
    delivery = await openDelivery(
      {
        smtp: { host: '127.0.0.1', port: mailbox.port, user: SMTP_USER, passwordFile: writeSecretFile(dir, 'ttp-smtp.pw', `${SMTP_PASSWORD}\n`), from: 'passwords@ttp.test' },
        attemptsMax: 4,
        backoffMsBase: 100,
        sweepIntervalMs: 50,
      },
      { storage, clock: systemClock, random: systemRandom, log: createLogger('delivery', { level: 'debug' }, { write: (s: string) => void logs.push(s) }), port: { outcome: async (_tx, o) => void outcomes.push(o) } },
    );
    delivery.service.start();
  }, 300_000);

  afterAll(async () => {
    await delivery?.close();
    await storage?.close();
    await Promise.all([alice?.process.stop(), mailbox?.process.stop()]);
    const all = [mailbox?.process.output, alice?.process.output, logs.join('')].join('\n');
    for (const s of secrets) expect(all.includes(s), 'a secret appeared in output or logs').toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is delivered when the mail server accepts it (250); the mail is stored 0600 and the phone shows the password', async () => {
    const pw = await enqueue('m-ok-1', ALICE);
    expect(await final('m-ok-1')).toMatchObject({ state: 'delivered', code: 'OK', attempts: 1, channel: 'email' });
    expect(outcomes.filter((o) => o.deliveryId === 'm-ok-1')).toEqual([expect.objectContaining({ state: 'delivered', late: false })]);
    expect((await delivery.service.attempts('m-ok-1'))[0]).toMatchObject({ receipt: 'ACCEPTED' });
    const files = readdirSync(join(mailbox.dir, ALICE));
    expect(files).toHaveLength(1);
    expect(statSync(join(mailbox.dir, ALICE, files[0]!)).mode & 0o777).toBe(0o600);
    const m = await waitFor('mail on the phone', async () => new PhoneStore(alice.dir).messages.find((x) => x.ref === 'm-ok-1'));
    expect(m).toMatchObject({ channel: 'email', token: pw, code: '7K3QZ9T2M4XW8RHD' });
  });

  it('a temporary failure (451) twice is retried with backoff and delivered on the third attempt', async () => {
    await mailbox.control({ cmd: 'temp-fail', count: 2 });
    await enqueue('m-temp-1', ALICE);
    expect(await final('m-temp-1')).toMatchObject({ state: 'delivered', code: 'OK', attempts: 3 });
    const attempts = await delivery.service.attempts('m-temp-1');
    expect(attempts.map((a) => a.receipt)).toEqual([null, null, 'ACCEPTED']);
    expect(attempts[2]!.sentMs - attempts[1]!.sentMs).toBeGreaterThanOrEqual(200);
    expect(mailbox.process.lines.filter((l) => l['event'] === 'refused' && l['code'] === 451)).toHaveLength(2);
  });

  it('a recipient refused permanently (550) fails the delivery at once', async () => {
    await mailbox.control({ cmd: 'reject', address: CAROL });
    await enqueue('m-reject-1', CAROL);
    expect(await final('m-reject-1')).toMatchObject({ state: 'failed', code: 'PWDELIVERY_SMTP_REFUSED', attempts: 1 });
    expect(outcomes.filter((o) => o.deliveryId === 'm-reject-1')).toEqual([expect.objectContaining({ state: 'failed', code: 'PWDELIVERY_SMTP_REFUSED' })]);
  });
});

describe("the passwords module's port (center/passwords/delivery-port.ts) over the delivery service", () => {
  let dir: string;
  let mailbox: Party & { dir: string };
  let storage: Storage;
  let handle: PasswordDeliveryHandle;
  const seen: Array<{ passwordId: string; outcome: string; detail?: string }> = [];
  let refuse = 1;

  beforeAll(async () => {
    dir = testDir('port-delivery');
    mailbox = await startMailboxProcess(dir, [ALICE]);
    storage = await openStorage({ engine: 'sqlite', path: join(dir, 'center.db') });
    const factory = passwordDeliveryFactory(
      { smtp: { host: '127.0.0.1', port: mailbox.port, user: SMTP_USER, passwordFile: writeSecretFile(dir, 'ttp-smtp.pw', `${SMTP_PASSWORD}\n`), from: 'passwords@ttp.test' }, sweepIntervalMs: 50, backoffMsBase: 100 },
      { storage, clock: systemClock, random: systemRandom, log: createLogger('delivery', { level: 'silent' }) },
    );
    handle = (await factory({
      onOutcome: async (o) => {
        // The core is briefly unable to take the first outcome: it must come again.
        if (refuse-- > 0) throw new Error('core busy');
        seen.push({ passwordId: o.passwordId, outcome: o.outcome, ...(o.detail !== undefined && { detail: o.detail }) });
        return 'applied';
      },
    })) as PasswordDeliveryHandle;
  }, 300_000);

  afterAll(async () => {
    await handle?.close();
    await storage?.close();
    await mailbox?.process.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deliver() queues once per password (idempotent), the token travels on its own line, and the outcome reaches the sink even after the sink refused it once', async () => {
    const token = `TPW1:${base32Encode(randomBytes(40))}`;
    const message = { text: 'Tessera settlement password 1000 JPY\nCode 7K3Q-Z9T2-M4XW-8RHD', token, serial: 'ab'.repeat(16) };
    await handle.deliver('pw-1', 'email', ALICE, message);
    await handle.deliver('pw-1', 'email', ALICE, message);
    await waitFor('outcome at the sink', async () => seen.find((o) => o.passwordId === 'pw-1'));
    expect(seen).toEqual([{ passwordId: 'pw-1', outcome: 'delivered', detail: 'ACCEPTED' }]);
    expect(readdirSync(join(mailbox.dir, ALICE))).toHaveLength(1);
    const reported = await waitFor('outcome marked reported', async () => {
      const rows = await storage.read((q) => q.all<{ effect: string | null }>('SELECT effect FROM password_delivery_outcomes WHERE delivery_id = ?', ['pw-1']));
      return rows.every((r) => r.effect !== null) ? rows : undefined;
    });
    expect(reported).toEqual([{ effect: 'applied' }]);
    const { mailText } = await import('../../../../sim/phone/phone.js');
    const { readFileSync } = await import('node:fs');
    const mail = mailText(readFileSync(join(mailbox.dir, ALICE, readdirSync(join(mailbox.dir, ALICE))[0]!)));
    expect(mail.text).toContain(`\ntoken:${token}\nref:pw-1`);
  });
});
