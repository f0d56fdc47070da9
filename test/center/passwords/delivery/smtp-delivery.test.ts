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
import { openDelivery, type DeliveryOutcome, type OpenedDelivery } from '../../../../center/passwords/delivery/index.js';
import { openStorage } from '../../../../center/storage/open.js';
import type { Storage } from '../../../../center/storage/types.js';
import { writeSecretFile } from '../../../../sim/world/cli-parts.js';
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
  const outcomes: DeliveryOutcome[] = [];
  const logs: string[] = [];
  const secrets: string[] = [SMTP_PASSWORD];

  const enqueue = async (id: string, to: string): Promise<string> => {
    const pw = `TP1.${randomBytes(18).toString('base64url')}`;
    secrets.push(pw);
    await storage.transact((tx) =>
      delivery.service.enqueue(tx, { id, passwordSerial: `S-${id}`, channel: 'email', to, subject: 'Your settlement password', text: `Tessera settlement password\npw:${pw}\n1000 JPY`, deadlineMs: Date.now() + 20_000 }),
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
  }, 90_000);

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
    expect(m).toMatchObject({ channel: 'email', password: pw });
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
