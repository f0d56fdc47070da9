/**
 * Seed 004, terminal side, on the real stack: shop and vending agents
 * (createAgent → PcscCardReader → smartcard → pcscd → vpcd → virtual purse
 * cards), a center on SQLite with the e-money flow, banks A and B behind the
 * relay. Cards are charged through the center (the user's bank money moves
 * to the provider); purchases are offline; settlement calls the shop back and
 * pays it at its bank. After every test: money conserved, every ledger audit
 * passes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { INS } from '../../protocol/purse/constants.js';
import { CardStateStore } from '../../sim/card/card-state-store.js';
import { PurseApplet } from '../../sim/card/purse-applet.js';
import { builtinRoles } from '../../terminal/agent/roles/builtin.js';
import { parseTerminalConfig } from '../../terminal/config/load.js';
import type { JournalPurchase } from '../../terminal/journal/types.js';
import { TestCard } from '../center/emoney/world.js';
import { CARD_PIN, openEmoneyStack, WORLD, type EmoneyStack, type StackTerminal } from './support/emoney-stack.js';

const SETTLE_WAIT_MS = 2_000;
let s: EmoneyStack;
let shopA: StackTerminal;
let vendB: StackTerminal;
let money0: number;
let cardSeq = 0;

/** A fresh purse card charged through the center with `amountMinor` from alice's account at bank A. */
async function chargedCard(amountMinor: number): Promise<string> {
  cardSeq += 1;
  const id = await s.issueCard(`5e0a0000000000${cardSeq.toString(16).padStart(2, '0')}`);
  if (amountMinor > 0) await s.chargeCard(id, amountMinor);
  return id;
}

const shopPaid = (): Promise<number> => s.banks.a.balance(WORLD.shopA.ref);
const shopBPaid = (): Promise<number> => s.banks.b.balance(WORLD.shopB.ref);

async function settle(t: StackTerminal) {
  const r = await t.command('settle');
  await s.idle(); // the center pays after the acknowledgement
  return r;
}

beforeAll(async () => {
  s = await openEmoneyStack({ readers: 4, captureLogs: true });
  shopA = await s.startAgent({ terminalId: 'SHOP-A1', role: 'shop', ownerId: 'SHOP-A', roleSettings: { settleWaitMs: SETTLE_WAIT_MS } });
  vendB = await s.startAgent({ terminalId: 'VEND-B1', role: 'vending', ownerId: 'SHOP-B', roleSettings: { products: { A1: 120, B2: 250 }, settleWaitMs: SETTLE_WAIT_MS } });
}, 30_000);

afterAll(async () => {
  await s?.close();
});

beforeEach(async () => {
  await s.startCenter();
  money0 = (await s.moneyInWorld()).total;
});

afterEach(async () => {
  await shopA.take();
  await vendB.take();
  await s.idle();
  expect((await s.moneyInWorld()).total).toBe(money0);
  expect(await s.audits()).toEqual({ center: true, bankA: true, bankB: true });
});

describe('member shop and vending terminals on the real stack (seed 004)', () => {
  it('sells offline with the center down, then settlement with callback pays the shop at its bank', async () => {
    const card = await chargedCard(10_000);
    await s.stopCenter();

    const first = await shopA.present(card, { amount: '1500', pin: CARD_PIN });
    await shopA.take();
    expect(first).toMatchObject({ trigger: 'card', result: 'approved', mediumId: card, card: 'returned', details: { amountMinor: 1_500, balanceMinor: 8_500, cardCounter: 2 } });
    const second = await shopA.present(card, { amount: '700', pin: CARD_PIN });
    expect(second).toMatchObject({ result: 'approved', details: { amountMinor: 700, balanceMinor: 7_800, cardCounter: 3 } });
    expect(shopA.keypad.pending).toBe(0); // the card demanded the PIN: it was asked once per sale
    expect(s.cardBalance(card)).toBe(7_800);
    expect(shopA.journal.listUnsettled().map((r) => [r.cardCounter, r.amountMinor, r.terminalId])).toEqual([[2, 1_500, 'SHOP-A1'], [3, 700, 'SHOP-A1']]);
    expect((await shopA.command('unsettled')).details).toMatchObject({ count: 2, totalMinor: 2_200 });

    // Settling needs the center: a coded failure, nothing erased.
    const offline = await shopA.command('settle');
    expect(offline).toMatchObject({ result: 'error', code: 'TERM_SETTLE_FAILED' });
    expect(shopA.journal.listUnsettled()).toHaveLength(2);

    await s.startCenter();
    const paidBefore = await shopPaid();
    const done = await settle(shopA);
    expect(done).toMatchObject({
      trigger: 'command', result: 'done',
      details: { settledCount: 2, settledMinor: 2_200, totalMinor: 2_200, rejected: [], remainingCount: 0, providerAccount: { bankCode: '0001', accountNumber: WORLD.providerA.ref.accountNumber } },
    });
    expect(shopA.journal.listUnsettled()).toEqual([]);
    expect(shopA.journal.listPurchases()).toEqual([]); // erased, not just marked
    expect((await shopPaid()) - paidBefore).toBe(2_200);
    // The security code and the card PIN never reach a log line or the journal file in clear.
    for (const secret of [WORLD.providerA.pin, WORLD.providerB.pin]) {
      expect(s.logLines.filter((l) => l.includes(secret))).toEqual([]);
      for (const f of ['SHOP-A1.journal.db', 'SHOP-A1.journal.db-wal']) {
        const path = join(s.dir, f);
        if (existsSync(path)) expect(readFileSync(path).includes(Buffer.from(secret, 'ascii'))).toBe(false);
      }
    }
    expect(s.logLines.some((l) => l.includes('"pin":"1234"'))).toBe(false);
  });
});
