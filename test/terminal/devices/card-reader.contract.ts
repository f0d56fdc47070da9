/**
 * The card-reader contract (terminal/devices/card-reader.ts), written once and
 * run against every implementation through a harness (serialport's
 * bindings.test.ts pattern). Today: the PC/SC driver on pcscd + vpcd with
 * virtual cards behind it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../core/random.js';
import { PURSE_ATR } from '../../../protocol/purse/atr.js';
import { debitMac, deriveCardKeys } from '../../../protocol/purse/crypto.js';
import type { VirtualCard } from '../../../sim/card/virtual-card.js';
import type { CardInserted, CardReader, CardReaderStatus } from '../../../terminal/devices/card-reader.js';
import { PurseCard } from '../../../terminal/devices/purse-card.js';
import { eventually, nextEvent } from './wait.js';

export const MASTER_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x40 + i));
const PURSE_A = 'aa00000000000001';
const PURSE_B = 'bb00000000000002';
const FOREIGN = 'ff00000000000003';

export interface CardReaderHarness {
  /** A new driver bound to slot i (0 or 1) by name pattern. */
  reader(slot: number, options?: { openTimeoutMs?: number; pattern?: RegExp; transmitTimeoutMs?: number }): CardReader;
  issue(cardId: string, options: { pin: string; balanceMinor: number; foreign?: boolean }): Promise<void>;
  insert(cardId: string, slot: number, mode?: 'normal' | 'unresponsive'): Promise<VirtualCard>;
  remove(slot: number): Promise<void>;
  /** Another application tries an exclusive connect to the card in slot i. */
  foreignConnect(slot: number): Promise<'connected' | 'refused'>;
  /** The PC/SC service (or the reader) goes away, then comes back. */
  killService(): Promise<void>;
  restartService(): Promise<void>;
  teardown(): Promise<void>;
}

const codeOf = (code: string) => expect.objectContaining({ code });

export function describeCardReaderContract(name: string, makeHarness: () => Promise<CardReaderHarness>): void {
  describe(`CardReader contract: ${name}`, () => {
    let h: CardReaderHarness;
    const open: CardReader[] = [];
    const reader = async (slot: number, options?: Parameters<CardReaderHarness['reader']>[1]): Promise<CardReader> => {
      const r = h.reader(slot, options);
      open.push(r);
      await r.open();
      return r;
    };
    const insertAndWait = async (r: CardReader, cardId: string, slot: number, mode?: 'normal' | 'unresponsive') => {
      const inserted = nextEvent<[CardInserted]>(r, 'inserted');
      const card = await h.insert(cardId, slot, mode);
      return { card, event: (await inserted)[0] };
    };

    beforeAll(async () => {
      h = await makeHarness();
      await h.issue(PURSE_A, { pin: '1234', balanceMinor: 10_000 });
      await h.issue(PURSE_B, { pin: '4321', balanceMinor: 500 });
      await h.issue(FOREIGN, { pin: '0000', balanceMinor: 0, foreign: true });
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((r) => r.close()));
      for (const slot of [0, 1]) await h.remove(slot).catch(() => undefined);
    });
    afterAll(async () => {
      await h?.teardown();
    });

    it('opens online with no card and states its capabilities honestly', async () => {
      const r = await reader(0);
      const s = await r.status();
      expect(s).toMatchObject({ device: 'online', media: 'absent', retained: false, atr: null });
      expect(s.readerName).toMatch(/ 00 00$/);
      expect(r.capabilities).toEqual({ captureSupported: false, ejectSupported: false });
      await expect(r.transmit(Buffer.from('00a4040000', 'hex'))).rejects.toThrow(codeOf('DEV_NO_CARD'));
    });

    it('rejects open with DEV_READER_NOT_FOUND when no reader matches', async () => {
      const r = h.reader(0, { pattern: /^No Such Reader/, openTimeoutMs: 300 });
      open.push(r);
      await expect(r.open()).rejects.toThrow(codeOf('DEV_READER_NOT_FOUND'));
    });

    it('reports insertion with the ATR, runs the purse, and reports removal', async () => {
      const r = await reader(0);
      const { event } = await insertAndWait(r, PURSE_A, 0);
      expect(event.atr.toString('hex')).toBe(PURSE_ATR.toString('hex'));
      const purse = new PurseCard(r, new SeededRandom(7));
      await purse.select();
      expect(await purse.readId()).toBe(PURSE_A);
      await expect(purse.verifyPin('9999')).rejects.toThrow(expect.objectContaining({ code: 'DEV_PIN_WRONG', details: { triesLeft: 2 } }));
      await purse.verifyPin('1234');
      const before = await purse.readPurse();
      const debit = await purse.debit(1_234, 'KIOSK-7');
      expect(debit).toMatchObject({ balanceMinor: before.balanceMinor - 1_234, counter: before.counter + 1 });
      const keys = deriveCardKeys(MASTER_KEY, PURSE_A);
      const mac = debitMac(keys.cardMacKey, { cardId: PURSE_A, counter: debit.counter, amountMinor: 1_234, currency: 'JPY', terminalId: 'KIOSK-7', terminalNonce: debit.terminalNonce });
      expect(debit.cardMac.equals(mac)).toBe(true);
      await expect(purse.debit(1_000_000, 'KIOSK-7')).rejects.toThrow(codeOf('DEV_INSUFFICIENT_FUNDS'));
      const removed = nextEvent(r, 'removed');
      await h.remove(0);
      expect((await removed)[0]).toMatchObject({ wasRetained: false });
      expect(await r.status()).toMatchObject({ media: 'absent', atr: null });
    });

    it('reports a card that was already inserted before open', async () => {
      await h.insert(PURSE_B, 0);
      const r = h.reader(0);
      open.push(r);
      const inserted = nextEvent<[CardInserted]>(r, 'inserted');
      await r.open();
      expect((await inserted)[0].atr.toString('hex')).toBe(PURSE_ATR.toString('hex'));
      const purse = new PurseCard(r, new SeededRandom(9));
      await purse.select();
      expect(await purse.readId()).toBe(PURSE_B);
    });

    it('keeps card state when the card moves to another terminal', async () => {
      const r0 = await reader(0);
      const r1 = await reader(1);
      await insertAndWait(r0, PURSE_B, 0);
      const p0 = new PurseCard(r0, new SeededRandom(1));
      await p0.select();
      await p0.verifyPin('4321');
      const first = await p0.debit(100, 'POS-A');
      await h.remove(0);
      await insertAndWait(r1, PURSE_B, 1);
      const p1 = new PurseCard(r1, new SeededRandom(2));
      await p1.select();
      expect(await p1.readPurse()).toMatchObject({ balanceMinor: first.balanceMinor, counter: first.counter });
    });

    it('rejects an overlapping transmit with DEV_BUSY and completes the first', async () => {
      const r = await reader(0);
      await insertAndWait(r, PURSE_A, 0);
      const select = Buffer.from('00a4040009f05445535345524101', 'hex');
      const first = r.transmit(select);
      await expect(r.transmit(select)).rejects.toThrow(codeOf('DEV_BUSY'));
      expect((await first).subarray(-2).toString('hex')).toBe('9000');
    });

    it('fails a transmit with DEV_CARD_REMOVED when the card is pulled mid-APDU', async () => {
      const r = await reader(0);
      const { card } = await insertAndWait(r, PURSE_A, 0);
      card.once('apdu', () => void card.remove());
      const removed = nextEvent(r, 'removed');
      await expect(r.transmit(Buffer.from('00a4040009f05445535345524101', 'hex'))).rejects.toThrow(codeOf('DEV_CARD_REMOVED'));
      await removed;
      await expect(r.transmit(Buffer.from('8010000008', 'hex'))).rejects.toThrow(codeOf('DEV_NO_CARD'));
    });

    it('a call bound to an insertion never reaches the card inserted after it: DEV_CARD_REMOVED, the next card sees nothing', async () => {
      const r = await reader(0);
      const first = (await insertAndWait(r, PURSE_A, 0)).event;
      expect((await r.status()).insertion).toBe(first.insertion);
      const bound = { insertion: first.insertion };
      await new PurseCard({ transmit: (apdu) => r.transmit(apdu, bound), eject: () => r.eject(bound) }, new SeededRandom(10)).select();
      const removed = nextEvent(r, 'removed');
      await h.remove(0);
      await removed;
      const { card: next, event: second } = await insertAndWait(r, PURSE_B, 0);
      expect(second.insertion).not.toBe(first.insertion);
      const seen: Buffer[] = [];
      next.on('apdu', (apdu) => seen.push(apdu));
      await expect(r.transmit(Buffer.from('00a4040009f05445535345524101', 'hex'), bound)).rejects.toThrow(codeOf('DEV_CARD_REMOVED'));
      await expect(r.capture(bound)).rejects.toThrow(codeOf('DEV_CARD_REMOVED'));
      await r.eject(bound); // the first card is gone: nothing to release, the second is not touched
      expect(seen).toEqual([]);
      expect(await r.status()).toMatchObject({ media: 'present', retained: false, insertion: second.insertion });
      const purse = new PurseCard({ transmit: (apdu) => r.transmit(apdu, { insertion: second.insertion }), eject: () => r.eject() }, new SeededRandom(11));
      await purse.select();
      expect(await purse.readId()).toBe(PURSE_B);
    });

    it('names every foreign card the same: DEV_NOT_OUR_CARD with the status word, released', async () => {
      const r = await reader(0);
      await insertAndWait(r, FOREIGN, 0);
      await expect(new PurseCard(r, new SeededRandom(12)).select()).rejects.toThrow(expect.objectContaining({ code: 'DEV_NOT_OUR_CARD', details: expect.objectContaining({ sw: '6A82', command: 'select' }) }));
      expect(await r.status()).toMatchObject({ media: 'present', insertion: null });
    });

    it('releases a foreign card with DEV_NOT_OUR_CARD and disturbs nothing else', async () => {
      const r0 = await reader(0);
      const r1 = await reader(1);
      await insertAndWait(r1, PURSE_A, 1);
      const other = new PurseCard(r1, new SeededRandom(3));
      await other.select();
      await insertAndWait(r0, FOREIGN, 0);
      await expect(new PurseCard(r0, new SeededRandom(4)).select()).rejects.toThrow(codeOf('DEV_NOT_OUR_CARD'));
      expect(await r0.status()).toMatchObject({ device: 'online', media: 'present', retained: false, atr: null });
      expect(await h.foreignConnect(0)).toBe('connected'); // released: another application may take it
      expect(await other.readId()).toBe(PURSE_A); // the other reader's session is untouched
      await h.remove(0);
      await insertAndWait(r0, PURSE_B, 0);
      const next = new PurseCard(r0, new SeededRandom(5));
      await next.select();
      expect(await next.readId()).toBe(PURSE_B);
    });

    it('times out on an unresponsive card, reports it jammed, and recovers on removal', async () => {
      const r = await reader(0);
      await insertAndWait(r, PURSE_A, 0, 'unresponsive');
      const jammed = new Promise<CardReaderStatus>((resolve) => r.on('status', (s) => s.media === 'jammed' && resolve(s)));
      await expect(r.transmit(Buffer.from('00a4040009f05445535345524101', 'hex'), { timeoutMs: 300 })).rejects.toThrow(codeOf('DEV_TIMEOUT'));
      expect((await jammed).device).toBe('online');
      await expect(r.transmit(Buffer.from('8010000008', 'hex'))).rejects.toThrow(codeOf('DEV_TIMEOUT'));
      const removed = nextEvent(r, 'removed');
      await h.remove(0);
      await removed;
      expect(await r.status()).toMatchObject({ media: 'absent' });
      await insertAndWait(r, PURSE_B, 0);
      await new PurseCard(r, new SeededRandom(6)).select();
    });

    it('captures by keeping the exclusive lock and refuses further use', async () => {
      const r = await reader(0);
      await insertAndWait(r, PURSE_A, 0);
      expect(await r.capture()).toEqual({ retainedBy: 'lock' });
      expect(await r.status()).toMatchObject({ retained: true, media: 'present' });
      await expect(r.transmit(Buffer.from('8010000008', 'hex'))).rejects.toThrow(codeOf('DEV_CARD_RETAINED'));
      expect(await h.foreignConnect(0)).toBe('refused');
      const removed = nextEvent(r, 'removed');
      await h.remove(0);
      expect((await removed)[0]).toMatchObject({ wasRetained: true });
    });

    it('ejects by releasing the card; the card stays present until taken', async () => {
      const r = await reader(0);
      await insertAndWait(r, PURSE_A, 0);
      await r.eject();
      expect(await r.status()).toMatchObject({ media: 'present', atr: null });
      await expect(r.transmit(Buffer.from('8010000008', 'hex'))).rejects.toThrow(codeOf('DEV_NO_CARD'));
      expect(await h.foreignConnect(0)).toBe('connected');
    });

    it('fails calls after close with DEV_CLOSED; close is idempotent', async () => {
      const r = await reader(0);
      await r.close();
      await r.close();
      await expect(r.transmit(Buffer.from('8010000008', 'hex'))).rejects.toThrow(codeOf('DEV_CLOSED'));
      await expect(r.open()).rejects.toThrow(codeOf('DEV_CLOSED'));
    });

    it('goes offline when the service goes away and back online when it returns', async () => {
      const r = await reader(0);
      await insertAndWait(r, PURSE_A, 0);
      const removed = nextEvent(r, 'removed', 10_000);
      await h.killService();
      await removed;
      await eventually(async () => (await r.status()).device === 'offline', 10_000, 'offline');
      await expect(r.transmit(Buffer.from('8010000008', 'hex'))).rejects.toThrow(codeOf('DEV_READER_GONE'));
      await h.remove(0).catch(() => undefined);
      await h.restartService();
      await eventually(async () => (await r.status()).device === 'online', 10_000, 'online again');
      await insertAndWait(r, PURSE_A, 0);
      const purse = new PurseCard(r, new SeededRandom(8));
      await purse.select();
      expect(await purse.readId()).toBe(PURSE_A);
    });
  });
}
