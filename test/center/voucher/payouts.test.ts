/**
 * Shop payouts (center/voucher/payouts.ts) through the seed-004 relay to an
 * in-process bank host: captured value paid from the center's account at
 * the shop's bank with a reconciliation id, once; a refund after a payout
 * makes the payable negative until new captures cover it; a bank refusal
 * (closed account) fails the payout and makes the value payable again; the
 * statement and both sides' books agree.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Relay } from '../../../center/relay/relay.js';
import type { AccountRef } from '../../../center/relay/types.js';
import { centerAt, PAYOUTS, shopAccount } from '../../../center/voucher/ledger-map.js';
import type { PrintableCard } from '../../../center/voucher/api.js';
import { BankHost } from '../../../sim/bank/bank-host.js';
import { accountBalance, audit, openEngine, sell, SOURCE, stock, type Engine } from './support.js';

let bank: BankHost;
let e: Engine;
let center: AccountRef;
let shop: AccountRef;
let cards: PrintableCard[];

beforeEach(async () => {
  bank = await BankHost.open({ bankCode: '0001', name: 'Bank One', db: ':memory:' });
  center = await bank.openAccount({ branchCode: '001', accountNumber: '7000001', holder: 'voucher center', role: 'provider', pin: '4321', openingMinor: 100_000 });
  shop = await bank.openAccount({ branchCode: '002', accountNumber: '8000001', holder: 'web shop', role: 'merchant', pin: '0000' });
  e = await openEngine({
    payouts: {
      relay: new Relay({ adapters: [bank] }),
      shops: new Map([[SOURCE.merchantId, shop]]),
      centerAccounts: new Map([['0001', { ...center, securityCode: '4321' }]]),
    },
  });
  cards = await stock(e, { count: 3 });
  for (const c of cards) await sell(e, c);
});
afterEach(async () => {
  expect((await audit(e)).examples).toEqual([]);
  await e.close();
  await bank.close();
});

const pay = (pin: string, amount: number) => e.vouchers.redeem({ source: SOURCE, redemptionKey: `k-${pin}-${amount}`, pins: [pin], amount, currency: 'JPY', orderRef: 'o', capture: true });

describe('voucher shop payouts', () => {
  it('pays the captured value once from the center\'s account at the shop\'s bank; the statement shows it with its reconciliation id', async () => {
    const r = await pay(cards[0]!.pin, 900);
    expect(await e.vouchers.sweepOnce()).toMatchObject({ payoutsDecided: 1, payoutsPaid: 1, payoutsFailed: 0 });
    expect(await e.vouchers.sweepOnce()).toMatchObject({ payoutsDecided: 0, payoutsPaid: 0 });
    expect(await bank.balance(shop)).toBe(900);
    expect(await bank.balance(center)).toBe(100_000 - 900);
    expect(await accountBalance(e, shopAccount(SOURCE.merchantId))).toBe(0);
    expect(await accountBalance(e, PAYOUTS)).toBe(0);
    expect(await accountBalance(e, centerAt('0001'))).toBe(900); // the asset account went down: credits − debits = +900
    const st = await e.vouchers.statement(SOURCE.merchantId);
    expect(st).toMatchObject({ capturedMinor: 900, refundedMinor: 0, paidOutMinor: 900, pendingMinor: 0, payableMinor: 0 });
    expect(st.payouts).toHaveLength(1);
    expect(st.payouts[0]).toMatchObject({ state: 'paid', amountMinor: 900, bankCode: '0001', code: 'OK' });
    expect(st.payouts[0]!.payoutId).toMatch(/^vp_[0-9a-f]{24}$/);
    expect(st.payouts[0]!.transferId).toMatch(/^[0-9a-f]{32}$/);
    // A refund of value already paid out: payable negative; the next captures cover it first.
    await e.vouchers.refund(SOURCE.merchantId, r.redemptionId, { refundId: 'F1', amount: 400 });
    expect(await e.vouchers.sweepOnce()).toMatchObject({ payoutsDecided: 0 });
    expect((await e.vouchers.statement(SOURCE.merchantId)).payableMinor).toBe(-400);
    await pay(cards[1]!.pin, 1000);
    expect(await e.vouchers.sweepOnce()).toMatchObject({ payoutsDecided: 1, payoutsPaid: 1 });
    expect(await bank.balance(shop)).toBe(1500);
  });

  it('a payout the bank refuses for good fails and the value is payable again; nothing is paid twice', async () => {
    await pay(cards[0]!.pin, 700);
    await bank.setStatus(shop, 'closed');
    expect(await e.vouchers.sweepOnce()).toMatchObject({ payoutsDecided: 1, payoutsPaid: 0, payoutsFailed: 1 });
    const st = await e.vouchers.statement(SOURCE.merchantId);
    expect(st).toMatchObject({ paidOutMinor: 0, pendingMinor: 0, payableMinor: 700 });
    expect(st.payouts[0]).toMatchObject({ state: 'failed', code: 'BANK_ACCOUNT_CLOSED' });
    await bank.setStatus(shop, 'open');
    expect(await e.vouchers.sweepOnce()).toMatchObject({ payoutsDecided: 1, payoutsPaid: 1 });
    expect(await bank.balance(shop)).toBe(700);
    expect(e.logs.join('')).toContain('VOUCHER_PAYOUT_FAILED');
    expect(e.logs.join('')).not.toContain('4321');
  });
});
