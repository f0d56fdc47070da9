/** The virtual bank cash card (sim/CARD.md, "The bank cash card"), its stored state and how it is issued. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CASH_CARD_AID, CASH_CARD_ATR } from '../../protocol/cashcard/index.js';
import { PURSE_AID } from '../../protocol/purse/constants.js';
import { CardSlots } from '../../sim/card/card-slots.js';
import { personaliseCard } from '../../sim/card/card-state.js';
import { CardStateStore } from '../../sim/card/card-state-store.js';
import { CashCardApplet } from '../../sim/card/cash-card-applet.js';
import { PurseApplet } from '../../sim/card/purse-applet.js';
import { parseControlLine, runControlCommand } from '../../sim/control/control-commands.js';
import type { Simulator } from '../../sim/simulator.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const CASH_ID = 'cace000000000001';
const ACCOUNT = { bankCode: '0001', branchCode: '001', accountNumber: '1234567' };

describe('bank cash card (virtual card, stored state, issue)', () => {
  let dir: string;
  let slots: CardSlots;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-cash-'));
    slots = new CardSlots([], join(dir, 'cards'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers the CARD.md vectors', async () => {
    const state = await slots.issueCashCard({ cardId: CASH_ID, ...ACCOUNT });
    const card = new CashCardApplet(state);
    const send = async (s: string) => (await card.process(hex(s))).toString('hex').toUpperCase();
    expect(card.atr).toEqual(CASH_CARD_ATR);
    expect(await send('80 50 00 00 0E')).toBe('6986'); // not selected yet
    expect(await send('00 A4 04 00 0A F042414E4B4341534801 00')).toBe('019000');
    expect(await send('80 50 00 00 0E')).toBe('30303031' + '303031' + '31323334353637' + '9000');
    expect(await send('80 50 00 00 01 00')).toBe('6700');
    expect(await send('80 50 01 00 0E')).toBe('6A86');
    expect(await send('00 20 00 01 04 31323334')).toBe('6D00');
    expect(await send('00 50 00 00 0E')).toBe('6E00');
    expect(await send('00 A4 04 00 09 F05445535345524101 00')).toBe('6A82'); // the purse AID: not on this card
    expect(await send('80 50 00 00 0E')).toBe('6986'); // ...and that SELECT deselected
    await card.process(hex('00 A4 04 00 0A F042414E4B4341534801 00'));
    card.reset();
    expect(await send('80 50 00 00 0E')).toBe('6986'); // selection is volatile
  });

  it('a purse card answers 6A82 to the cash-card AID (how the kiosk tells them apart without ejecting)', async () => {
    await slots.issue({ cardId: '0102030405060708', pin: '1234', masterKey: Buffer.alloc(32, 7) });
    const purse = new PurseApplet(slots.store, '0102030405060708');
    const sw = async (aid: Buffer) => (await purse.process(Buffer.concat([hex('00A40400'), Buffer.from([aid.length]), aid, hex('00')]))).toString('hex');
    expect(await sw(CASH_CARD_AID)).toBe('6a82');
    expect(await sw(PURSE_AID)).toBe('019000');
  });

  it('is stored beside purse cards; purse state files of the earlier format stay valid', async () => {
    await slots.issueCashCard({ cardId: CASH_ID, ...ACCOUNT });
    expect(slots.store.loadAny(CASH_ID)).toEqual({ version: 1, cardId: CASH_ID, application: 'cash', ...ACCOUNT });
    expect(() => slots.store.load(CASH_ID)).toThrow(expect.objectContaining({ code: 'SIM_BAD_COMMAND' }));
    // A purse card file as written before cash cards existed.
    const purse = personaliseCard({ cardId: '00000000000000a1', pin: '1111', balanceMinor: 700, masterKey: Buffer.alloc(32, 1) });
    writeFileSync(join(dir, 'cards', '00000000000000a1.json'), JSON.stringify(purse, null, 2));
    const store = new CardStateStore(join(dir, 'cards'));
    expect(store.load('00000000000000a1')).toEqual(purse);
    expect(store.loadAny('00000000000000a1')).toEqual(purse);
    expect(store.list()).toEqual(['00000000000000a1', CASH_ID]);
    // A cash file with a malformed account is corrupt, not a card.
    writeFileSync(join(dir, 'cards', 'cace000000000002.json'), JSON.stringify({ version: 1, cardId: 'cace000000000002', application: 'cash', ...ACCOUNT, branchCode: '01' }));
    expect(() => store.loadAny('cace000000000002')).toThrow(expect.objectContaining({ code: 'SIM_CARD_STATE_CORRUPT' }));
  });

  it('refuses malformed accounts with SIM_BAD_COMMAND', async () => {
    for (const bad of [{ bankCode: '01' }, { branchCode: '1234' }, { accountNumber: '12345678' }, { accountNumber: 'abcdefg' }]) {
      await expect(slots.issueCashCard({ cardId: CASH_ID, ...ACCOUNT, ...bad })).rejects.toMatchObject({ code: 'SIM_BAD_COMMAND' });
    }
    expect(slots.store.has(CASH_ID)).toBe(false);
  });

  it('is issued by the control command `issue-cash` (what `tessera sim issue --cash-card` sends)', async () => {
    const sim = { cards: slots, issueCashCard: (o: Parameters<CardSlots['issueCashCard']>[0]) => slots.issueCashCard(o) } as unknown as Simulator;
    const line = JSON.stringify({ cmd: 'issue-cash', cardId: CASH_ID, bankCode: '0002', branchCode: '002', accountNumber: '2000001' });
    expect(await runControlCommand(sim, parseControlLine(line))).toEqual({ cardId: CASH_ID, application: 'cash', bankCode: '0002', branchCode: '002', accountNumber: '2000001' });
    expect(() => parseControlLine(JSON.stringify({ cmd: 'issue-cash', cardId: CASH_ID, bankCode: '2', branchCode: '002', accountNumber: '2000001' }))).toThrow(
      expect.objectContaining({ code: 'SIM_BAD_COMMAND' }),
    );
  });
});
