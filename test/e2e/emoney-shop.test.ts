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
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { INS } from '../../protocol/purse/constants.js';
import { CardStateStore } from '../../sim/card/card-state-store.js';
import { PurseApplet } from '../../sim/card/purse-applet.js';
import { VirtualMedium } from '../../sim/medium/virtual-medium.js';
import { VirtualScanner } from '../../sim/scanner/virtual-scanner.js';
import { applyControlLine } from '../../terminal/agent/control-lines.js';
import type { AgentReport } from '../../terminal/agent/role.js';
import { builtinRoles } from '../../terminal/agent/roles/builtin.js';
import { parseTerminalConfig } from '../../terminal/config/load.js';
import { unwrapFile } from '../../terminal/devices/files/file-envelope.js';
import type { JournalPurchase } from '../../terminal/journal/types.js';
import { TestCard } from '../../sim/world/emoney-parties.js';
import { killPtyOwner, replugAfterKill } from '../support/pty.js';
import { nextEvent } from '../terminal/devices/wait.js';
import { CARD_PIN, openEmoneyWorld, WORLD, type EmoneyWorld, type StackTerminal } from '../../sim/world/emoney-world.js';
import { centerDbFromFlag } from '../support/center-db.js';

const SETTLE_WAIT_MS = 2_000;
let s: EmoneyWorld;
let shopA: StackTerminal;
let vendB: StackTerminal;
/** SHOP-A's second till: a serial scanner (socat pty) with a price list, and a removable store (mount dir). */
let till: StackTerminal;
let scanner: VirtualScanner;
let medium: VirtualMedium;
const ITEMS = { '4901234567894': 180, '4901234567801': 250, '0012345678905': 1_020 } as const;
let money0: number;
let cardSeq = 0;

/** A fresh purse card charged through the center with `amountMinor` from a user's account (alice, bank A). */
async function chargedCard(amountMinor: number, from: { ref: (typeof WORLD)['aliceA']['ref']; pin: string } = WORLD.aliceA): Promise<string> {
  cardSeq += 1;
  const id = await s.issueCard(`5e0a0000000000${cardSeq.toString(16).padStart(2, '0')}`);
  if (amountMinor > 0) await s.chargeCard(id, amountMinor, from);
  return id;
}

const shopPaid = (): Promise<number> => s.banks.a.balance(WORLD.shopA.ref);
const shopBPaid = (): Promise<number> => s.banks.b.balance(WORLD.shopB.ref);

/** Waits (bounded) for a change made in the center's database to reach its in-memory lists. */
async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not seen by the center: ${what}`);
}

async function settle(t: StackTerminal) {
  const r = await t.command('settle');
  await s.idle(); // the center pays after the acknowledgement
  return r;
}

beforeAll(async () => {
  s = await openEmoneyWorld({ readers: 4, captureLogs: true, db: centerDbFromFlag() });
  shopA = await s.startAgent({ terminalId: 'SHOP-A1', role: 'shop', ownerId: 'SHOP-A', roleSettings: { settleWaitMs: SETTLE_WAIT_MS } });
  vendB = await s.startAgent({ terminalId: 'VEND-B1', role: 'vending', ownerId: 'SHOP-B', roleSettings: { products: { A1: 120, B2: 250 }, settleWaitMs: SETTLE_WAIT_MS } });
  scanner = new VirtualScanner(s.dir, 'till-scanner');
  await scanner.plug();
  mkdirSync(join(s.dir, 'shelf'));
  medium = new VirtualMedium('receipts', join(s.dir, 'shelf'), join(s.dir, 'drive'));
  till = await s.startAgent({
    terminalId: 'SHOP-A2', role: 'shop', ownerId: 'SHOP-A',
    roleSettings: { settleWaitMs: SETTLE_WAIT_MS, products: { ...ITEMS } },
    devices: { scanner: { port: scanner.devicePath, baudRate: 9600 }, store: { mountDir: join(s.dir, 'drive') } },
  });
}, 30_000);

afterAll(async () => {
  await s?.close();
  await scanner?.unplug();
});

beforeEach(async () => {
  await s.startCenter();
  money0 = (await s.moneyInWorld()).total;
});

afterEach(async () => {
  await shopA.take();
  await vendB.take();
  await till.take();
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

  it('vending: the price is the configured price of the button pressed; an unknown button sells nothing; settled at bank B', async () => {
    const card = await chargedCard(1_000, WORLD.bobB); // the provider's money is then at bank B, where this shop banks
    const sold = await vendB.present(card, { menu: 'B2', pin: CARD_PIN });
    await vendB.take();
    expect(sold).toMatchObject({ result: 'approved', mediumId: card, details: { product: 'B2', amountMinor: 250, balanceMinor: 750 } });
    const unknown = await vendB.present(card, { menu: 'Z9' });
    await vendB.take();
    expect(unknown).toMatchObject({ result: 'error', code: 'TERM_ENTRY_INVALID', card: 'returned', details: { prompt: 'menu' } });
    expect(s.cardBalance(card)).toBe(750);
    expect(vendB.journal.listUnsettled().map((r) => r.amountMinor)).toEqual([250]);

    const before = await shopBPaid();
    expect(await settle(vendB)).toMatchObject({ result: 'done', details: { settledCount: 1, settledMinor: 250, totalMinor: 250, providerAccount: { bankCode: '0002' } } });
    expect((await shopBPaid()) - before).toBe(250);
    expect(vendB.journal.listUnsettled()).toEqual([]);
  });

  it('vending: a bad price list stops the role at creation with TERM_CONFIG_INVALID', () => {
    const config = (roleSettings: Record<string, unknown>) =>
      parseTerminalConfig({ terminalId: 'VEND-X', keyFile: '/nonexistent', role: 'vending', centers: [{ host: '127.0.0.1', port: 1 }], devices: { reader: { namePattern: 'x' } }, journal: ':memory:', roleSettings });
    for (const bad of [{ products: { A1: 0 } }, { products: { a1: 100 } }, { products: { A1: 1.5 } }, { products: {} }, { products: { A1: 100 }, colour: 'red' }, {}]) {
      expect(() => builtinRoles().create(config(bad))).toThrow(expect.objectContaining({ code: 'TERM_CONFIG_INVALID' }));
    }
    expect(builtinRoles().create(config({ products: { A1: 100 } })).name).toBe('vending');
  });

  it('a terminal the center does not know as a shop cannot settle: coded, nothing erased', async () => {
    const stray = await s.startAgent({ terminalId: 'SHOP-X1', role: 'shop', ownerId: 'NOT-A-SHOP', roleSettings: { settleWaitMs: SETTLE_WAIT_MS } });
    try {
      const card = await chargedCard(500);
      expect((await stray.present(card, { amount: '120', pin: CARD_PIN })).result).toBe('approved');
      await stray.take();
      const r = await stray.command('settle');
      expect(r).toMatchObject({ result: 'refused', code: 'EMONEY_NOT_A_SHOP', details: { remainingCount: 1 } });
      expect(stray.journal.listUnsettled()).toHaveLength(1);
      expect((await stray.command('unsettled')).details).toMatchObject({ count: 1, totalMinor: 120 });
      expect(await stray.command('dance')).toMatchObject({ result: 'error', code: 'TERM_NOT_SUPPORTED' });
    } finally {
      await stray.stop(); // its journal still counts in moneyInWorld (the record is owed to it)
    }
  });

  it('declines a card short of the price with a code; bad amount entries are coded; nothing debited or journalled', async () => {
    const card = await chargedCard(300);
    const held = shopA.journal.listUnsettled().length;
    const short = await shopA.present(card, { amount: '500' });
    await shopA.take();
    expect(short).toMatchObject({ result: 'declined', code: 'TERM_BALANCE_INSUFFICIENT', mediumId: card, card: 'returned', details: { amountMinor: 500, balanceMinor: 300 } });
    for (const entry of ['12.50', '0', '99999999999999999']) {
      const r = await shopA.present(card, { amount: entry });
      await shopA.take();
      expect(r).toMatchObject({ result: 'error', code: 'TERM_ENTRY_INVALID', details: { prompt: 'amount' } });
    }
    expect(shopA.keypad.pending).toBe(0);
    expect(s.cardBalance(card)).toBe(300);
    expect(s.cardCounter(card)).toBe(1); // the charge only
    expect(shopA.journal.listUnsettled()).toHaveLength(held);
    expect(shopA.journal.listDebitsInDoubt()).toEqual([]);
  });

  it('rejects a forged, an altered, a twice-settled and a cloned-card record with codes, sets them aside, pays only the genuine one', async () => {
    const card = await chargedCard(5_000);
    for (const amount of ['300', '400', '500']) {
      expect((await shopA.present(card, { amount, pin: CARD_PIN })).result).toBe('approved');
      await shopA.take();
    }
    const [r1, r2, r3] = shopA.journal.listUnsettled();
    expect((await settle(shopA)).details).toMatchObject({ settledCount: 3, settledMinor: 1_200, rejected: [] });
    const paid = await shopPaid();

    expect((await shopA.present(card, { amount: '200', pin: CARD_PIN })).result).toBe('approved');
    await shopA.take();
    const forged: JournalPurchase = { ...r1!, cardCounter: 99, amountMinor: 5_000, cardMac: randomBytes(8) };
    const altered: JournalPurchase = { ...r2!, amountMinor: 4_000 };
    // A clone: the card's keys and an older state (counter before r3, a made-up balance) debits at r3's counter.
    const cloneStore = new CardStateStore(join(s.dir, 'clone'));
    await cloneStore.save({ ...s.slots.store.load(card)!, counter: r3!.cardCounter - 1, balanceMinor: 1_000 });
    const clone = new TestCard(new PurseApplet(cloneStore, card), CARD_PIN);
    await clone.open();
    const nonce = randomBytes(8);
    const receipt = await clone.debit(250, 'SHOP-A1', nonce);
    const cloned: JournalPurchase = { mediumId: card, cardCounter: receipt.counter, amountMinor: 250, currency: 'JPY', terminalId: 'SHOP-A1', terminalNonce: nonce, cardMac: receipt.cardMac };
    expect(cloned.cardCounter).toBe(r3!.cardCounter);
    for (const fake of [forged, altered, r1!, cloned]) shopA.journal.appendPurchase(fake);
    const injectedMinor = 5_000 + 4_000 + r1!.amountMinor + 250;

    const done = await settle(shopA);
    expect(done).toMatchObject({ result: 'done', details: { settledCount: 1, settledMinor: 200, totalMinor: 200, remainingCount: 0 } });
    expect(done.details!['rejected']).toEqual([
      { mediumId: card, cardCounter: 99, status: 'FORGED' },
      { mediumId: card, cardCounter: r2!.cardCounter, status: 'ALTERED' },
      { mediumId: card, cardCounter: r1!.cardCounter, status: 'DUPLICATE' },
      { mediumId: card, cardCounter: r3!.cardCounter, status: 'DUPLICATE' },
    ]);
    expect((await shopPaid()) - paid).toBe(200);
    expect(shopA.journal.listUnsettled()).toEqual([]);
    const aside = shopA.journal.listAside().slice(-4);
    expect(aside.map((a) => [a.cardCounter, a.amountMinor, a.reason])).toEqual([
      [99, 5_000, 'FORGED'], [r2!.cardCounter, 4_000, 'ALTERED'], [r1!.cardCounter, r1!.amountMinor, 'DUPLICATE'], [r3!.cardCounter, 250, 'DUPLICATE'],
    ]);
    expect(aside.every((a) => a.cardMac !== null)).toBe(true); // kept as received, for the operator
    const flags = await s.storage.read((q) => q.all<{ kind: string }>('SELECT kind FROM emoney_flags WHERE card_id = ? AND counter = ?', [card, r3!.cardCounter]));
    expect(flags.map((f) => f.kind)).toContain('clone');
    expect((await shopA.command('unsettled')).details).toMatchObject({ count: 0, totalMinor: 0 });
    expect(injectedMinor).toBeGreaterThan(0); // none of it was paid (shop's bank +200 only, checked above)
  });

  for (const step of ['instructed', 'acked'] as const) {
    it(`center stopped right after '${step}' and restarted from its files: settle again, the shop is paid exactly once`, async () => {
      const card = await chargedCard(3_000);
      for (const amount of ['800', '450']) {
        expect((await shopA.present(card, { amount, pin: CARD_PIN })).result).toBe('approved');
        await shopA.take();
      }
      const paid = await shopPaid();
      s.onSettlementStep = (at) => {
        if (at === step) throw new Error(`center stops after ${step}`); // the durable step is done, nothing after it
      };
      const first = await shopA.command('settle');
      await s.idle();
      s.onSettlementStep = null;
      if (step === 'instructed') {
        // Booked at the center, never sent: the terminal gives up waiting, erases nothing.
        expect(first).toMatchObject({ result: 'error', code: 'TERM_SETTLE_TIMEOUT' });
        expect(shopA.journal.listUnsettled()).toHaveLength(2);
      } else {
        // Sent and acknowledged (records erased), the transfer never made.
        expect(first).toMatchObject({ result: 'done', details: { settledCount: 2, settledMinor: 1_250 } });
        expect(shopA.journal.listUnsettled()).toEqual([]);
      }
      expect(await shopPaid()).toBe(paid);

      await s.crashCenter(); // reopened from its files; sweep() resumes acknowledged payments
      const again = await settle(shopA);
      expect(again.result).toBe('done');
      if (step === 'instructed') expect(again.details).toMatchObject({ settledCount: 2, settledMinor: 1_250, totalMinor: 1_250 });
      expect(shopA.journal.listUnsettled()).toEqual([]);
      expect((await shopPaid()) - paid).toBe(1_250);
      // A third settle pays nothing more.
      await settle(shopA);
      expect((await shopPaid()) - paid).toBe(1_250);
    });
  }

  it('card pulled as the DEBIT reaches it: the card debits, the answer is lost; nothing journalled or sold; next insertion shows the holder is owed', async () => {
    const card = await chargedCard(2_000);
    const { card: chip, outcome } = await shopA.insert(card, { amount: '600', pin: CARD_PIN });
    let debits = 0;
    chip.on('apdu', (apdu) => {
      // The first DEBIT is refused (PIN not verified yet); the second one is pulled as it arrives.
      if (apdu[1] === INS.debit && ++debits === 2) void s.slots.remove(shopA.readerName);
    });
    const held = shopA.journal.listUnsettled().length;
    expect(await outcome).toMatchObject({ result: 'error', code: 'TERM_DEBIT_UNCONFIRMED', card: 'removed', mediumId: card, details: { amountMinor: 600 } });
    expect(s.cardBalance(card)).toBe(1_400); // the chip did debit
    expect(shopA.journal.listUnsettled()).toHaveLength(held);
    expect(shopA.journal.listDebitsInDoubt()).toMatchObject([{ mediumId: card, counterBefore: 1, balanceBeforeMinor: 2_000, amountMinor: 600 }]);

    const back = await shopA.present(card, { amount: '600' });
    await shopA.take();
    expect(back).toMatchObject({ result: 'declined', code: 'TERM_DEBIT_UNRECORDED', mediumId: card, details: { amountMinor: 600, cardCounter: 2, balanceMinor: 1_400 } });
    expect(s.cardBalance(card)).toBe(1_400); // not debited twice
    expect(shopA.journal.listDebitsInDoubt()).toEqual([]);
    expect(shopA.journal.listAside().at(-1)).toMatchObject({ mediumId: card, cardCounter: 2, amountMinor: 600, reason: 'UNRECORDED', cardMac: null });

    const next = await shopA.present(card, { amount: '100', pin: CARD_PIN });
    await shopA.take();
    expect(next).toMatchObject({ result: 'approved', details: { amountMinor: 100, balanceMinor: 1_300, cardCounter: 3 } });
  });

  it('card pulled before it acts on the DEBIT: nothing debited, nothing journalled; the next insertion clears the doubt and sells', async () => {
    const card = await chargedCard(2_000);
    const { card: chip, outcome } = await shopA.insert(card, { amount: '700', pin: CARD_PIN });
    const applet = chip.applet as PurseApplet;
    const process = applet.process.bind(applet);
    let debits = 0;
    applet.process = (apdu: Buffer): Promise<Buffer> => {
      if (apdu[1] === INS.debit && ++debits === 2) {
        void s.slots.remove(shopA.readerName);
        return new Promise<Buffer>(() => undefined); // the chip never got to it
      }
      return process(apdu);
    };
    expect(await outcome).toMatchObject({ result: 'error', code: 'TERM_DEBIT_UNCONFIRMED', card: 'removed' });
    expect(s.cardBalance(card)).toBe(2_000);
    expect(shopA.journal.listDebitsInDoubt()).toHaveLength(1);

    const back = await shopA.present(card, { amount: '700', pin: CARD_PIN });
    await shopA.take();
    expect(back).toMatchObject({ result: 'approved', details: { amountMinor: 700, balanceMinor: 1_300, cardCounter: 2 } });
    expect(shopA.journal.listDebitsInDoubt()).toEqual([]);
    expect(shopA.journal.listUnsettled().at(-1)).toMatchObject({ mediumId: card, cardCounter: 2, amountMinor: 700 });
  });

  it('a blocked shop terminal: settle is refused with EMONEY_TERMINAL_INVALID and its records stay in the journal; unblocked, it settles and is paid', async () => {
    const card = await chargedCard(1_000);
    expect((await shopA.present(card, { amount: '300', pin: CARD_PIN })).result).toBe('approved');
    await shopA.take();
    expect(shopA.keypad.pending).toBe(0);
    // Earlier tests may have left records of their own: all of them are held, then settled.
    const held = shopA.journal.listUnsettled().length;
    const heldMinor = shopA.journal.listUnsettled().reduce((sum, r) => sum + r.amountMinor, 0);
    const batches = async () => Number((await s.storage.read((q) => q.get<{ n: number }>('SELECT COUNT(*) AS n FROM emoney_batches WHERE terminal_id = ?', ['SHOP-A1'])))?.n);
    const batches0 = await batches();
    // The operator blocks the terminal; the center's lists see it through the change feed.
    await s.validity.blockTerminal('SHOP-A1');
    await until('SHOP-A1 blocked', async () => !(await s.emoney.gate.check({ terminalId: 'SHOP-A1' })).ok);
    const refused = await shopA.command('settle');
    expect(refused).toMatchObject({ trigger: 'command', result: 'refused', code: 'EMONEY_TERMINAL_INVALID', details: { remainingCount: held } });
    expect(shopA.journal.listUnsettled()).toHaveLength(held);
    expect(await batches()).toBe(batches0); // nothing opened, no callback
    // The center logs the refusal with its code, once, at warn (the shop has it in its answer).
    expect(s.logLines.filter((l) => l.includes('EMONEY_TERMINAL_INVALID') && l.includes('settleRequest') && l.includes('SHOP-A1'))).toHaveLength(1);
    const paidBefore = await shopPaid();
    await s.validity.unblockTerminal('SHOP-A1');
    await until('SHOP-A1 unblocked', async () => (await s.emoney.gate.check({ terminalId: 'SHOP-A1' })).ok);
    expect(await settle(shopA)).toMatchObject({ result: 'done', details: { settledMinor: heldMinor, remainingCount: 0 } });
    expect(shopA.journal.listUnsettled()).toEqual([]);
    expect((await shopPaid()) - paidBefore).toBe(heldMinor);
  });
});

/** A code scanned at the till (the scanner's serial line); resolves with the scan's report. */
async function scan(code: string): Promise<AgentReport> {
  const done = till.nextOutcome((r) => r.trigger === 'scan');
  await scanner.scan(code, { aim: ']E0' });
  return done;
}

/** The receipts on the medium (inserted or not), parsed from their integrity envelopes. */
function receipts(): Map<string, Record<string, unknown>> {
  const dir = medium.inserted ? join(s.dir, 'drive') : join(s.dir, 'shelf', 'receipts');
  const out = new Map<string, Record<string, unknown>>();
  for (const name of readdirSync(dir).filter((n) => n.startsWith('SETTLE-'))) {
    out.set(name, JSON.parse(unwrapFile(readFileSync(join(dir, name)))!.toString('utf8')) as Record<string, unknown>);
  }
  return out;
}

describe('shop till with a barcode scanner and a removable store, on the real stack', () => {
  it('scanned items make the basket; the next card pays its total without a keyed amount, and empties it', async () => {
    const card = await chargedCard(3_000);
    expect(await scan('4901234567894')).toMatchObject({ trigger: 'scan', result: 'done', details: { item: '4901234567894', priceMinor: 180, items: 1, totalMinor: 180 } });
    expect(await scan('4901234567801')).toMatchObject({ result: 'done', details: { items: 2, totalMinor: 430 } });
    expect(await scan('4901234567894')).toMatchObject({ result: 'done', details: { items: 3, totalMinor: 610 } });

    const paid = await till.present(card, { pin: CARD_PIN });
    await till.take();
    expect(paid).toMatchObject({ trigger: 'card', result: 'approved', mediumId: card, details: { amountMinor: 610, basketItems: 3, balanceMinor: 2_390 } });
    expect(till.keypad.pending).toBe(0); // only the PIN was asked
    expect(till.journal.listUnsettled().map((r) => r.amountMinor)).toEqual([610]);

    // The basket is empty again: the next sale is keyed.
    const keyed = await till.present(card, { amount: '90', pin: CARD_PIN });
    await till.take();
    expect(keyed).toMatchObject({ result: 'approved', details: { amountMinor: 90, balanceMinor: 2_300 } });
    expect(keyed.details).not.toHaveProperty('basketItems');
    expect(s.cardBalance(card)).toBe(2_300);
    expect((await settle(till)).details).toMatchObject({ settledCount: 2, totalMinor: 700 });
  });

  it('an unknown barcode is TERM_ITEM_UNKNOWN and changes nothing; a declined card keeps the basket; clear empties it; the next sale works', async () => {
    const card = await chargedCard(1_000);
    await scan('4901234567801');
    expect(await scan('4900000000009')).toMatchObject({ trigger: 'scan', result: 'error', code: 'TERM_ITEM_UNKNOWN', details: { item: '4900000000009' } });
    const garbage = till.nextOutcome((r) => r.trigger === 'scan');
    await scanner.scan('https://example.com/x?y=1', { aim: ']Q1' });
    expect(await garbage).toMatchObject({ result: 'error', code: 'TERM_ITEM_UNKNOWN', details: { length: 25 } });
    expect(await scan('0012345678905')).toMatchObject({ result: 'done', details: { items: 2, totalMinor: 1_270 } });

    // 1,270 is more than the card holds: declined, nothing debited, the basket waits for another payment.
    const short = await till.present(card, {});
    await till.take();
    expect(short).toMatchObject({ result: 'declined', code: 'TERM_BALANCE_INSUFFICIENT', details: { amountMinor: 1_270, balanceMinor: 1_000 } });
    expect(await till.command('clear')).toMatchObject({ trigger: 'command', result: 'done', details: { clearedItems: 2, clearedMinor: 1_270 } });

    await scan('4901234567801');
    const sold = await till.present(card, { pin: CARD_PIN });
    await till.take();
    expect(sold).toMatchObject({ result: 'approved', details: { amountMinor: 250, basketItems: 1, balanceMinor: 750 } });
    expect(s.cardBalance(card)).toBe(750);
    expect((await settle(till)).details).toMatchObject({ settledCount: 1, totalMinor: 250 });
  });

  it('settlement leaves a receipt on the inserted medium: its total is what was paid, and no secret is on it', async () => {
    const card = await chargedCard(2_000);
    medium.insert();
    try {
      for (const amount of ['320', '480']) {
        expect((await till.present(card, { amount, pin: CARD_PIN })).result).toBe('approved');
        await till.take();
      }
      const before = receipts();
      const paidBefore = await shopPaid();
      const done = await settle(till);
      const name = done.details!['receipt'] as string;
      expect(name).toMatch(/^SETTLE-\d{8}-\d{9}-SHOP-A2\.JSON$/);
      expect(before.has(name)).toBe(false);
      const receipt = receipts().get(name);
      expect(receipt).toEqual({
        receipt: 'tessera-settlement', version: 1, terminalId: 'SHOP-A2', settledAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT[0-9:.]+Z$/),
        bankCode: WORLD.providerA.ref.bankCode, branchCode: WORLD.providerA.ref.branchCode, currency: 'JPY',
        totalMinor: 800, records: 2, results: { ACCEPTED: 2, FORGED: 0, ALTERED: 0, DUPLICATE: 0 }, remainingCount: 0,
      });
      expect((await shopPaid()) - paidBefore).toBe(receipt!['totalMinor']);
      const raw = medium.rawFile(name);
      for (const secret of [WORLD.providerA.pin, WORLD.providerB.pin, WORLD.providerA.ref.accountNumber, card]) expect(raw.includes(Buffer.from(secret, 'ascii'))).toBe(false);
      for (const key of [s.masterKey, s.issuerMasterKey, Buffer.from(readFileSync(join(s.dir, 'SHOP-A2.key'), 'utf8').trim(), 'hex')]) {
        expect(raw.includes(key)).toBe(false);
        expect(raw.includes(Buffer.from(key.toString('hex')))).toBe(false);
      }
    } finally {
      medium.eject();
    }
  });

  it('every rejected scan is a coded outcome (GS1 FNC1 is data); the till reads on', async () => {
    const GS = '\u001d';
    const nextScan = (): Promise<AgentReport> => till.nextOutcome((r) => r.trigger === 'scan');
    // A GS1-128 with FNC1 sent as GS is data: it reaches the till (not on its price list), it is not dropped.
    let outcome = nextScan();
    await scanner.scan(`0104901234567894${'10'}LOT-7${GS}21SN1`, { aim: ']C1' });
    expect(await outcome).toMatchObject({ trigger: 'scan', result: 'error', code: 'TERM_ITEM_UNKNOWN' });
    const rejected: Array<[Buffer, string, number]> = [
      [Buffer.concat([Buffer.alloc(513, 0x41), Buffer.from('\r')]), 'DEV_SCAN_TOO_LONG', 513],
      [Buffer.from([0x00, 0x07, 0x1b, 0x41, 0x0d]), 'DEV_SCAN_GARBAGE', 4], // binary noise
      [Buffer.from([0xc3, 0x28, 0x41, 0x0d]), 'DEV_SCAN_GARBAGE', 3], // invalid UTF-8
      [Buffer.from(']E04901234567890\r'), 'DEV_SCAN_CHECK_DIGIT', 16],
      [Buffer.from('4901234567894'), 'DEV_SCAN_UNTERMINATED', 13], // no end of line: dropped once the line is quiet
    ];
    for (const [bytes, code, length] of rejected) {
      outcome = nextScan();
      await scanner.writeRaw(bytes);
      expect(await outcome).toMatchObject({ trigger: 'scan', result: 'refused', code, details: { bytes: length } });
    }
    // The till's config names no delimiter: CR, LF and CRLF scanners all work, one after the other.
    for (const delimiter of ['CRLF', 'LF', 'CR'] as const) {
      outcome = nextScan();
      await scanner.scan('4901234567894', { aim: ']E0', delimiter });
      expect(await outcome).toMatchObject({ result: 'done', details: { item: '4901234567894' } });
    }
    expect(await till.command('clear')).toMatchObject({ result: 'done', details: { clearedItems: 3 } });
  });

  it('an unplugged scanner (its pty owner gone) is a log line and an offline state; back, it is logged, online and read again', async () => {
    const scannerStatus = () => applyControlLine('status', till.agent, till.keypad);
    const logFrom = s.logLines.length;
    const offline = nextEvent<[{ device: string; code: string | null }]>(till.agent.context.devices.scanner!, 'status');
    killPtyOwner(scanner);
    expect((await offline)[0]).toEqual({ device: 'offline', code: 'DEV_PORT_GONE' });
    expect(await scannerStatus()).toEqual({ status: { scanner: { device: 'offline', path: scanner.devicePath, code: 'DEV_PORT_GONE' } } });
    expect(s.logLines.slice(logFrom).some((l) => l.includes('SHOP-A2') && l.includes('DEV_PORT_GONE') && l.includes('scanner port gone'))).toBe(true);
    const online = nextEvent<[{ device: string; code: string | null }]>(till.agent.context.devices.scanner!, 'status', 10_000);
    await replugAfterKill(scanner);
    expect((await online)[0]).toEqual({ device: 'online', code: null });
    expect(await scannerStatus()).toEqual({ status: { scanner: { device: 'online', path: scanner.devicePath, code: null } } });
    expect(s.logLines.slice(logFrom).some((l) => l.includes('SHOP-A2') && l.includes('scanner port back'))).toBe(true);
    expect(await scan('4901234567894')).toMatchObject({ result: 'done', details: { items: 1, totalMinor: 180 } });
    expect(await till.command('clear')).toMatchObject({ result: 'done', details: { clearedItems: 1 } });
  });

  it('no medium in the drive: the settlement still succeeds, no receipt, a log line says why', async () => {
    const card = await chargedCard(500);
    expect((await till.present(card, { amount: '150', pin: CARD_PIN })).result).toBe('approved');
    await till.take();
    const files = receipts().size;
    const paidBefore = await shopPaid();
    const done = await settle(till);
    expect(done).toMatchObject({ result: 'done', details: { settledCount: 1, totalMinor: 150, remainingCount: 0, receipt: null } });
    expect((await shopPaid()) - paidBefore).toBe(150);
    expect(till.journal.listUnsettled()).toEqual([]);
    expect(receipts().size).toBe(files);
    expect(s.logLines.some((l) => l.includes('SHOP-A2') && l.includes('no medium in the drive'))).toBe(true);
  });
});
