/** The bank host's /metrics (config `metrics`, loopback only): operations by outcome code with latency, HTTP requests by route and status. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveBankFromConfig } from '../../../sim/bank/serve.js';
import { parseBankServeConfig } from '../../../sim/bank/serve-config.js';
import { parseProm, sampleSum } from '../../support/prom-text.js';
import { failure } from '../../support/failure.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-bank-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PIN = '739146';

function pinFile(name: string, pin: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${pin}\n`);
  chmodSync(path, 0o600);
  return path;
}

describe('bank host /metrics', () => {
  it('counts transfers and reversals by outcome code and HTTP requests by route, with no account, id or PIN in the text', async () => {
    const config = parseBankServeConfig({
      bankCode: '0001',
      db: join(dir, 'bank.db'),
      listen: { port: 0 },
      metrics: { port: 0 },
      accounts: [
        { holder: 'alice', role: 'user', branchCode: '001', accountNumber: '1000001', pinFile: pinFile('a.pin', PIN), openingMinor: 10_000 },
        { holder: 'shop', role: 'merchant', branchCode: '002', accountNumber: '2000002', pinFile: pinFile('s.pin', '4321') },
      ],
    });
    const bank = await serveBankFromConfig(config);
    try {
      expect(bank.metricsAddress?.address).toBe('127.0.0.1');
      const base = `http://127.0.0.1:${bank.address.port}`;
      const transfer = (pin: string, id: string) =>
        fetch(`${base}/transfer`, {
          method: 'POST',
          body: JSON.stringify({ transferId: id, from: { bankCode: '0001', branchCode: '001', accountNumber: '1000001' }, to: { bankCode: '0001', branchCode: '002', accountNumber: '2000002' }, amountMinor: 100, currency: 'JPY', pin }),
        }).then((r) => r.json());
      expect(await transfer(PIN, 'c'.repeat(32))).toMatchObject({ code: 'OK' });
      expect(await transfer('000000', 'd'.repeat(32))).toMatchObject({ code: 'BANK_WRONG_PIN' });
      expect((await fetch(`${base}/reverse`, { method: 'POST', body: JSON.stringify({ transferId: 'c'.repeat(32) }) })).status).toBe(200);
      expect((await fetch(`${base}/no/such/${'e'.repeat(32)}`, { method: 'POST', body: '{}' })).status).toBe(404);
      const res = await fetch(`http://127.0.0.1:${bank.metricsAddress!.port}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      const s = parseProm(text);
      expect(sampleSum(s, 'tessera_bank_operations_total', { op: 'transfer', code: 'OK' })).toBe(1);
      expect(sampleSum(s, 'tessera_bank_operations_total', { op: 'transfer', code: 'BANK_WRONG_PIN' })).toBe(1);
      expect(sampleSum(s, 'tessera_bank_operations_total', { op: 'reverse' })).toBe(1);
      expect(sampleSum(s, 'tessera_bank_operation_duration_seconds_count', { op: 'transfer' })).toBe(2);
      expect(sampleSum(s, 'tessera_bank_http_requests_total', { route: '/transfer', status: '200' })).toBe(2);
      expect(sampleSum(s, 'tessera_bank_http_requests_total', { route: 'other', status: '404' })).toBe(1);
      expect(sampleSum(s, 'process_cpu_seconds_total')).toBeGreaterThan(0);
      for (const secret of [PIN, '1000001', '2000002', 'c'.repeat(32), 'e'.repeat(32)]) expect(text).not.toContain(secret);
    } finally {
      await bank.close();
    }
  });

  it('refuses a metrics address that is not loopback (BANKHOST_CONFIG_INVALID naming metrics.host)', () => {
    const bad = failure(() => parseBankServeConfig({ bankCode: '0001', db: 'b.db', listen: { port: 0 }, metrics: { host: '0.0.0.0', port: 9101 } }));
    expect(bad.code).toBe('BANKHOST_CONFIG_INVALID');
    expect(bad.message).toContain('metrics.host');
  });
});
