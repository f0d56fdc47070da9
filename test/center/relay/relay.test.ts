import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { HttpBankAdapter } from '../../../center/relay/http-bank-adapter.js';
import { Relay } from '../../../center/relay/relay.js';
import type { BankHostAdapter } from '../../../center/relay/types.js';
import { BANK_A, BANK_B, nextId, openBanks, WORLD, type Banks } from '../../sim/bank/fixtures.js';

const { aliceA, bobB, providerA, providerB, shopB } = WORLD;
let banks: Banks;
let relay: Relay;

beforeAll(async () => {
  banks = await openBanks(':memory:', ':memory:');
  relay = new Relay({ adapters: [banks.a, banks.b] });
});
afterAll(() => banks.close());

describe('transaction relay', () => {
  it('routes by bank code to the bank holding both accounts', async () => {
    const id = nextId('cd');
    const out = await relay.transfer({ transferId: id, from: bobB.ref, to: providerB.ref, amountMinor: 1_200, currency: 'JPY', pin: bobB.pin });
    expect(out).toMatchObject({ approved: true, code: 'OK' });
    expect(await banks.b.balance(providerB.ref)).toBe(1_200);
    expect(await banks.a.balance(providerA.ref)).toBe(0);
    expect(relay.bankCodes).toEqual([BANK_A, BANK_B]);
  });

  it('refuses transfers between two banks, to unknown banks and malformed ones, before any bank sees them', async () => {
    const base = { transferId: nextId('cd'), from: aliceA.ref, to: shopB.ref, amountMinor: 10, currency: 'JPY', pin: aliceA.pin };
    expect((await relay.transfer(base)).code).toBe('RELAY_DIFFERENT_BANKS');
    const nowhere = { ...aliceA.ref, bankCode: '0099' };
    expect((await relay.transfer({ ...base, from: nowhere, to: { ...nowhere, accountNumber: '0000001' } })).code).toBe('RELAY_UNKNOWN_BANK');
    expect((await relay.transfer({ ...base, transferId: 'xyz' })).code).toBe('RELAY_BAD_REQUEST');
    expect((await relay.transfer({ ...base, amountMinor: 1.5 })).code).toBe('RELAY_BAD_REQUEST');
  });

  it('reports an unreachable bank as in doubt, and a silent one after its timeout', async () => {
    const dead = new Relay({ adapters: [new HttpBankAdapter(BANK_A, { host: '127.0.0.1', port: 1 })] });
    const req = { transferId: nextId('cd'), from: aliceA.ref, to: providerA.ref, amountMinor: 10, currency: 'JPY', pin: aliceA.pin };
    expect(await dead.transfer(req)).toMatchObject({ approved: false, code: 'RELAY_BANK_UNREACHABLE', inDoubt: true });
    expect((await dead.reverse(BANK_A, req.transferId)).code).toBe('RELAY_BANK_UNREACHABLE');

    const clock = new ManualClock();
    const silent: BankHostAdapter = { bankCode: BANK_A, transfer: () => new Promise(() => undefined), reverse: () => new Promise(() => undefined) };
    const slow = new Relay({ adapters: [silent], clock, bankTimeoutMs: 1_000 });
    const p = slow.transfer(req);
    clock.advance(1_000);
    expect(await p).toMatchObject({ code: 'RELAY_BANK_UNREACHABLE', inDoubt: true });
  });

  it('reverses through the bank by id', async () => {
    const req = { transferId: nextId('cd'), from: aliceA.ref, to: providerA.ref, amountMinor: 300, currency: 'JPY', pin: aliceA.pin };
    const before = await banks.a.balance(aliceA.ref);
    await relay.transfer(req);
    expect(await relay.reverse(BANK_A, req.transferId)).toMatchObject({ done: true, moved: true });
    expect(await banks.a.balance(aliceA.ref)).toBe(before);
    expect((await relay.reverse('0099', req.transferId)).code).toBe('RELAY_UNKNOWN_BANK');
  });
});
