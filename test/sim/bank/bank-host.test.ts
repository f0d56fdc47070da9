import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../../../center/ledger/audit.js';
import { HttpBankAdapter } from '../../../center/relay/http-bank-adapter.js';
import { serveBankHttp } from '../../../sim/bank/bank-http-server.js';
import { BANK_A, nextId, openBanks, WORLD, type Banks } from './fixtures.js';

const { aliceA, carolA, shopA, providerA, bobB } = WORLD;
let dir: string;
let banks: Banks;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-bank-'));
  banks = await openBanks(join(dir, 'a.db'), join(dir, 'b.db'));
});
afterAll(async () => {
  await banks.close();
  rmSync(dir, { recursive: true, force: true });
});

const sale = (amountMinor: number, pin: string = aliceA.pin, id = nextId()) => ({
  transferId: id, from: aliceA.ref, to: providerA.ref, amountMinor, currency: 'JPY', pin,
});

describe('simulated bank host', () => {
  it('moves money between two of its accounts and keeps its ledger balanced', async () => {
    const before = await banks.a.balance(aliceA.ref);
    const out = await banks.a.transfer(sale(3_000));
    expect(out).toMatchObject({ approved: true, code: 'OK', inDoubt: false });
    expect(await banks.a.balance(aliceA.ref)).toBe(before - 3_000);
    expect(await banks.a.balance(providerA.ref)).toBe(3_000);
    expect((await auditLedger(banks.a.storage)).ok).toBe(true);
  });

  it('answers a retried transfer with its first outcome and moves money once', async () => {
    const req = sale(1_000);
    const before = await banks.a.balance(aliceA.ref);
    const first = await banks.a.transfer(req);
    const again = await banks.a.transfer(req);
    expect(again).toEqual(first);
    expect(await banks.a.balance(aliceA.ref)).toBe(before - 1_000);
    expect((await banks.a.transfer({ ...req, amountMinor: 999 })).code).toBe('BANK_TRANSFER_ID_REUSED');
  });

  it('declines with codes: wrong PIN, insufficient funds, unknown and closed accounts, another bank', async () => {
    expect((await banks.a.transfer(sale(100, '0000'))).code).toBe('BANK_WRONG_PIN');
    expect((await banks.a.transfer({ ...sale(10_000), from: carolA.ref, pin: carolA.pin })).code).toBe('BANK_INSUFFICIENT_FUNDS');
    expect((await banks.a.transfer({ ...sale(100), from: { ...aliceA.ref, accountNumber: '1999999' } })).code).toBe('BANK_UNKNOWN_ACCOUNT');
    expect((await banks.a.transfer({ ...sale(100), to: bobB.ref })).code).toBe('BANK_NOT_THIS_BANK');
    await banks.a.setStatus(carolA.ref, 'closed');
    expect((await banks.a.transfer({ ...sale(100), from: carolA.ref, pin: carolA.pin })).code).toBe('BANK_ACCOUNT_CLOSED');
    await banks.a.setStatus(carolA.ref, 'open');
    expect(await banks.a.balance(carolA.ref)).toBe(carolA.openingMinor);
  });

  it('a retried decline stays declined (the first outcome is the answer)', async () => {
    const req = sale(100, '9999');
    expect((await banks.a.transfer(req)).code).toBe('BANK_WRONG_PIN');
    expect((await banks.a.transfer({ ...req, pin: aliceA.pin })).code).toBe('BANK_WRONG_PIN');
  });

  it('reverses by id once; a reversal before the transfer leaves a tombstone', async () => {
    const req = sale(2_000);
    const before = await banks.a.balance(aliceA.ref);
    await banks.a.transfer(req);
    expect(await banks.a.reverse(req.transferId)).toMatchObject({ done: true, moved: true });
    expect(await banks.a.reverse(req.transferId)).toMatchObject({ done: true, moved: true });
    expect(await banks.a.balance(aliceA.ref)).toBe(before);
    const late = sale(500);
    expect(await banks.a.reverse(late.transferId)).toMatchObject({ done: true, moved: false });
    expect((await banks.a.transfer(late)).code).toBe('BANK_TRANSFER_REVERSED');
    expect(await banks.a.balance(aliceA.ref)).toBe(before);
    expect((await auditLedger(banks.a.storage)).ok).toBe(true);
  });

  it('never stores a PIN: only salted scrypt hashes', async () => {
    const rows = await banks.a.storage.read((q) => q.all<{ pin_hash: Buffer; pin_salt: Buffer }>('SELECT pin_hash, pin_salt FROM bank_customers'));
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) {
      expect(Buffer.from(r.pin_hash).length).toBe(32);
      for (const w of Object.values(WORLD)) expect(Buffer.from(r.pin_hash).includes(Buffer.from(w.pin))).toBe(false);
    }
  });

  it('serves the same contract over HTTP (a bank in its own process)', async () => {
    const http = await serveBankHttp(banks.a);
    try {
      const adapter = new HttpBankAdapter(BANK_A, { host: '127.0.0.1', port: http.address.port });
      const req = sale(700);
      expect(await adapter.transfer(req)).toMatchObject({ approved: true, code: 'OK' });
      expect(await adapter.transfer(req)).toMatchObject({ approved: true, code: 'OK' });
      expect((await adapter.transfer(sale(1, '0000'))).code).toBe('BANK_WRONG_PIN');
      expect(await adapter.reverse(req.transferId)).toMatchObject({ done: true, moved: true });
    } finally {
      await http.close();
    }
  });
});
