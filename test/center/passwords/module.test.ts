/**
 * The passwords module as `tessera center` starts it (startCenter with the one
 * module list, center/modules.ts): its config section, its 0600 key file
 * (checked before anything opens), and its /v1/passwords/ routes served on
 * the merchant API's listener through the merchant-route hook.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MerchantClient } from '../../../center/merchant-api/client.js';
import type { MerchantApi } from '../../../center/merchant-api/server.js';
import { centerModules } from '../../../center/modules.js';
import { PasswordsClient } from '../../../center/passwords/client.js';
import type { Passwords } from '../../../center/passwords/passwords.js';
import { parseCenterConfig } from '../../../center/server/config.js';
import { startCenter } from '../../../center/server/start-center.js';
import { keyDir } from '../server/support.js';
import { issueReq, RecordingDelivery } from './support.js';

const k = keyDir();
afterAll(() => k.remove());

function keyFile(name: string, mode: number): string {
  const path = join(k.dir, name);
  writeFileSync(path, `${'5a'.repeat(32)}\n`);
  chmodSync(path, mode);
  return path;
}
const config = (ttpKeyFile: string) =>
  parseCenterConfig({
    listen: { host: '127.0.0.1', port: 0 }, db: join(k.dir, `center-${Math.random().toString(16).slice(2)}.db`), terminalKeys: { masterKeyFile: k.masterKeyFile },
    passwords: { ttpKeyFile, issuers: ['CREDIT-A'], shopCategories: { 'SHOP-1': 'BOOKS' } }, merchantApi: { port: 0 },
  }, centerModules());

describe('passwords module in a center', () => {
  it('serves /v1/passwords/ on the merchant listener; a password issued by the module is sold through it', async () => {
    const center = await startCenter(config(keyFile('ttp.key', 0o600)), centerModules());
    try {
      const pw = center.module<Passwords>('passwords');
      const delivery = new RecordingDelivery();
      pw.useDelivery(delivery);
      const a = await pw.issue(issueReq({ amountMinor: 2_000 }));
      await pw.onOutcome({ passwordId: a.passwordId, outcome: 'delivered', channel: 'sms', atMs: Date.now() });
      const merchant = center.module<MerchantApi>('merchant-api');
      await merchant.merchants.add('shop-1', 'SHOP-1');
      const m = new MerchantClient({ baseUrl: merchant.url, apiKey: (await merchant.merchants.addKey('shop-1')).key, attempts: 1 });
      try {
        const sale = await new PasswordsClient(m).redeem({ code: delivery.code(a.passwordId) }, { amountMinor: 500, currency: 'JPY' });
        expect(sale.body).toMatchObject({ state: 'captured', capturedMinor: 500, remainingMinor: 1_500 });
      } finally {
        await m.close();
      }
    } finally {
      await center.close();
    }
  });

  it('refuses to start with a TTP key file group or others can read (PASSWORD_KEY_FILE_PERMISSIONS), naming the file', async () => {
    const path = keyFile('open.key', 0o644);
    const e = await startCenter(config(path), centerModules()).then(() => null, (x: unknown) => x);
    expect(e).toMatchObject({ code: 'PASSWORD_KEY_FILE_PERMISSIONS', details: { path } });
  });
});
