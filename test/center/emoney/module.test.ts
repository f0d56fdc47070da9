/** The center config's `emoney` section: schema, secret files, and the e-money module started by `tessera center`'s startCenter. */
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBankUrl } from '../../../center/emoney/config-schema.js';
import type { Emoney } from '../../../center/emoney/emoney.js';
import { EMONEY_MODULE } from '../../../center/emoney/module.js';
import { CENTER_MODULES } from '../../../center/modules.js';
import { startCenter } from '../../../center/server/start-center.js';
import { readIssuerKeyFile, readSecurityCodeFile } from '../../../center/emoney/secret-files.js';
import { parseCenterConfig, type CenterConfig } from '../../../center/server/config.js';
import { openStorage } from '../../../center/storage/open.js';
import { runCli } from '../../../sim/world/cli-process.js';
import { keyDir } from '../server/support.js';
import { failure } from '../../support/failure.js';

const k = keyDir();
afterAll(() => k.remove());

function secret(name: string, content: string | Buffer, mode = 0o600): string {
  const path = join(k.dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

const ISSUER_HEX = 'ab'.repeat(32);
const CODE = '90019001';
const section = (over: Record<string, unknown> = {}) => ({
  issuerMasterKeyFile: secret('issuer.key', `${ISSUER_HEX}\n`),
  providerAccounts: [{ bankCode: '0001', branchCode: '009', accountNumber: '9000001', securityCodeFile: secret('p1.code', CODE) }],
  banks: [{ bankCode: '0001', url: 'http://127.0.0.1:1' }],
  ...over,
});
const config = (emoney: Record<string, unknown>, db = join(k.dir, 'center.db')): CenterConfig =>
  parseCenterConfig({ listen: { host: '127.0.0.1', port: 0 }, db, terminalKeys: { masterKeyFile: k.masterKeyFile }, emoney }, CENTER_MODULES);

describe('center config: emoney section', () => {
  it('is optional, and fills currency, shops and the sweep interval', () => {
    expect(parseCenterConfig({ terminalKeys: { masterKeyFile: '/k' } }, CENTER_MODULES)['emoney']).toBeUndefined();
    expect(config(section())['emoney']).toMatchObject({ currency: 'JPY', shops: [], sweepIntervalMs: 1_000 });
  });

  it('names every bad field (CENTER_CONFIG_INVALID), cross-checks included', () => {
    const bad = failure(() =>
      config(
        section({
          currency: 'yen',
          banks: [
            { bankCode: '0001', url: 'https://bank.example:443' },
            { bankCode: '0001', url: 'http://127.0.0.1:2/path' },
          ],
          providerAccounts: [{ bankCode: '0003', branchCode: '9', accountNumber: '9000001', securityCodeFile: 'x' }],
          shops: [
            { shopId: 'SHOP-A', bankCode: '0002', branchCode: '003', accountNumber: '3000001' },
            { shopId: 'SHOP-A', bankCode: '0003', branchCode: '003', accountNumber: '3000002' },
          ],
          sweepIntervalMs: 1,
          securityCode: '1234',
        }),
      ),
    );
    expect(bad.code).toBe('CENTER_CONFIG_INVALID');
    for (const path of [
      'emoney.currency',
      'emoney.banks.0.url',
      'emoney.banks.1.url',
      'emoney.banks.1.bankCode',
      'emoney.providerAccounts.0.branchCode',
      'emoney.sweepIntervalMs',
    ]) {
      expect(bad.message).toContain(path);
    }
    expect(bad.message).toMatch(/securityCode/); // strict: unknown keys are refused
    // Cross-checks run once the fields are well-formed.
    const cross = failure(() =>
      config(
        section({
          providerAccounts: [{ bankCode: '0003', branchCode: '009', accountNumber: '9000001', securityCodeFile: 'x' }],
          shops: [
            { shopId: 'SHOP-A', bankCode: '0002', branchCode: '003', accountNumber: '3000001' },
            { shopId: 'SHOP-A', bankCode: '0003', branchCode: '003', accountNumber: '3000002' },
          ],
        }),
      ),
    );
    expect(cross.code).toBe('CENTER_CONFIG_INVALID');
    for (const path of ['emoney.providerAccounts.0.bankCode', 'emoney.shops.0.bankCode', 'emoney.shops.1.shopId']) expect(cross.message).toContain(path);
  });

  it('bank urls: http://host:port only', () => {
    expect(parseBankUrl('http://127.0.0.1:7801')).toEqual({ host: '127.0.0.1', port: 7801 });
    expect(parseBankUrl('http://[::1]:7801/')).toEqual({ host: '::1', port: 7801 });
    expect(parseBankUrl('http://bank-a')).toEqual({ host: 'bank-a', port: 80 });
    for (const bad of ['https://x:1', 'http://x:1/transfer', 'http://u:p@x:1', 'x:1', '']) expect(parseBankUrl(bad)).toBeNull();
  });
});

describe('e-money secret files', () => {
  it('reads the issuer key as hex or 32 raw bytes, and a security code of 4-12 digits', () => {
    expect(readIssuerKeyFile(secret('hex.key', `  ${ISSUER_HEX}\n`)).toString('hex')).toBe(ISSUER_HEX);
    const raw = Buffer.alloc(32, 7);
    expect(readIssuerKeyFile(secret('raw.key', raw))).toEqual(raw);
    expect(readSecurityCodeFile(secret('c.code', `${CODE}\n`))).toBe(CODE);
  });

  it('refuses files group or others can access, bad contents and missing files, never showing the secret', () => {
    const open = failure(() => readIssuerKeyFile(secret('open.key', ISSUER_HEX, 0o644)));
    expect(open.code).toBe('CENTER_SECRET_FILE_PERMISSIONS');
    expect(failure(() => readSecurityCodeFile(secret('open.code', CODE, 0o640))).code).toBe('CENTER_SECRET_FILE_PERMISSIONS');
    expect(failure(() => readIssuerKeyFile(secret('short.key', 'ab'.repeat(20)))).code).toBe('CENTER_ISSUER_KEY_FILE');
    expect(failure(() => readIssuerKeyFile(join(k.dir, 'missing.key'))).code).toBe('CENTER_ISSUER_KEY_FILE');
    const letters = failure(() => readSecurityCodeFile(secret('letters.code', '9001x9001')));
    expect(letters.code).toBe('CENTER_SECURITY_CODE_FILE');
    expect(failure(() => readSecurityCodeFile(secret('long.code', '1234567890123'))).code).toBe('CENTER_SECURITY_CODE_FILE');
    for (const f of [open, letters]) {
      expect(f.message).not.toContain(ISSUER_HEX);
      expect(f.message).not.toContain('9001x9001');
    }
  });
});

describe('startCenter with an emoney section', () => {
  it('a bad secret stops the start before the database is created', async () => {
    const db = join(k.dir, 'never.db');
    const cfg = config(section({ issuerMasterKeyFile: secret('loose.key', ISSUER_HEX, 0o604) }), db);
    await expect(startCenter(cfg, CENTER_MODULES)).rejects.toMatchObject({ code: 'CENTER_SECRET_FILE_PERMISSIONS' });
    expect(existsSync(db)).toBe(false);
  });

  it('registers the shops (idempotent across restarts, re-pointed when the config changes), sweeps, closes cleanly', async () => {
    const db = join(k.dir, 'shops.db');
    const shop = { shopId: 'SHOP-A', bankCode: '0001', branchCode: '003', accountNumber: '3000001' };
    for (const accountNumber of ['3000001', '3000001', '3000009']) {
      const cfg = config(section({ shops: [{ ...shop, accountNumber }], sweepIntervalMs: 50 }), db);
      const c = await startCenter(cfg, CENTER_MODULES);
      expect(c.module<Emoney>(EMONEY_MODULE).relay.bankCodes).toEqual(['0001']);
      expect(c.address.port).toBeGreaterThan(0);
      await c.close();
    }
    const storage = await openStorage(db);
    try {
      const rows = await storage.read((q) => q.all<{ shop_id: string; account: string }>('SELECT shop_id, account FROM emoney_merchants'));
      expect(rows).toEqual([{ shop_id: 'SHOP-A', account: '3000009' }]);
      const accounts = await storage.read((q) => q.all<{ id: string }>("SELECT id FROM ledger_accounts WHERE id LIKE '%@0001' ORDER BY id"));
      expect(accounts.map((a) => a.id)).toEqual(['charge-clearing@0001', 'provider@0001', 'settle-clearing@0001']);
    } finally {
      await storage.close();
    }
  });
});

describe('tessera center --check with an emoney section', () => {
  it('reads the secret files: ok exits 0; a loose security code file exits 1 with its code, never the code', async () => {
    const file = (name: string, emoney: Record<string, unknown>) => {
      const path = join(k.dir, name);
      writeFileSync(path, JSON.stringify({ db: join(k.dir, 'check.db'), terminalKeys: { masterKeyFile: k.masterKeyFile }, emoney }));
      return path;
    };
    const ok = await runCli(['center', '--config', file('ok.json', section()), '--check']);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.lines[0]).toMatchObject({ ok: true, config: { emoney: { currency: 'JPY', sweepIntervalMs: 1_000 } } });
    const loose = section({ providerAccounts: [{ bankCode: '0001', branchCode: '009', accountNumber: '9000001', securityCodeFile: secret('loose.code', CODE, 0o644) }] });
    const bad = await runCli(['center', '--config', file('loose.json', loose), '--check']);
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('CENTER_SECRET_FILE_PERMISSIONS');
    expect(bad.output).not.toContain(CODE);
    expect(existsSync(join(k.dir, 'check.db'))).toBe(false);
  });
});
