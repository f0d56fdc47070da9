/**
 * A flow belongs to its card (terminal/agent/ROLES.md), on the real stack:
 * agents (createAgent → PcscCardReader → smartcard → pcscd → vpcd → virtual
 * cards), the e-money center and banks. A card that leaves while its flow
 * waits at the keypad ends that flow at once; what is keyed afterwards goes
 * to the next card's own flow, which debits once. Foreign cards, whatever
 * their SELECT answers, are one code in every role, before anything is
 * asked at the keypad.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildAtr } from '../../protocol/purse/atr.js';
import { INS } from '../../protocol/purse/constants.js';
import type { CardApplet } from '../../sim/card/card-applet.js';
import { VirtualCard } from '../../sim/card/virtual-card.js';
import type { KeypadPrompt } from '../../terminal/agent/keypad.js';
import type { AgentReport } from '../../terminal/agent/role.js';
import { CARD_PIN, openEmoneyWorld, type EmoneyWorld, type StackTerminal } from '../../sim/world/emoney-world.js';
import { centerDbFromFlag } from '../support/center-db.js';

let s: EmoneyWorld;
let shop: StackTerminal;
let vend: StackTerminal;
let pos: StackTerminal;
let kiosk: StackTerminal;
let money0: number;
let cardSeq = 0;

async function chargedCard(amountMinor: number): Promise<string> {
  cardSeq += 1;
  const id = await s.issueCard(`5eb10000000000${cardSeq.toString(16).padStart(2, '0')}`);
  await s.chargeCard(id, amountMinor);
  return id;
}

beforeAll(async () => {
  s = await openEmoneyWorld({ readers: 4, captureLogs: true, db: centerDbFromFlag() });
  shop = await s.startAgent({ terminalId: 'SHOP-B9', role: 'shop', ownerId: 'SHOP-A' });
  vend = await s.startAgent({ terminalId: 'VEND-B9', role: 'vending', ownerId: 'SHOP-B', roleSettings: { products: { A1: 120 } } });
  pos = await s.startAgent({ terminalId: 'POS-B9', role: 'validity-pos' });
  kiosk = await s.startAgent({ terminalId: 'KIOSK-B9', role: 'provider-kiosk', ownerId: 'PROVIDER' });
}, 30_000);

afterAll(async () => {
  await s?.close();
});

beforeEach(async () => {
  await s.startCenter();
  money0 = (await s.moneyInWorld()).total;
});

afterEach(async () => {
  for (const t of [shop, vend, pos, kiosk]) await t.take();
  await s.idle();
  expect((await s.moneyInWorld()).total).toBe(money0);
  expect(await s.audits()).toEqual({ center: true, bankA: true, bankB: true });
});

/** Resolves once the terminal's reader shows no card (pcscd saw the removal), so the next insertion is a new one. */
async function readerEmpty(t: StackTerminal): Promise<void> {
  const reader = t.agent.context.devices.reader;
  if ((await reader.status()).media === 'absent') return;
  await new Promise<void>((resolve) => {
    const on = (st: { media: string }): void => {
      if (st.media !== 'absent') return;
      reader.off('status', on);
      resolve();
    };
    reader.on('status', on);
  });
}

/** Resolves once a flow of the terminal waits at the keypad for `prompt`. */
async function waitingFor(t: StackTerminal, prompt: KeypadPrompt): Promise<void> {
  while (!t.keypad.waiting.includes(prompt)) await new Promise((r) => setTimeout(r, 10));
}

describe('a flow belongs to its card', () => {
  it('shop: card A pulled while the amount is awaited ends A\'s flow at once; the amount keyed next is debited once, from card B, in B\'s own flow', async () => {
    const a = await chargedCard(1_000);
    const b = await chargedCard(1_000);
    const { outcome: outA } = await shop.insert(a); // no amount keyed yet
    await waitingFor(shop, 'amount'); // identified (SELECT, READ ID), now at the keypad
    await shop.take();
    const ra = await outA;
    expect(ra).toMatchObject({ result: 'error', code: 'TERM_CARD_REMOVED', card: 'removed', mediumId: a });

    const { outcome: outB } = await shop.insert(b);
    await waitingFor(shop, 'amount');
    shop.keypad.push('amount', '300');
    shop.keypad.push('pin', CARD_PIN);
    const rb = await outB;
    expect(rb).toMatchObject({ result: 'approved', mediumId: b, card: 'returned', details: { amountMinor: 300, balanceMinor: 700 } });
    expect(rb.insertedAtMs).not.toBe(ra.insertedAtMs);
    expect(s.cardBalance(a)).toBe(1_000);
    expect(s.cardBalance(b)).toBe(700); // debited once
    expect(shop.keypad.pending).toBe(0);
    expect(shop.outcomes.filter((r) => r.trigger === 'card' && r.result === 'approved' && r.mediumId === b)).toHaveLength(1);
  });

  it('shop: card A pulled while its PIN is awaited; the PIN keyed next never goes to card B as a VERIFY for A', async () => {
    const a = await chargedCard(1_000);
    const b = await chargedCard(1_000);
    const { outcome: outA } = await shop.insert(a, { amount: '200' });
    // SELECT, READ ID, READ PURSE, DEBIT (refused: PIN not verified) → the flow asks the PIN.
    await waitingFor(shop, 'pin');
    await shop.take();
    expect(await outA).toMatchObject({ result: 'error', code: 'TERM_CARD_REMOVED', card: 'removed', mediumId: a });
    expect(shop.journal.listDebitsInDoubt()).toEqual([]); // the card refused that DEBIT: no doubt

    await readerEmpty(shop);
    const { outcome: outB } = await shop.insert(b);
    await waitingFor(shop, 'amount');
    shop.keypad.push('pin', CARD_PIN); // keyed late: B's flow is at the amount prompt, the PIN waits its turn
    shop.keypad.push('amount', '150');
    expect(await outB).toMatchObject({ result: 'approved', mediumId: b, details: { amountMinor: 150, balanceMinor: 850 } });
    expect(s.cardBalance(a)).toBe(1_000);
    expect(s.cardBalance(b)).toBe(850);
  });

  it('vending: card pulled while the button is awaited ends the flow; the next card sells once', async () => {
    const a = await chargedCard(500);
    const b = await chargedCard(500);
    const { outcome: outA } = await vend.insert(a);
    await waitingFor(vend, 'menu');
    await vend.take();
    expect(await outA).toMatchObject({ result: 'error', code: 'TERM_CARD_REMOVED', card: 'removed', mediumId: a });
    await readerEmpty(vend);
    const rb = await vend.present(b, { menu: 'A1', pin: CARD_PIN });
    expect(rb).toMatchObject({ result: 'approved', mediumId: b, details: { product: 'A1', amountMinor: 120 } });
    expect(s.cardBalance(a)).toBe(500);
    expect(s.cardBalance(b)).toBe(380);
  });
});

describe('a card pulled mid-APDU is reported removed', () => {
  it('even when the reader reports the removal after the flow failed (pcscd a poll late): card "removed", never "returned"', async () => {
    const card = await chargedCard(1_000);
    // pcscd reports a removal on its next presence poll, which may come after the transmit failed and the
    // flow ended. Force that order: the driver's `removed` event reaches the agent 400 ms late.
    const reader = shop.agent.context.devices.reader as unknown as { emit(event: string, ...args: unknown[]): boolean };
    const emit = reader.emit.bind(reader);
    let late: Promise<void> = Promise.resolve();
    reader.emit = (event, ...args) => {
      if (event !== 'removed') return emit(event, ...args);
      late = new Promise((resolve) => setTimeout(() => resolve(void emit(event, ...args)), 400));
      return true;
    };
    try {
      const { card: chip, outcome } = await shop.insert(card, { amount: '600', pin: CARD_PIN });
      let debits = 0;
      chip.on('apdu', (apdu) => {
        // The first DEBIT is refused (PIN not verified yet); the second one is pulled as it arrives.
        if (apdu[1] === INS.debit && ++debits === 2) void s.slots.remove(shop.readerName);
      });
      expect(await outcome).toMatchObject({ result: 'error', code: 'TERM_DEBIT_UNCONFIRMED', card: 'removed', mediumId: card });
      await late;
    } finally {
      reader.emit = emit;
    }
    // The doubt is resolved at the next insertion: the chip debited, the holder is owed.
    expect(await shop.present(card, { amount: '600' })).toMatchObject({ result: 'declined', code: 'TERM_DEBIT_UNRECORDED', mediumId: card });
  });
});

/** Some other issuer's card: `answer` gives the status word (and data) to every APDU. */
class StrangeApplet implements CardApplet {
  readonly atr = buildAtr(Buffer.from('STRANGE', 'latin1'));
  constructor(private readonly answer: Buffer) {}
  reset(): void {}
  async process(): Promise<Buffer> {
    return this.answer;
  }
}

/** Inserts a virtual card running `applet` into the terminal's reader; the flow's report to come. */
async function insertStrange(t: StackTerminal, applet: CardApplet): Promise<{ chip: VirtualCard; outcome: Promise<AgentReport> }> {
  await readerEmpty(t);
  const outcome = t.nextOutcome((r) => r.trigger === 'card' || r.trigger === 'invalid-medium');
  const port = s.slots.list().find((x) => x.name === t.readerName)!.port;
  const chip = new VirtualCard(applet);
  await chip.insert(port);
  return { chip, outcome };
}

const FOREIGN_ANSWERS = [
  ['6D00', Buffer.from([0x6d, 0x00])],
  ['6A82', Buffer.from([0x6a, 0x82])],
  ['610A', Buffer.from([0x61, 0x0a])],
  ['9000', Buffer.from([0x90, 0x00])], // 9000 to everything, no card id
] as const;

describe('foreign cards: one code in every role, the status word in details', () => {
  for (const [sw, answer] of FOREIGN_ANSWERS) {
    it(`a card answering ${sw}${sw === '9000' ? ' with an empty id' : ' to SELECT'}: TERM_FOREIGN_CARD in shop, vending, validity-pos and kiosk; nothing keyed is taken`, async () => {
      const expected = { result: 'error', code: 'TERM_FOREIGN_CARD', card: 'returned', details: { deviceCode: 'DEV_NOT_OUR_CARD', sw } };
      for (const t of [shop, vend, pos, kiosk]) {
        // An amount/button keyed ahead: the card is identified before the keypad is asked, so it stays unread.
        if (t === shop) t.keypad.push('amount', '100');
        if (t === vend) t.keypad.push('menu', 'A1');
        const { chip, outcome } = await insertStrange(t, new StrangeApplet(answer));
        const r = await outcome;
        await chip.remove();
        expect({ terminal: t.id, ...r }).toMatchObject({ terminal: t.id, ...expected });
        expect(t.keypad.pending).toBe(t === shop || t === vend ? 1 : 0);
        if (t === shop) await t.keypad.read('amount');
        if (t === vend) await t.keypad.read('menu');
      }
    });
  }
});
