/**
 * A `tessera center` whose passwords section has a `delivery` (center/passwords/config-schema.ts):
 * the module opens the SMPP delivery from the config alone (no programmatic delivery), so a password
 * issued by the center reaches the phone over a simulated SMSC and becomes spendable; and the delivery's
 * secret files are read by the module's check (what `tessera center --check` runs) before anything opens.
 */
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centerModules } from '../../../../center/modules.js';
import type { Passwords } from '../../../../center/passwords/passwords.js';
import { parseCenterConfig, sectionOf } from '../../../../center/server/config.js';
import { startCenter } from '../../../../center/server/start-center.js';
import { PhoneStore } from '../../../../sim/phone/store.js';
import { keyDir } from '../../server/support.js';
import { issueReq } from '../support.js';
import { SMPP_SYSTEM_ID, startPhoneProcess, startSmscProcess, testDir, waitFor, type Party, type PhoneProcess } from './support/messaging.js';

const ALICE = '819000000001';

describe('passwords delivery from the center config', () => {
  const k = keyDir();
  let dir: string;
  let smsc: Party & { passwordFile: string };
  let alice: PhoneProcess;

  const ttpKeyFile = (): string => {
    const path = join(dir, 'ttp.key');
    writeFileSync(path, `${'5a'.repeat(32)}\n`, { mode: 0o600 });
    return path;
  };
  const config = (passwordFile: string) =>
    parseCenterConfig(
      {
        listen: { host: '127.0.0.1', port: 0 },
        db: join(dir, `center-${Math.random().toString(16).slice(2)}.db`),
        terminalKeys: { masterKeyFile: k.masterKeyFile },
        passwords: {
          ttpKeyFile: ttpKeyFile(),
          issuers: ['CREDIT-A'],
          delivery: { smpp: { host: '127.0.0.1', port: smsc?.port ?? 1, systemId: SMPP_SYSTEM_ID, passwordFile }, attemptsMax: 3, backoffMsBase: 100, sweepIntervalMs: 50 },
        },
      },
      centerModules(),
    );

  beforeAll(async () => {
    dir = testDir('pw-config-delivery');
    smsc = await startSmscProcess(dir, [ALICE]);
    alice = await startPhoneProcess(dir, 'alice', { msisdn: ALICE, smscPort: smsc.port });
  }, 300_000);

  afterAll(async () => {
    await Promise.all([alice?.process.stop(), smsc?.process.stop()]);
    rmSync(dir, { recursive: true, force: true });
    k.remove();
  });

  it('a password issued by a center configured with an SMSC reaches the phone by SMS, is delivered and can be spent with the code the phone shows', async () => {
    const center = await startCenter(config(smsc.passwordFile), centerModules());
    try {
      const pw = center.module<Passwords>('passwords');
      const a = await pw.issue(issueReq({ amountMinor: 3_000, channel: 'sms', address: ALICE }));
      const view = await waitFor('password delivered', async () => {
        const v = await pw.view(a.serial);
        return v?.state === 'delivered' ? v : undefined;
      }, 40_000);
      expect(view).toMatchObject({ spendable: true, remainingMinor: 3_000 });
      const m = await waitFor('message on the phone', async () => new PhoneStore(alice.dir).messages.find((x) => x.ref === a.passwordId));
      expect(m).toMatchObject({ channel: 'sms', from: 'TESSERA', token: a.token });
      expect(m.code).toMatch(/^[0-9A-Z]{16}$/);
      const sale = await pw.redeem({ merchantId: 'shop-1', shopId: 'SHOP-1' }, { requestId: 'sale-1', presented: { code: m.code! }, amountMinor: 1_000, currency: 'JPY', capture: true });
      expect(sale).toMatchObject({ state: 'captured' });
      expect(await pw.view(a.serial)).toMatchObject({ state: 'partly-used', remainingMinor: 2_000 });
    } finally {
      await center.close();
    }
  }, 90_000);

  it('the message is queued in the issue\'s own unit: an address or channel the delivery side refuses refuses the issue (coded, field named), nothing issued or booked, the request id stays free', async () => {
    const center = await startCenter(config(smsc.passwordFile), centerModules());
    try {
      const pw = center.module<Passwords>('passwords');
      const count = async (sql: string): Promise<number> => Number((await center.storage.read((q) => q.get<{ n: number }>(sql)))?.n ?? 0);
      // 5 digits: an MSISDN to the issue's own check, too short for the SMSC (6-15 digits).
      const short = issueReq({ requestId: 'short-msisdn', amountMinor: 1_000, channel: 'sms', address: '12345' });
      await expect(pw.issue(short)).rejects.toMatchObject({ code: 'PASSWORD_BAD_REQUEST', details: { field: 'address' } });
      // This center has SMPP only.
      await expect(pw.issue(issueReq({ amountMinor: 1_000, channel: 'email', address: 'alice@example.test' }))).rejects.toMatchObject({ code: 'PASSWORD_DELIVERY_UNAVAILABLE', details: { field: 'channel' } });
      expect(await count('SELECT COUNT(*) AS n FROM passwords')).toBe(0);
      expect(await count('SELECT COUNT(*) AS n FROM password_deliveries')).toBe(0);
      expect(await count('SELECT COUNT(*) AS n FROM ledger_transfers')).toBe(0);
      // The same request id with a number the SMSC takes: issued, queued in the same unit.
      const a = await pw.issue({ ...short, address: ALICE });
      expect(a).toMatchObject({ replayed: false, state: 'issued' });
      expect(await count(`SELECT COUNT(*) AS n FROM password_deliveries WHERE id = '${a.passwordId}'`)).toBe(1);
      await waitFor('password delivered', async () => (await pw.view(a.serial))?.state === 'delivered', 40_000);
    } finally {
      await center.close();
    }
  }, 90_000);

  it('--check (the module check) refuses an SMPP password file others can read, with a coded error naming the file; the start refuses it before opening anything', async () => {
    const open = join(dir, 'smpp-open.pw');
    writeFileSync(open, 'sm9Pw!x2\n');
    chmodSync(open, 0o644);
    const c = config(open);
    const m = centerModules().find((x) => x.name === 'passwords')!;
    let e: unknown = null;
    try {
      m.check?.(sectionOf(c, m));
    } catch (x) {
      e = x;
    }
    expect(e).toMatchObject({ code: 'PWDELIVERY_SECRET_FILE_PERMISSIONS', details: { path: open } });
    expect(String((e as Error).message)).not.toContain('sm9Pw');
    await expect(startCenter(c, centerModules())).rejects.toMatchObject({ code: 'PWDELIVERY_SECRET_FILE_PERMISSIONS', details: { path: open } });
  });

  it('--check (the module check) refuses an SMTP password file others can read, and a missing one, naming the file', () => {
    const open = join(dir, 'smtp-open.pw');
    writeFileSync(open, 'smtp-secret\n');
    chmodSync(open, 0o644);
    const m = centerModules().find((x) => x.name === 'passwords')!;
    const checkWith = (passwordFile: string): unknown => {
      const c = parseCenterConfig(
        {
          listen: { host: '127.0.0.1', port: 0 }, terminalKeys: { masterKeyFile: k.masterKeyFile },
          passwords: { ttpKeyFile: ttpKeyFile(), issuers: ['CREDIT-A'], delivery: { smtp: { host: '127.0.0.1', port: 25, user: 'ttp', passwordFile, from: 'ttp@example.test' } } },
        },
        centerModules(),
      );
      try {
        m.check?.(sectionOf(c, m));
        return null;
      } catch (e) {
        return e;
      }
    };
    expect(checkWith(open)).toMatchObject({ code: 'PWDELIVERY_SECRET_FILE_PERMISSIONS', details: { path: open } });
    const missing = join(dir, 'no-such.pw');
    expect(checkWith(missing)).toMatchObject({ code: 'PWDELIVERY_SECRET_FILE', details: { path: missing } });
  });
});
