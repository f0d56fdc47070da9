import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATUS } from '../../../protocol/codes.js';
import type { VoucherResult } from '../../../protocol/messages/types.js';
import { compareFiles, buildDailyFile, settleDay } from '../../../center/hq/daily-file.js';
import { HQ_RESULT_CODES } from '../../../center/hq/result-codes.js';
import { REQUEST_ROWS } from '../../../center/hq/schema.js';
import { VOUCHER_RESULT_CODES } from '../../../center/voucher/result-codes.js';
import { serialOf } from '../../../center/voucher/serial.js';
import type { PrintableCard } from '../../../center/voucher/api.js';
import { SOURCE, stock } from '../voucher/support.js';
import { openHqWorld, type HqWorld } from './support.js';

let w: HqWorld;
let cards: PrintableCard[];
beforeEach(async () => {
  w = await openHqWorld();
  cards = await stock(w.engine, { count: 6, denomination: 1000 });
});
afterEach(async () => {
  await w.hq.idle();
  await w.close();
});

const tid = (): Buffer => randomBytes(16);
const sale = (serial: string, amountMinor = 1000, transactionId = tid()) => ({ type: 'voucherActivate' as const, transactionId, serial, amountMinor, currency: 'JPY' });
const wire = (r: VoucherResult) => ({ status: r.status, resultCode: r.resultCode });
const state = async (pin: string) => (await w.engine.vouchers.balance(SOURCE, pin)).state;

describe('HQ → settlement center over the signed link (center/hq, center/voucher/hq-routes.ts)', () => {
  it("activates a till's sale: the card becomes spendable, the answer carries amount and expiry", async () => {
    const r = await w.hq.activate('POS-1', sale(cards[0]!.serial));
    expect(wire(r)).toEqual({ status: STATUS.APPROVED, resultCode: 0 });
    expect(r.amountMinor).toBe(1000);
    expect(r.expiresAtMs).toBeGreaterThan(Date.now());
    expect(await state(cards[0]!.pin)).toBe('active');
    // The signed request carried the serial, never the PIN, and nothing logged it.
    expect(w.logs.join('\n')).not.toContain(cards[0]!.pin);
  });

  it('answers a repeated POS request id from its journal: one activation at the center', async () => {
    const m = sale(cards[0]!.serial);
    const a = await w.hq.activate('POS-1', m);
    const b = await w.hq.activate('POS-1', m);
    expect(wire(b)).toEqual(wire(a));
    expect(w.link.calls.filter((c) => c.endsWith('/activations'))).toHaveLength(1);
    const f = await w.engine.vouchers.dailyFile('HQ-1', w.hq.businessDay(Date.now()));
    expect(f.activations).toBe(1);
    // Same id, another card: refused, not a second sale.
    expect(wire(await w.hq.activate('POS-1', { ...m, serial: cards[1]!.serial }))).toEqual({ status: STATUS.DECLINED, resultCode: HQ_RESULT_CODES.HQ_REQUEST_REUSED });
  });

  it("refuses at the till, coded: unknown, already active, blocked and another chain's card; a bad check digit; a till of no store", async () => {
    const other = await stock(w.engine, { hq: 'HQ-2', count: 1 });
    await w.hq.activate('POS-1', sale(cards[0]!.serial));
    await w.engine.vouchers.block({ hqId: 'HQ-1', fromSerial: cards[2]!.serial, toSerial: cards[2]!.serial, reason: 'carton lost' });
    const declined = async (terminal: string, serial: string) => wire(await w.hq.activate(terminal, sale(serial)));
    const code = (n: number) => ({ status: STATUS.DECLINED, resultCode: n });
    expect(await declined('POS-1', serialOf(999_999))).toEqual(code(VOUCHER_RESULT_CODES.VOUCHER_UNKNOWN));
    expect(await declined('POS-2', cards[0]!.serial)).toEqual(code(VOUCHER_RESULT_CODES.VOUCHER_ALREADY_ACTIVE));
    expect(await declined('POS-1', cards[2]!.serial)).toEqual(code(VOUCHER_RESULT_CODES.VOUCHER_BLOCKED));
    expect(await declined('POS-1', other[0]!.serial)).toEqual(code(VOUCHER_RESULT_CODES.VOUCHER_WRONG_CHAIN));
    const bad = cards[3]!.serial.slice(0, 15) + String((Number(cards[3]!.serial[15]) + 1) % 10);
    expect(await declined('POS-1', bad)).toEqual(code(VOUCHER_RESULT_CODES.VOUCHER_SERIAL_INVALID));
    expect(await declined('POS-7', cards[3]!.serial)).toEqual(code(HQ_RESULT_CODES.HQ_STORE_UNKNOWN));
    expect(await state(cards[3]!.pin).catch((e: { code: string }) => e.code)).toBe('VOUCHER_PIN_REFUSED'); // never activated
  });

  it('an answer lost between center and HQ: the till is told HQ_CENTER_UNREACHABLE, the HQ reverses, the card can be sold again', async () => {
    w.link.loseAnswers = true;
    const m = sale(cards[0]!.serial);
    const r = await w.hq.activate('POS-1', m);
    expect(wire(r)).toEqual({ status: STATUS.DECLINED, resultCode: HQ_RESULT_CODES.HQ_CENTER_UNREACHABLE });
    expect(await state(cards[0]!.pin)).toBe('active'); // the center did activate it: money the store did not take
    w.link.loseAnswers = false;
    await w.hq.idle();
    await w.hq.sweep();
    const row = await w.hqStorage.read((q) => REQUEST_ROWS.get(q, 'WHERE id = ?', [m.transactionId.toString('hex')]));
    expect({ state: row?.state, outcome: row?.outcome }).toEqual({ state: 'reversed', outcome: 'reversed' });
    expect(await state(cards[0]!.pin).catch((e: { code: string }) => e.code)).toBe('VOUCHER_PIN_REFUSED');
    // The till's own reversal (it voided the sale) changes nothing more.
    expect(wire(await w.hq.reverse('POS-1', { type: 'voucherReversal', transactionId: m.transactionId, serial: m.serial, amountMinor: 1000, currency: 'JPY' }))).toEqual({ status: STATUS.APPROVED, resultCode: 0 });
    // A repeat of the given-up sale is not activated again; a new sale is.
    expect(wire(await w.hq.activate('POS-1', m))).toEqual({ status: STATUS.DECLINED, resultCode: HQ_RESULT_CODES.HQ_REVERSED });
    expect(wire(await w.hq.activate('POS-1', sale(cards[0]!.serial)))).toEqual({ status: STATUS.APPROVED, resultCode: 0 });
  });

  it("a till's reversal of a sale the HQ never journalled leaves a tombstone: the late activation is refused", async () => {
    const m = sale(cards[1]!.serial);
    w.link.down = true;
    expect(wire(await w.hq.reverse('POS-1', { type: 'voucherReversal', transactionId: m.transactionId, serial: m.serial, amountMinor: 1000, currency: 'JPY' }))).toEqual({ status: STATUS.APPROVED, resultCode: 0 });
    w.link.down = false;
    await w.hq.idle();
    await w.hq.sweep();
    const row = await w.hqStorage.read((q) => REQUEST_ROWS.get(q, 'WHERE id = ?', [m.transactionId.toString('hex')]));
    expect({ state: row?.state, outcome: row?.outcome }).toEqual({ state: 'reversed', outcome: 'never-arrived' });
    expect(wire(await w.hq.activate('POS-1', m))).toEqual({ status: STATUS.DECLINED, resultCode: HQ_RESULT_CODES.HQ_REVERSED });
    // Straight at the center, too: the tombstone refuses the late activation.
    await expect(w.engine.vouchers.activate({ requestId: m.transactionId.toString('hex'), hqId: 'HQ-1', storeId: 'S1', terminalId: 'POS-1', serial: m.serial, amount: 1000, currency: 'JPY' })).rejects.toThrow();
    expect(await state(cards[1]!.pin).catch((e: { code: string }) => e.code)).toBe('VOUCHER_PIN_REFUSED');
  });

  it('voids a sale of the same store; refuses a void from another store and one after the card was spent', async () => {
    const a = sale(cards[0]!.serial);
    const b = sale(cards[1]!.serial);
    await w.hq.activate('POS-1', a);
    await w.hq.activate('POS-1', b);
    const v = (terminal: string, original: Buffer) => w.hq.void(terminal, { type: 'voucherVoid', transactionId: tid(), originalTransactionId: original });
    expect(wire(await v('POS-9', a.transactionId))).toEqual({ status: STATUS.DECLINED, resultCode: HQ_RESULT_CODES.HQ_UNKNOWN_ACTIVATION });
    expect(wire(await v('POS-2', a.transactionId))).toEqual({ status: STATUS.APPROVED, resultCode: 0 });
    expect(await state(cards[0]!.pin).catch((e: { code: string }) => e.code)).toBe('VOUCHER_PIN_REFUSED'); // voided: it pays nothing
    await w.engine.vouchers.redeem({ source: SOURCE, redemptionKey: 'k1', pins: [cards[1]!.pin], amount: 100, currency: 'JPY', orderRef: 'o1', capture: true });
    expect(wire(await v('POS-1', b.transactionId))).toEqual({ status: STATUS.DECLINED, resultCode: VOUCHER_RESULT_CODES.VOUCHER_VOID_REFUSED });
  });

  it('a crash before the answer: the restarted HQ reverses the unanswered activation past its deadline (its till voided it)', async () => {
    const m = sale(cards[4]!.serial);
    w.link.loseAnswers = true; // the center activates; the HQ "dies" before it hears so
    const id = m.transactionId.toString('hex');
    // Journalled and forwarded once, no answer recorded: what a kill -9 mid-activation leaves.
    await w.hqStorage.transact((tx) => tx.run(
      `INSERT INTO hq_requests (id, kind, terminal_id, store_id, serial, amount, currency, original_id, state, code, expires_ms, outcome, business_day, created_ms, updated_ms, attempts, next_ms)
       VALUES (?, 'activation', 'POS-1', 'S1', ?, 1000, 'JPY', NULL, 'forwarding', '', NULL, '', ?, ?, ?, 0, ?)`,
      [id, m.serial, w.hq.businessDay(Date.now()), Date.now() - 10_000, Date.now() - 10_000, Date.now() - 10_000],
    ));
    await w.hq.forward(id);
    expect(await state(cards[4]!.pin)).toBe('active');
    w.link.loseAnswers = false;
    const after = w.reopenHq();
    const swept = await after.sweep();
    expect(swept.givenUp).toBe(1);
    await after.idle();
    await after.sweep();
    expect(await state(cards[4]!.pin).catch((e: { code: string }) => e.code)).toBe('VOUCHER_PIN_REFUSED');
    const f = await w.engine.vouchers.dailyFile('HQ-1', w.hq.businessDay(Date.now()));
    expect({ activations: f.activations, voids: f.voids, net: f.netFaceMinor }).toEqual({ activations: 1, voids: 1, net: 0 });
  });

  it("the daily file: the HQ's and the center's agree line by line and the day is settled; a difference pays nothing and names the line", async () => {
    const s1 = sale(cards[0]!.serial);
    await w.hq.activate('POS-1', s1);
    await w.hq.activate('POS-1', sale(cards[1]!.serial));
    await w.hq.void('POS-1', { type: 'voucherVoid', transactionId: tid(), originalTransactionId: s1.transactionId });
    w.link.loseAnswers = true;
    await w.hq.activate('POS-2', sale(cards[2]!.serial)); // reversed by the HQ
    w.link.loseAnswers = false;
    await w.hq.idle();
    await w.hq.sweep();
    const day = w.hq.businessDay(Date.now());
    const mine = await w.hqStorage.read((q) => buildDailyFile(q, w.section, day));
    const theirs = await w.engine.vouchers.dailyFile('HQ-1', day);
    expect(compareFiles(mine, theirs)).toEqual([]);
    expect({ activations: mine.activations, voids: mine.voids, net: mine.netFaceMinor, due: mine.dueMinor }).toEqual({ activations: 3, voids: 2, net: 1000, due: 975 });
    // A journal line the center does not have: refused, the differing lines named, nothing paid.
    w.engine.clock.advance(24 * 3_600_000);
    await w.hqStorage.transact((tx) => tx.run("UPDATE hq_requests SET amount = 2000 WHERE serial = ? AND kind = 'activation'", [cards[1]!.serial]));
    const err = await w.hqStorage.read((q) => settleDay({ q, section: w.section, link: w.link, day })).catch((e: { code: string; details: Record<string, unknown> }) => e);
    expect((err as { code: string }).code).toBe('HQ_FILE_MISMATCH');
    const diffs = (err as unknown as { details: { differences: string[] } }).details.differences;
    expect(diffs).toContain(`hq-only activation ${(await w.hqStorage.read((q) => REQUEST_ROWS.get(q, 'WHERE serial = ? AND kind = ?', [cards[1]!.serial, 'activation'])))!.id} serial ${cards[1]!.serial} amount 2000`);
    expect(diffs.some((d) => d.startsWith('totals dueMinor'))).toBe(true);
    await w.hqStorage.transact((tx) => tx.run("UPDATE hq_requests SET amount = 1000 WHERE serial = ? AND kind = 'activation'", [cards[1]!.serial]));
    const settled = await w.hqStorage.read((q) => settleDay({ q, section: w.section, link: w.link, day }));
    expect(settled.paidMinor).toBe(975);
  });
});
