/**
 * The voucher engine (center/voucher/vouchers.ts) on a real SQLite store
 * with the validity lists: every refusal code and every state transition of
 * cards, activations and redemptions, the ledger moves behind them, and the
 * audit (card balances = voucher-liability) after each scenario.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTHORIZED, BREAKAGE, COMMISSION, FUNDS, hqAccount, LIABILITY, shopAccount } from '../../../center/voucher/ledger-map.js';
import { VOUCHER_LIMITS } from '../../../center/voucher/limits.js';
import { isSerial, luhnDigit, serialOf } from '../../../center/voucher/serial.js';
import type { PrintableCard } from '../../../center/voucher/api.js';
import { accountBalance, audit, openEngine, rid, sell, SOURCE, SOURCE2, stock, type Engine } from './support.js';

let e: Engine;
beforeEach(async () => {
  e = await openEngine();
});
afterEach(async () => {
  const a = await audit(e);
  expect(a.examples).toEqual([]);
  await e.close();
});

const DAY = 86_400_000;
const card = async (serial: string) => e.storage.read((q) => q.get('SELECT state, loaded, balance, held FROM voucher_cards WHERE id = ?', [serial]));
const redeem = (pins: string[], amount: number, o: { capture?: boolean; key?: string; source?: typeof SOURCE } = {}) =>
  e.vouchers.redeem({ source: o.source ?? SOURCE, redemptionKey: o.key ?? rid('k'), pins, amount, currency: 'JPY', orderRef: 'order-1', capture: o.capture ?? true });

describe('serials', () => {
  it('15 digits and a Luhn check digit: the classic vector, every single-digit error caught', () => {
    expect(luhnDigit('7992739871')).toBe('3');
    const s = serialOf(42);
    expect(s).toMatch(/^9[0-9]{15}$/);
    expect(isSerial(s)).toBe(true);
    for (let i = 0; i < 16; i++) {
      const d = Number(s[i]);
      const wrong = s.slice(0, i) + String((d + 1) % 10) + s.slice(i + 1);
      expect(isSerial(wrong), `digit ${i} changed`).toBe(false);
    }
  });
});

describe('batches and printing', () => {
  it('issues consecutive serials, keeps PINs only as HMAC (sealed until printed), hands them out once', async () => {
    await e.vouchers.registerHq('HQ-1', { commissionBp: 250 });
    const b = await e.vouchers.issueBatch({ hqId: 'HQ-1', denomination: 1000, count: 3 });
    expect(b).toMatchObject({ count: 3, denomination: 1000, maxLoad: null, currency: 'JPY', printed: false, firstSerial: serialOf(1), lastSerial: serialOf(3) });
    const media = await e.validity.getMedium(serialOf(2));
    expect(media).toMatchObject({ kind: 'voucher', status: 'active' });
    const cards = await e.vouchers.takeForPrinting(b.batchId);
    expect(cards.map((c) => c.serial)).toEqual([serialOf(1), serialOf(2), serialOf(3)]);
    for (const c of cards) expect(c.pin).toMatch(/^[0-9]{16}$/);
    expect(new Set(cards.map((c) => c.pin)).size).toBe(3);
    const rows = await e.storage.read((q) => q.all('SELECT pin_hash, pin_sealed FROM voucher_cards'));
    for (const r of rows) {
      expect(r['pin_sealed']).toBeNull();
      for (const c of cards) expect(Buffer.from(r['pin_hash'] as Uint8Array).includes(Buffer.from(c.pin))).toBe(false);
    }
    expect((await e.vouchers.batch(b.batchId)).printed).toBe(true);
    await expect(e.vouchers.takeForPrinting(b.batchId)).rejects.toMatchObject({ code: 'VOUCHER_BATCH_PRINTED' });
    await expect(e.vouchers.batch('vb_nope')).rejects.toMatchObject({ code: 'VOUCHER_BATCH_UNKNOWN' });
    for (const c of cards) expect(e.logs.join('')).not.toContain(c.pin);
  });

  it('refuses a batch for an unknown HQ, an odd denomination, both kinds at once, a zero count', async () => {
    await expect(e.vouchers.issueBatch({ hqId: 'HQ-X', denomination: 1000, count: 1 })).rejects.toMatchObject({ code: 'VOUCHER_HQ_UNKNOWN' });
    await e.vouchers.registerHq('HQ-1', { commissionBp: 0 });
    await expect(e.vouchers.issueBatch({ hqId: 'HQ-1', denomination: 700, count: 1 })).rejects.toMatchObject({ code: 'VOUCHER_INVALID_INPUT', details: { field: 'denomination' } });
    await expect(e.vouchers.issueBatch({ hqId: 'HQ-1', denomination: 1000, maxLoad: 3000, count: 1 })).rejects.toMatchObject({ code: 'VOUCHER_INVALID_INPUT' });
    await expect(e.vouchers.issueBatch({ hqId: 'HQ-1', denomination: 1000, count: 0 })).rejects.toMatchObject({ code: 'VOUCHER_INVALID_INPUT', details: { field: 'count' } });
    expect(await e.vouchers.batches()).toEqual([]);
  });
});

describe('activation at the till', () => {
  let cards: PrintableCard[];
  beforeEach(async () => {
    cards = await stock(e);
  });

  it('issued → active, booked HQ receivable → voucher liability; a repeat is replayed; other fields are VOUCHER_REQUEST_REUSED', async () => {
    const r = await sell(e, cards[0]!, { requestId: 'A1' });
    expect(r).toMatchObject({ requestId: 'A1', amount: 1000, replayed: false, expiresAtMs: e.clock.nowMs() + VOUCHER_LIMITS.validDaysDefault * DAY });
    expect(await card(cards[0]!.serial)).toMatchObject({ state: 'active', loaded: 1000, balance: 1000 });
    expect(await accountBalance(e, LIABILITY)).toBe(1000);
    expect(await accountBalance(e, hqAccount('HQ-1'))).toBe(-1000);
    expect(await sell(e, cards[0]!, { requestId: 'A1' })).toMatchObject({ replayed: true, amount: 1000 });
    expect(await accountBalance(e, LIABILITY)).toBe(1000);
    await expect(sell(e, cards[1]!, { requestId: 'A1' })).rejects.toMatchObject({ code: 'VOUCHER_REQUEST_REUSED' });
  });

  it('refuses a bad serial, an unknown card, another chain\'s card, an active card, a wrong amount or currency, an unknown HQ', async () => {
    const bad = { ...cards[0]!, serial: cards[0]!.serial.slice(0, 15) + String((Number(cards[0]!.serial[15]) + 1) % 10) };
    await expect(sell(e, bad)).rejects.toMatchObject({ code: 'VOUCHER_SERIAL_INVALID' });
    await expect(sell(e, { ...cards[0]!, serial: serialOf(999) })).rejects.toMatchObject({ code: 'VOUCHER_UNKNOWN' });
    await e.vouchers.registerHq('HQ-2', { commissionBp: 0 });
    await expect(sell(e, cards[0]!, { hq: 'HQ-2' })).rejects.toMatchObject({ code: 'VOUCHER_WRONG_CHAIN' });
    await expect(sell(e, cards[0]!, { hq: 'HQ-9' })).rejects.toMatchObject({ code: 'VOUCHER_HQ_UNKNOWN' });
    await expect(sell(e, cards[0]!, { amount: 500 })).rejects.toMatchObject({ code: 'VOUCHER_AMOUNT_INVALID' });
    await expect(e.vouchers.activate({ requestId: rid(), hqId: 'HQ-1', storeId: 'S1', terminalId: 'P', serial: cards[0]!.serial, amount: 1000, currency: 'USD' })).rejects.toMatchObject({ code: 'VOUCHER_AMOUNT_INVALID', details: { field: 'currency' } });
    await sell(e, cards[0]!);
    await expect(sell(e, cards[0]!)).rejects.toMatchObject({ code: 'VOUCHER_ALREADY_ACTIVE' });
    expect(await accountBalance(e, LIABILITY)).toBe(1000);
  });

  it('a variable-load card takes an amount within [loadMinorMin, maxLoad]', async () => {
    const v = await stock(e, { maxLoad: 3000, count: 1 });
    await expect(sell(e, v[0]!, { amount: 3001 })).rejects.toMatchObject({ code: 'VOUCHER_AMOUNT_INVALID', details: { max: 3000 } });
    await expect(sell(e, v[0]!, { amount: 100 })).rejects.toMatchObject({ code: 'VOUCHER_AMOUNT_INVALID' });
    expect(await sell(e, v[0]!, { amount: 2345 })).toMatchObject({ amount: 2345 });
    expect(await card(v[0]!.serial)).toMatchObject({ state: 'active', balance: 2345 });
  });
});

describe('void and reversal', () => {
  let cards: PrintableCard[];
  beforeEach(async () => {
    cards = await stock(e);
  });

  it('a void within the window, same store and day, nothing spent: active → voided, value back to the HQ; repeat replayed; the card is dead', async () => {
    await sell(e, cards[0]!, { requestId: 'A1' });
    expect(await e.vouchers.void({ requestId: 'V1', hqId: 'HQ-1', storeId: 'S1', activationRequestId: 'A1' })).toEqual({ requestId: 'V1', replayed: false });
    expect(await e.vouchers.void({ requestId: 'V1', hqId: 'HQ-1', storeId: 'S1', activationRequestId: 'A1' })).toEqual({ requestId: 'V1', replayed: true });
    await expect(e.vouchers.void({ requestId: 'V1', hqId: 'HQ-1', storeId: 'S2', activationRequestId: 'A1' })).rejects.toMatchObject({ code: 'VOUCHER_REQUEST_REUSED' });
    await expect(e.vouchers.void({ requestId: 'V2', hqId: 'HQ-1', storeId: 'S1', activationRequestId: 'A1' })).rejects.toMatchObject({ code: 'VOUCHER_VOIDED' });
    expect(await card(cards[0]!.serial)).toMatchObject({ state: 'voided', balance: 0 });
    expect(await accountBalance(e, LIABILITY)).toBe(0);
    expect(await accountBalance(e, hqAccount('HQ-1'))).toBe(0);
    await expect(sell(e, cards[0]!)).rejects.toMatchObject({ code: 'VOUCHER_VOIDED' });
    await expect(e.vouchers.void({ requestId: 'V3', hqId: 'HQ-1', storeId: 'S1', activationRequestId: 'NOPE' })).rejects.toMatchObject({ code: 'VOUCHER_UNKNOWN' });
  });

  it('VOUCHER_VOID_REFUSED: another store, past the window, another business day, value spent', async () => {
    const v = (act: string) => e.vouchers.void({ requestId: rid('v'), hqId: 'HQ-1', storeId: 'S1', activationRequestId: act });
    await sell(e, cards[0]!, { requestId: 'A1', store: 'S2' });
    await expect(v('A1')).rejects.toMatchObject({ code: 'VOUCHER_VOID_REFUSED', details: { reason: 'another store sold the card' } });
    await sell(e, cards[1]!, { requestId: 'A2' });
    await sell(e, cards[2]!, { requestId: 'A3' });
    await redeem([cards[2]!.pin], 1);
    await expect(v('A3')).rejects.toMatchObject({ code: 'VOUCHER_VOID_REFUSED', details: { reason: 'value was spent' } });
    e.clock.advance(VOUCHER_LIMITS.voidWindowMs + 1);
    await expect(v('A2')).rejects.toMatchObject({ code: 'VOUCHER_VOID_REFUSED', details: { reason: 'past the void window' } });
    e.clock.advance(DAY);
    await expect(v('A2')).rejects.toMatchObject({ code: 'VOUCHER_VOID_REFUSED', details: { reason: 'another business day' } });
    expect(await card(cards[1]!.serial)).toMatchObject({ state: 'active', balance: 1000 });
  });

  it('a reversal before its activation leaves a tombstone: the late activation is refused and the card stays unsold', async () => {
    expect(await e.vouchers.reverse({ hqId: 'HQ-1', activationRequestId: 'A1' })).toEqual({ activationRequestId: 'A1', outcome: 'never-arrived' });
    expect(await e.vouchers.reverse({ hqId: 'HQ-1', activationRequestId: 'A1' })).toEqual({ activationRequestId: 'A1', outcome: 'never-arrived' });
    await expect(sell(e, cards[0]!, { requestId: 'A1' })).rejects.toMatchObject({ code: 'VOUCHER_VOIDED' });
    expect(await card(cards[0]!.serial)).toMatchObject({ state: 'issued', balance: 0 });
    expect(await accountBalance(e, LIABILITY)).toBe(0);
  });

  it('a reversal of an activation that arrived: active → issued (the card can be sold again), value back; repeats answer reversed; spent → refused', async () => {
    await sell(e, cards[0]!, { requestId: 'A1' });
    expect(await e.vouchers.reverse({ hqId: 'HQ-1', activationRequestId: 'A1' })).toMatchObject({ outcome: 'reversed' });
    expect(await e.vouchers.reverse({ hqId: 'HQ-1', activationRequestId: 'A1' })).toMatchObject({ outcome: 'reversed' });
    expect(await card(cards[0]!.serial)).toMatchObject({ state: 'issued', balance: 0, loaded: 0 });
    expect(await accountBalance(e, LIABILITY)).toBe(0);
    await sell(e, cards[0]!, { requestId: 'A2' });
    await redeem([cards[0]!.pin], 10);
    await expect(e.vouchers.reverse({ hqId: 'HQ-1', activationRequestId: 'A2' })).rejects.toMatchObject({ code: 'VOUCHER_VOID_REFUSED' });
  });
});

describe('blocks', () => {
  it('blocks a batch: unsold and unspent cards blocked (on the validity lists too), spent ones refused; blocked cards are refused everywhere', async () => {
    const cards = await stock(e);
    await sell(e, cards[0]!);
    await sell(e, cards[1]!);
    await redeem([cards[1]!.pin], 100);
    const b = (await e.vouchers.batches())[0]!;
    expect(await e.vouchers.block({ hqId: 'HQ-1', batchId: b.batchId, reason: 'stolen from the van' })).toEqual({ blocked: 3, refused: 1 });
    expect(await card(cards[0]!.serial)).toMatchObject({ state: 'blocked', balance: 1000 });
    expect(await card(cards[1]!.serial)).toMatchObject({ state: 'partly-used' });
    expect(await e.validity.getMedium(cards[2]!.serial)).toMatchObject({ status: 'stolen' });
    await expect(sell(e, cards[2]!)).rejects.toMatchObject({ code: 'VOUCHER_BLOCKED' });
    await expect(redeem([cards[0]!.pin], 100)).rejects.toMatchObject({ code: 'VOUCHER_PIN_REFUSED' });
    await expect(e.vouchers.block({ hqId: 'HQ-2', batchId: b.batchId, reason: 'x' })).rejects.toMatchObject({ code: 'VOUCHER_WRONG_CHAIN' });
  });

  it('blocks a serial range; a card blocked on the validity lists by an operator is refused at the till and online', async () => {
    const cards = await stock(e);
    expect(await e.vouchers.block({ hqId: 'HQ-1', fromSerial: cards[0]!.serial, toSerial: cards[1]!.serial, reason: 'lost' })).toEqual({ blocked: 2, refused: 0 });
    expect(await card(cards[2]!.serial)).toMatchObject({ state: 'issued' });
    await expect(e.vouchers.block({ hqId: 'HQ-1', fromSerial: cards[1]!.serial, toSerial: cards[0]!.serial, reason: 'lost' })).rejects.toMatchObject({ code: 'VOUCHER_INVALID_INPUT' });
    await sell(e, cards[3]!);
    await e.validity.blockMedium(cards[3]!.serial, 'stolen');
    await e.validity.blockMedium(cards[2]!.serial, 'lost');
    await expect(sell(e, cards[2]!)).rejects.toMatchObject({ code: 'VOUCHER_BLOCKED' });
    await expect(redeem([cards[3]!.pin], 100)).rejects.toMatchObject({ code: 'VOUCHER_PIN_REFUSED' });
    await expect(e.vouchers.balance(SOURCE, cards[3]!.pin)).rejects.toMatchObject({ code: 'VOUCHER_PIN_REFUSED' });
  });
});

describe('redemption', () => {
  let cards: PrintableCard[];
  beforeEach(async () => {
    cards = await stock(e, { count: 6 });
    for (const c of cards.slice(0, 4)) await sell(e, c);
  });

  it('two PINs, oldest-expiring first, all or nothing: each card\'s remaining balance in the answer', async () => {
    e.clock.advance(1000);
    await sell(e, cards[4]!); // expires later than cards[0]
    const r = await redeem([cards[4]!.pin, cards[0]!.pin], 1500);
    expect(r).toMatchObject({ state: 'captured', amount: 1500, captured: 1500, refunded: 0, authExpiresAtMs: null });
    expect(r.cards).toEqual([
      { serialLast4: cards[0]!.serial.slice(-4), taken: 1000, remaining: 0 },
      { serialLast4: cards[4]!.serial.slice(-4), taken: 500, remaining: 500 },
    ]);
    expect(await card(cards[0]!.serial)).toMatchObject({ state: 'used-up', balance: 0 });
    expect(await card(cards[4]!.serial)).toMatchObject({ state: 'partly-used', balance: 500 });
    expect(await accountBalance(e, shopAccount(SOURCE.merchantId))).toBe(1500);
    await expect(redeem([cards[1]!.pin, cards[2]!.pin], 2001)).rejects.toMatchObject({ code: 'VOUCHER_INSUFFICIENT', details: { available: 2000 } });
    expect(await card(cards[1]!.serial)).toMatchObject({ balance: 1000 });
    await expect(redeem([cards[0]!.pin], 1)).rejects.toMatchObject({ code: 'VOUCHER_PIN_REFUSED' }); // used up
    await expect(redeem([cards[5]!.pin], 1)).rejects.toMatchObject({ code: 'VOUCHER_PIN_REFUSED' }); // not sold
    await expect(redeem(['1234567890123456'], 1)).rejects.toMatchObject({ code: 'VOUCHER_PIN_REFUSED' }); // unknown
    await expect(redeem([cards[1]!.pin, cards[1]!.pin], 1)).rejects.toMatchObject({ code: 'VOUCHER_INVALID_INPUT', details: { field: 'pins' } });
    await expect(redeem(Array.from({ length: 11 }, (_, i) => String(i).padStart(16, '0')), 1)).rejects.toMatchObject({ code: 'VOUCHER_TOO_MANY_CARDS' });
    await expect(redeem([cards[1]!.pin], VOUCHER_LIMITS.redemptionMinorMax + 1)).rejects.toMatchObject({ code: 'VOUCHER_TOO_MANY_CARDS' });
    await expect(redeem([cards[1]!.pin], 0)).rejects.toMatchObject({ code: 'VOUCHER_AMOUNT_INVALID' });
  });

  it('the same redemption key answers the first redemption; with other fields it is VOUCHER_REQUEST_REUSED', async () => {
    const a = await redeem([cards[0]!.pin], 300, { key: 'K1' });
    expect(await redeem([cards[0]!.pin], 300, { key: 'K1' })).toEqual(a);
    await expect(redeem([cards[0]!.pin], 301, { key: 'K1' })).rejects.toMatchObject({ code: 'VOUCHER_REQUEST_REUSED' });
    expect(await card(cards[0]!.serial)).toMatchObject({ balance: 700 });
  });

  it('authorise, capture part: the rest goes back to the cards; capture again answers the same; cancel after capture refused', async () => {
    const r = await redeem([cards[0]!.pin, cards[1]!.pin], 1500, { capture: false });
    expect(r).toMatchObject({ state: 'authorized', captured: 0, authExpiresAtMs: e.clock.nowMs() + VOUCHER_LIMITS.authHoldMs });
    expect(await card(cards[1]!.serial)).toMatchObject({ state: 'partly-used', balance: 500, held: 500 });
    expect(await accountBalance(e, AUTHORIZED)).toBe(1500);
    await expect(e.vouchers.capture(SOURCE.merchantId, r.redemptionId, 1501)).rejects.toMatchObject({ code: 'VOUCHER_REDEMPTION_STATE' });
    const c = await e.vouchers.capture(SOURCE.merchantId, r.redemptionId, 1200);
    expect(c).toMatchObject({ state: 'captured', captured: 1200 });
    expect(c.cards.map((x) => [x.taken, x.remaining])).toEqual([[1000, 0], [200, 800]]);
    expect(await accountBalance(e, AUTHORIZED)).toBe(0);
    expect(await accountBalance(e, shopAccount(SOURCE.merchantId))).toBe(1200);
    expect(await e.vouchers.capture(SOURCE.merchantId, r.redemptionId)).toEqual(c);
    await expect(e.vouchers.capture(SOURCE.merchantId, r.redemptionId, 100)).rejects.toMatchObject({ code: 'VOUCHER_REDEMPTION_STATE' });
    await expect(e.vouchers.cancel(SOURCE.merchantId, r.redemptionId)).rejects.toMatchObject({ code: 'VOUCHER_REDEMPTION_STATE' });
    await expect(e.vouchers.capture(SOURCE2.merchantId, r.redemptionId)).rejects.toMatchObject({ code: 'VOUCHER_REDEMPTION_UNKNOWN' });
  });

  it('cancel releases the whole hold (repeat answers the same); capture after cancel refused', async () => {
    const r = await redeem([cards[0]!.pin], 400, { capture: false });
    const c = await e.vouchers.cancel(SOURCE.merchantId, r.redemptionId);
    expect(c).toMatchObject({ state: 'cancelled', cards: [{ taken: 0, remaining: 1000 }] });
    expect(await e.vouchers.cancel(SOURCE.merchantId, r.redemptionId)).toEqual(c);
    expect(await card(cards[0]!.serial)).toMatchObject({ state: 'active', balance: 1000, held: 0 });
    await expect(e.vouchers.capture(SOURCE.merchantId, r.redemptionId)).rejects.toMatchObject({ code: 'VOUCHER_REDEMPTION_STATE' });
    await expect(e.vouchers.refund(SOURCE.merchantId, r.redemptionId, { refundId: 'F', amount: 1 })).rejects.toMatchObject({ code: 'VOUCHER_REDEMPTION_STATE' });
  });

  it('an authorisation expires by itself in the sweep and releases its value; capture after that is refused', async () => {
    const r = await redeem([cards[0]!.pin], 400, { capture: false });
    e.clock.advance(VOUCHER_LIMITS.authHoldMs);
    await expect(e.vouchers.capture(SOURCE.merchantId, r.redemptionId)).rejects.toMatchObject({ code: 'VOUCHER_REDEMPTION_STATE' });
    expect(await e.vouchers.sweepOnce()).toMatchObject({ authorisationsExpired: 1 });
    expect(await e.vouchers.redemption(SOURCE.merchantId, r.redemptionId)).toMatchObject({ state: 'expired', authExpiresAtMs: null });
    expect(await card(cards[0]!.serial)).toMatchObject({ state: 'active', balance: 1000, held: 0 });
    expect(await accountBalance(e, AUTHORIZED)).toBe(0);
  });

  it('refunds go back to the cards they came from, last card first; same refund id replays, over the captured amount refused', async () => {
    const r = await redeem([cards[0]!.pin, cards[1]!.pin], 1500);
    const p = await e.vouchers.refund(SOURCE.merchantId, r.redemptionId, { refundId: 'F1', amount: 700 });
    expect(p).toMatchObject({ state: 'partly-refunded', refunded: 700 });
    expect(p.cards.map((x) => [x.taken, x.remaining])).toEqual([[800, 200], [0, 1000]]);
    expect(await e.vouchers.refund(SOURCE.merchantId, r.redemptionId, { refundId: 'F1', amount: 700 })).toEqual(p);
    await expect(e.vouchers.refund(SOURCE.merchantId, r.redemptionId, { refundId: 'F1', amount: 1 })).rejects.toMatchObject({ code: 'VOUCHER_REQUEST_REUSED' });
    await expect(e.vouchers.refund(SOURCE.merchantId, r.redemptionId, { refundId: 'F2', amount: 801 })).rejects.toMatchObject({ code: 'VOUCHER_REDEMPTION_STATE' });
    expect(await e.vouchers.refund(SOURCE.merchantId, r.redemptionId, { refundId: 'F2', amount: 800 })).toMatchObject({ state: 'refunded', refunded: 1500 });
    expect(await card(cards[0]!.serial)).toMatchObject({ state: 'active', balance: 1000 });
    expect(await accountBalance(e, shopAccount(SOURCE.merchantId))).toBe(0);
    await expect(e.vouchers.redemption(SOURCE.merchantId, 'vr_nope')).rejects.toMatchObject({ code: 'VOUCHER_REDEMPTION_UNKNOWN' });
  });
});

describe('card expiry (breakage)', () => {
  it('at expiry the unused value is booked voucher-liability → voucher-breakage; the card is refused; a later refund lapses as breakage', async () => {
    const cards = await stock(e, { validDays: 1 });
    await sell(e, cards[0]!);
    await sell(e, cards[1]!);
    const r = await redeem([cards[0]!.pin], 300);
    e.clock.advance(DAY);
    expect(await e.vouchers.sweepOnce()).toEqual({ authorisationsExpired: 0, cardsExpired: 2 });
    expect(await card(cards[0]!.serial)).toMatchObject({ state: 'expired', balance: 0 });
    expect(await accountBalance(e, BREAKAGE)).toBe(1700);
    expect(await accountBalance(e, LIABILITY)).toBe(0);
    await expect(redeem([cards[1]!.pin], 1)).rejects.toMatchObject({ code: 'VOUCHER_PIN_REFUSED' });
    expect(await e.vouchers.balance(SOURCE, cards[0]!.pin)).toMatchObject({ state: 'expired', balance: 0 });
    await expect(sell(e, cards[0]!)).rejects.toMatchObject({ code: 'VOUCHER_EXPIRED' });
    await e.vouchers.refund(SOURCE.merchantId, r.redemptionId, { refundId: 'F', amount: 300 });
    expect(await accountBalance(e, BREAKAGE)).toBe(2000);
    expect(await card(cards[0]!.serial)).toMatchObject({ state: 'expired', balance: 0 });
  });
});

describe('PIN guessing', () => {
  it('failures counted per key and per address; lockouts double; persisted across a restart; the address is locked for every key', async () => {
    const cards = await stock(e);
    await sell(e, cards[0]!);
    const guess = (source = SOURCE) => e.vouchers.balance(source, '0000000000000000');
    for (let i = 0; i < VOUCHER_LIMITS.guessFailuresFree - 1; i++) await expect(guess()).rejects.toMatchObject({ code: 'VOUCHER_PIN_REFUSED' });
    await expect(guess()).rejects.toMatchObject({ code: 'VOUCHER_PIN_REFUSED' }); // the 5th: lockout starts
    await expect(e.vouchers.balance(SOURCE, cards[0]!.pin)).rejects.toMatchObject({ code: 'VOUCHER_LOCKED_OUT', details: { retryAfterMs: VOUCHER_LIMITS.lockoutMsBase } });
    const other = { ...SOURCE2, address: SOURCE.address };
    await expect(e.vouchers.balance(other, cards[0]!.pin)).rejects.toMatchObject({ code: 'VOUCHER_LOCKED_OUT' });
    expect(await e.vouchers.balance(SOURCE2, cards[0]!.pin)).toMatchObject({ balance: 1000 });
    const restarted = await e.reopen();
    await expect(restarted.redeem({ source: SOURCE, redemptionKey: 'x', pins: [cards[0]!.pin], amount: 1, currency: 'JPY', orderRef: 'o', capture: true })).rejects.toMatchObject({ code: 'VOUCHER_LOCKED_OUT' });
    e.clock.advance(VOUCHER_LIMITS.lockoutMsBase);
    await expect(guess()).rejects.toMatchObject({ code: 'VOUCHER_PIN_REFUSED' });
    await expect(guess()).rejects.toMatchObject({ code: 'VOUCHER_LOCKED_OUT', details: { retryAfterMs: 2 * VOUCHER_LIMITS.lockoutMsBase } });
    expect(e.counts.get('lockout:started')).toBe(2);
    expect(e.counts.get('pin_failure:refused')).toBe(6);
    expect(e.logs.join('')).not.toContain(cards[0]!.pin);
    expect(e.logs.join('')).toContain('voucher PIN guessing');
  });
});

describe('HQ daily file and settlement', () => {
  it('activations less voids, commission rounded down, due; settled once with matching totals, refused otherwise; the HQ account nets to zero', async () => {
    const cards = await stock(e, { count: 4, maxLoad: 5000 });
    await sell(e, cards[0]!, { requestId: 'A1', amount: 1234 });
    await sell(e, cards[1]!, { requestId: 'A2', amount: 999 });
    await sell(e, cards[2]!, { requestId: 'A3', amount: 5000 });
    await e.vouchers.void({ requestId: 'V1', hqId: 'HQ-1', storeId: 'S1', activationRequestId: 'A3' });
    await e.vouchers.reverse({ hqId: 'HQ-1', activationRequestId: 'A9' }); // never arrived: not in the file
    const day = e.vouchers.dayOf(e.clock.nowMs());
    const f = await e.vouchers.dailyFile('HQ-1', day);
    expect(f).toMatchObject({ activations: 3, activatedMinor: 7233, voids: 1, voidedMinor: 5000, netFaceMinor: 2233, commissionMinor: 55, dueMinor: 2178 });
    expect(f.lines.map((l) => [l.requestId, l.kind])).toEqual([['A1', 'activation'], ['A2', 'activation'], ['A3', 'activation'], ['A3', 'void']]);
    const totals = { activations: 3, netFaceMinor: 2233, dueMinor: 2178 };
    await expect(e.vouchers.settleHqDay('HQ-1', day, { paidMinor: 2178, hqTotals: totals })).rejects.toMatchObject({ code: 'VOUCHER_INVALID_INPUT', details: { field: 'businessDay' } });
    e.clock.advance(DAY);
    await expect(e.vouchers.settleHqDay('HQ-1', day, { paidMinor: 2178, hqTotals: { ...totals, activations: 2 } })).rejects.toMatchObject({ code: 'VOUCHER_FILE_MISMATCH' });
    await expect(e.vouchers.settleHqDay('HQ-1', day, { paidMinor: 2177, hqTotals: totals })).rejects.toMatchObject({ code: 'VOUCHER_FILE_MISMATCH' });
    await e.vouchers.settleHqDay('HQ-1', day, { paidMinor: 2178, hqTotals: totals });
    await e.vouchers.settleHqDay('HQ-1', day, { paidMinor: 2178, hqTotals: totals }); // repeat: nothing more booked
    expect(await accountBalance(e, hqAccount('HQ-1'))).toBe(0);
    expect(await accountBalance(e, FUNDS)).toBe(-2178);
    expect(await accountBalance(e, COMMISSION)).toBe(-55);
    await expect(e.vouchers.dailyFile('HQ-9', day)).rejects.toMatchObject({ code: 'VOUCHER_HQ_UNKNOWN' });
  });
});

describe('audit', () => {
  it('a ledger write that bypassed the flows breaks the liability check', async () => {
    const cards = await stock(e);
    await sell(e, cards[0]!);
    await e.vouchers.ledger.createTransfers([{ id: 'f'.repeat(32), debitAccountId: LIABILITY, creditAccountId: BREAKAGE, amountMinor: 1, currency: 'JPY', code: 207 }]);
    const a = await audit(e);
    expect(a.ok).toBe(false);
    expect(a.examples[0]).toContain('voucher-liability');
    await e.vouchers.ledger.createTransfers([{ id: 'e'.repeat(32), debitAccountId: BREAKAGE, creditAccountId: LIABILITY, amountMinor: 1, currency: 'JPY', code: 207 }]);
  });
});
