/**
 * Seed 004 end to end over the real protocol on loopback: center (listener,
 * session router, e-money flow, ledger on SQLite), banks A and B (own
 * databases) behind the relay, a provider kiosk and shop terminals on
 * LinkClient + CallbackListener, virtual purse cards driven by APDUs.
 * Money is conserved in every test and the center's ledger audit passes.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECORD_STATUS, STATUS } from '../../protocol/codes.js';
import { auditLedger } from '../../center/ledger/audit.js';
import { emoneyReport, formatEmoneyReport } from '../../center/emoney/reports.js';
import { resultCodeName } from '../../center/emoney/result-codes.js';
import { EMONEY_LIMITS } from '../../center/emoney/limits.js';
import { WORLD } from '../sim/bank/fixtures.js';
import { chargeRequest, creditCard, issueRequest, moneyInWorld, openWorld, settle, SHOP_A1, SHOP_B1, type World } from '../center/emoney/world.js';

let w: World;
let money0: number;
const tx = (): Buffer => randomBytes(16);
const nonce = (): Buffer => randomBytes(8);

beforeEach(async () => {
  w = await openWorld();
  money0 = await moneyInWorld(w);
});
afterEach(async () => {
  expect(await moneyInWorld(w)).toBe(money0);
  const audit = await auditLedger(w.storage);
  expect(audit.ok).toBe(true);
  for (const b of [w.banks.a, w.banks.b]) expect((await auditLedger(b.storage)).ok).toBe(true);
  // The provider's books agree with the banks: its net position at each bank is its balance there.
  const report = await emoneyReport(w.storage);
  expect(report.banks.find((b) => b.bankCode === '0001')!.providerNetMinor).toBe(await w.banks.a.balance(WORLD.providerA.ref));
  expect(report.banks.find((b) => b.bankCode === '0002')!.providerNetMinor).toBe(await w.banks.b.balance(WORLD.providerB.ref));
  await w.close();
});

const code = (n: number) => resultCodeName(n);

describe('e-money over bank POS, end to end', () => {
  it('charges at banks A and B, purchases at shops of both banks, settlement with callback pays each shop at its bank', async () => {
    const [card, card2] = w.cards;
    const t1 = tx();
    const charged = await chargeRequest(w.kiosk, t1, WORLD.aliceA.ref, WORLD.aliceA.pin, 10_000);
    expect(charged.status).toBe(STATUS.APPROVED);
    expect(await w.banks.a.balance(WORLD.providerA.ref)).toBe(10_000);
    const { confirmed } = await creditCard(w.kiosk, t1, card!, 10_000);
    expect(confirmed?.status).toBe(STATUS.APPROVED);
    expect(card!.balanceMinor).toBe(10_000);
    const t2 = tx();
    expect((await chargeRequest(w.kiosk, t2, WORLD.bobB.ref, WORLD.bobB.pin, 5_000)).status).toBe(STATUS.APPROVED);
    await creditCard(w.kiosk, t2, card2!, 5_000);

    await w.shops[SHOP_A1]!.sell(card!, 1_500, nonce());
    await w.shops[SHOP_A1]!.sell(card2!, 500, nonce());
    await w.shops[SHOP_B1]!.sell(card!, 3_000, nonce());
    expect(card!.balanceMinor).toBe(5_500);

    await settle(w, w.shops[SHOP_A1]!);
    await settle(w, w.shops[SHOP_B1]!);
    expect(w.shops[SHOP_A1]!.journal).toEqual([]);
    expect(w.shops[SHOP_A1]!.instructions[0]).toMatchObject({ bankCode: '0001', accountNumber: WORLD.providerA.ref.accountNumber, totalMinor: 2_000 });
    expect(w.shops[SHOP_A1]!.securityCodes[0]).toBe(WORLD.providerA.pin);
    expect(await w.banks.a.balance(WORLD.shopA.ref)).toBe(2_000);
    expect(await w.banks.b.balance(WORLD.shopB.ref)).toBe(3_000);
    const r = await emoneyReport(w.storage);
    expect(r.banks).toEqual([
      { bankCode: '0001', chargedMinor: 10_000, settledMinor: 2_000, providerNetMinor: 8_000 },
      { bankCode: '0002', chargedMinor: 5_000, settledMinor: 3_000, providerNetMinor: 2_000 },
    ]);
    expect(r.shops).toEqual([
      { shopId: 'SHOP-A', bankCode: '0001', batches: 1, settledMinor: 2_000 },
      { shopId: 'SHOP-B', bankCode: '0002', batches: 1, settledMinor: 3_000 },
    ]);
    expect(r.floatMinor).toBe(card!.balanceMinor + card2!.balanceMinor);
    expect(formatEmoneyReport(r)).toContain('bank 0001');
  });
});
