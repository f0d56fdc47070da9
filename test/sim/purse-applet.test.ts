import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  creditReceiptMac,
  debitMac,
  decodeReceipt,
  deriveCardKeys,
  encodeCommand,
  hostCreditMac,
  selectPurseCommand,
  splitResponse,
  SW,
  type PurseCommand,
} from '../../protocol/purse/index.js';
import { personaliseCard } from '../../sim/card/card-state.js';
import { CardStateStore } from '../../sim/card/card-state-store.js';
import { FOREIGN_AID, ForeignApplet } from '../../sim/card/foreign-applet.js';
import { PurseApplet } from '../../sim/card/purse-applet.js';

const MASTER_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const CARD_ID = '0102030405060708';
const NONCE = Buffer.from('a1a2a3a4a5a6a7a8', 'hex');

describe('purse applet (card side, no reader)', () => {
  let dir: string;
  let store: CardStateStore;
  let applet: PurseApplet;
  const send = async (c: PurseCommand) => splitResponse(await applet.process(encodeCommand(c)));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-cards-'));
    store = new CardStateStore(dir);
    await store.save(personaliseCard({ cardId: CARD_ID, pin: '1234', balanceMinor: 12_000, masterKey: MASTER_KEY }));
    applet = new PurseApplet(store, CARD_ID);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses purse commands before SELECT with 6986', async () => {
    expect((await send({ kind: 'readId' })).sw).toBe(SW.notSelected);
  });

  it('selects, reads the id and the purse', async () => {
    expect(await send(selectPurseCommand())).toEqual({ data: Buffer.from([1]), sw: SW.ok });
    expect((await send({ kind: 'readId' })).data.toString('hex')).toBe(CARD_ID);
    expect((await send({ kind: 'readPurse' })).data.toString('hex')).toBe('0000000000002ee0' + '00000000' + '4a5059');
  });

  it('answers 6A82 to another AID and deselects', async () => {
    await send(selectPurseCommand());
    expect((await send({ kind: 'select', aid: FOREIGN_AID })).sw).toBe(SW.appNotFound);
    expect((await send({ kind: 'readId' })).sw).toBe(SW.notSelected);
  });

  it('counts PIN tries down, resets them on success, blocks at 0 and persists the count', async () => {
    await send(selectPurseCommand());
    expect((await send({ kind: 'verifyPin', pin: null })).sw).toBe(0x63c3);
    expect((await send({ kind: 'verifyPin', pin: '0000' })).sw).toBe(0x63c2);
    expect((await send({ kind: 'verifyPin', pin: '1234' })).sw).toBe(SW.ok);
    expect(store.load(CARD_ID)?.pinTriesLeft).toBe(3);
    expect((await send({ kind: 'verifyPin', pin: '0000' })).sw).toBe(0x63c2);
    expect((await send({ kind: 'verifyPin', pin: '0000' })).sw).toBe(0x63c1);
    expect((await send({ kind: 'verifyPin', pin: '0000' })).sw).toBe(0x63c0);
    expect((await send({ kind: 'verifyPin', pin: '1234' })).sw).toBe(SW.pinBlocked);
    // A new applet on the same store (the card moved to another terminal) is still blocked.
    applet = new PurseApplet(store, CARD_ID);
    await send(selectPurseCommand());
    expect((await send({ kind: 'verifyPin', pin: '1234' })).sw).toBe(SW.pinBlocked);
  });

  it('debits after PIN, returns a MAC the center can verify, increments the counter', async () => {
    await send(selectPurseCommand());
    const debit: PurseCommand = { kind: 'debit', amountMinor: 1500, terminalId: 'POS-0001', terminalNonce: NONCE };
    expect((await send(debit)).sw).toBe(SW.securityNotSatisfied);
    await send({ kind: 'verifyPin', pin: '1234' });
    const r = await send(debit);
    expect(r.sw).toBe(SW.ok);
    const receipt = decodeReceipt(r.data);
    expect(receipt).toMatchObject({ balanceMinor: 10_500, counter: 1 });
    const keys = deriveCardKeys(MASTER_KEY, CARD_ID); // the center's side
    const expected = debitMac(keys.cardMacKey, { cardId: CARD_ID, counter: 1, amountMinor: 1500, currency: 'JPY', terminalId: 'POS-0001', terminalNonce: NONCE });
    expect(receipt.cardMac.toString('hex')).toBe(expected.toString('hex'));
    expect(store.load(CARD_ID)).toMatchObject({ balanceMinor: 10_500, counter: 1 });
    expect((await send({ ...debit, amountMinor: 10_501 })).sw).toBe(SW.conditionsNotSatisfied);
  });

  it('credits only with a host MAC over the current counter; a replayed MAC fails', async () => {
    await send(selectPurseCommand());
    await send({ kind: 'verifyPin', pin: '1234' });
    const keys = deriveCardKeys(MASTER_KEY, CARD_ID);
    const hostMac = hostCreditMac(keys.hostMacKey, { cardId: CARD_ID, counter: 0, amountMinor: 500, currency: 'JPY' });
    expect((await send({ kind: 'credit', amountMinor: 501, hostMac })).sw).toBe(SW.macInvalid);
    const r = await send({ kind: 'credit', amountMinor: 500, hostMac });
    expect(r.sw).toBe(SW.ok);
    const receipt = decodeReceipt(r.data);
    expect(receipt).toMatchObject({ balanceMinor: 12_500, counter: 1 });
    const proof = creditReceiptMac(keys.cardMacKey, { cardId: CARD_ID, counter: 1, amountMinor: 500, currency: 'JPY', balanceMinor: 12_500 });
    expect(receipt.cardMac.equals(proof)).toBe(true);
    expect((await send({ kind: 'credit', amountMinor: 500, hostMac })).sw).toBe(SW.macInvalid); // replay
  });

  it('forgets selection and PIN on reset', async () => {
    await send(selectPurseCommand());
    await send({ kind: 'verifyPin', pin: '1234' });
    applet.reset();
    await send(selectPurseCommand());
    expect((await send({ kind: 'debit', amountMinor: 1, terminalId: 'T1', terminalNonce: NONCE })).sw).toBe(SW.securityNotSatisfied);
  });

  it('reports a corrupt state file with SIM_CARD_STATE_CORRUPT', () => {
    writeFileSync(join(dir, `${CARD_ID}.json`), '{"version":1,');
    expect(() => store.load(CARD_ID)).toThrow(expect.objectContaining({ code: 'SIM_CARD_STATE_CORRUPT' }));
  });
});

describe('foreign applet', () => {
  it('has no Tessera purse: SELECT answers 6A82, its own AID 9000', async () => {
    const applet = new ForeignApplet();
    expect(splitResponse(await applet.process(encodeCommand(selectPurseCommand()))).sw).toBe(SW.appNotFound);
    expect(splitResponse(await applet.process(encodeCommand({ kind: 'select', aid: FOREIGN_AID }))).sw).toBe(SW.ok);
  });
});
