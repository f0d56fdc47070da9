/**
 * The bill-validator contract (terminal/devices/bill-validator.ts), run
 * against every implementation through a harness: the ccTalk driver on
 * serialport over a socat pty with the virtual validator answering on the
 * other end, and the same driver on the simulator's in-process ccTalk line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ValidatorModel } from '../../../sim/validator/validator-model.js';
import type { BillValidator, BillValidatorConfig, Note, NoteRejected, ValidatorFault } from '../../../terminal/devices/bill-validator.js';
import { eventually, nextEvent } from './wait.js';

export interface ValidatorRig {
  readonly driver: BillValidator;
  /** The simulated validator's state (customer and engineer actions). */
  readonly model: ValidatorModel;
  /** Pulls the cable (the line is lost) / plugs it back. */
  unplug(): Promise<void>;
  plug(): Promise<void>;
  /** The validator stops / resumes answering, the line staying up. */
  setMute(mute: boolean): void;
  stop(): Promise<void>;
}

export interface ValidatorHarness {
  /** A plugged simulated validator with NOTES and a driver for it (not opened yet). */
  rig(opts?: { cashBoxCapacity?: number }): Promise<ValidatorRig>;
  /** A driver for a line that does not exist. */
  missing(): BillValidator;
  /** Builds a driver with a config changed as given (to check validation). */
  build(config: Partial<BillValidatorConfig>): BillValidator;
}

/** The note table every rig is built with: JPY with country scaling 10, and a euro note that is not ours. */
export const NOTES = [
  { billType: 1, noteId: 'JP0100A' }, // 1000 yen
  { billType: 2, noteId: 'JP0500A' }, // 5000 yen
  { billType: 3, noteId: 'JP1000A' }, // 10000 yen
  { billType: 5, noteId: 'EU0005A' }, // another country: never enabled
];
export const SCALING = { JP: 10, EU: 100 };

const codeOf = (code: string) => expect.objectContaining({ code });

function collect(driver: BillValidator): { accepted: Note[]; escrow: Note[]; returned: Note[]; rejected: NoteRejected[]; faults: ValidatorFault[] } {
  const out = { accepted: [] as Note[], escrow: [] as Note[], returned: [] as Note[], rejected: [] as NoteRejected[], faults: [] as ValidatorFault[] };
  driver.on('accepted', (n) => out.accepted.push(n));
  driver.on('escrow', (n) => out.escrow.push(n));
  driver.on('returned', (n) => out.returned.push(n));
  driver.on('rejected', (r) => out.rejected.push(r));
  driver.on('fault', (f) => out.faults.push(f));
  return out;
}

export function describeBillValidatorContract(name: string, harness: ValidatorHarness): void {
  describe(`BillValidator contract: ${name}`, () => {
    const rigs: ValidatorRig[] = [];
    const rig = async (opts?: { cashBoxCapacity?: number }): Promise<ValidatorRig> => {
      const r = await harness.rig(opts);
      rigs.push(r);
      await r.driver.open();
      return r;
    };
    afterEach(async () => {
      await Promise.all(rigs.splice(0).map((r) => r.stop()));
    });

    /** Inserts a note and waits for its escrow event. */
    const toEscrow = async (r: ValidatorRig, noteId: string): Promise<Note> => {
      const escrow = nextEvent<[Note]>(r.driver, 'escrow');
      expect(r.model.insert(noteId)).toBe('escrow');
      return (await escrow)[0];
    };

    it('reads the note table of its country at open and starts disabled (a note is given back, inhibited)', async () => {
      const r = await rig();
      expect((await r.driver.noteTable()).map((n) => [n.billType, n.noteId, n.valueMinor, n.currency])).toEqual([
        [1, 'JP0100A', 1_000, 'JPY'],
        [2, 'JP0500A', 5_000, 'JPY'],
        [3, 'JP1000A', 10_000, 'JPY'],
      ]);
      expect(await r.driver.status()).toMatchObject({ device: 'online', enabled: false, escrow: null, cashBox: 'ok' });
      const rejected = nextEvent<[NoteRejected]>(r.driver, 'rejected');
      expect(r.model.insert('JP0100A')).toBe('inhibited');
      expect((await rejected)[0]).toEqual({ code: 'DEV_NOTE_INHIBITED', event: 0 });
      expect(r.model.cashBox.notes).toEqual([]);
    });

    it('holds a valid note in escrow; stack() puts it in the cash box and reports it accepted once', async () => {
      const r = await rig();
      const seen = collect(r.driver);
      await r.driver.enable();
      expect(r.model.enabled).toBe(true);
      const held = await toEscrow(r, 'JP1000A');
      expect(held).toMatchObject({ billType: 3, noteId: 'JP1000A', valueMinor: 10_000, currency: 'JPY' });
      expect((await r.driver.status()).escrow).toMatchObject({ noteId: 'JP1000A' });
      const stacked = await r.driver.stack();
      expect(stacked).toMatchObject({ noteId: 'JP1000A', valueMinor: 10_000 });
      expect(seen.accepted.map((n) => n.noteId)).toEqual(['JP1000A']);
      expect(r.model.cashBox.notes).toEqual(['JP1000A']);
      expect((await r.driver.status()).escrow).toBeNull();
      await toEscrow(r, 'JP0100A');
      await r.driver.stack();
      expect(seen.accepted.map((n) => n.valueMinor)).toEqual([10_000, 1_000]);
    });

    it('return() gives the note in escrow back: returned, nothing accepted, the cash box unchanged', async () => {
      const r = await rig();
      const seen = collect(r.driver);
      await r.driver.enable();
      await toEscrow(r, 'JP0500A');
      const back = await r.driver.return();
      expect(back).toMatchObject({ noteId: 'JP0500A', valueMinor: 5_000 });
      expect(seen.returned.map((n) => n.noteId)).toEqual(['JP0500A']);
      expect(seen.accepted).toEqual([]);
      expect(r.model.cashBox.notes).toEqual([]);
    });

    it('rejects an unknown note (DEV_NOTE_REJECTED) and a note of another country (DEV_NOTE_INHIBITED); disable() stops taking notes', async () => {
      const r = await rig();
      const seen = collect(r.driver);
      await r.driver.enable();
      expect(r.model.insert('XX9999Z')).toBe('rejected');
      expect(r.model.insert('EU0005A')).toBe('inhibited');
      await eventually(() => seen.rejected.length === 2, 5_000, 'two rejections');
      expect(seen.rejected).toEqual([
        { code: 'DEV_NOTE_REJECTED', event: 2 },
        { code: 'DEV_NOTE_INHIBITED', event: 4 },
      ]);
      await r.driver.disable();
      expect(r.model.enabled).toBe(false);
      expect(r.model.insert('JP0100A')).toBe('inhibited');
      await eventually(() => seen.rejected.length === 3, 5_000, 'the inhibited note');
      expect(seen.accepted).toEqual([]);
    });

    it('routes only a note in escrow (DEV_NO_NOTE_IN_ESCROW) and one at a time (DEV_BUSY)', async () => {
      const r = await rig();
      await r.driver.enable();
      await expect(r.driver.stack()).rejects.toThrow(codeOf('DEV_NO_NOTE_IN_ESCROW'));
      await expect(r.driver.return()).rejects.toThrow(codeOf('DEV_NO_NOTE_IN_ESCROW'));
      await toEscrow(r, 'JP0100A');
      const first = r.driver.stack();
      await expect(r.driver.return()).rejects.toThrow(codeOf('DEV_BUSY'));
      await expect(first).resolves.toMatchObject({ noteId: 'JP0100A' });
    });

    it('reports a note jammed in the transport, and a jam while stacking rejects stack() with DEV_NOTE_JAMMED', async () => {
      const r = await rig();
      const seen = collect(r.driver);
      await r.driver.enable();
      r.model.jamNext('transport');
      const fault = nextEvent<[ValidatorFault]>(r.driver, 'fault');
      expect(r.model.insert('JP0100A')).toBe('jammed');
      expect((await fault)[0]).toEqual({ code: 'DEV_NOTE_JAMMED', event: 16 });
      expect(r.model.insert('JP0100A')).toBe('out-of-service');
      r.model.clearJam();
      await toEscrow(r, 'JP0500A');
      r.model.jamNext('stacker');
      await expect(r.driver.stack()).rejects.toThrow(codeOf('DEV_NOTE_JAMMED'));
      expect(seen.faults.map((f) => [f.code, f.event])).toEqual([
        ['DEV_NOTE_JAMMED', 16],
        ['DEV_NOTE_JAMMED', 7],
      ]);
      expect(seen.accepted).toEqual([]);
    });

    it('reports the cash box full when the last note fills it, and gives further notes back', async () => {
      const r = await rig({ cashBoxCapacity: 3 });
      const seen = collect(r.driver);
      await r.driver.enable();
      r.model.fillCashBox(2);
      await toEscrow(r, 'JP1000A');
      const full = nextEvent<[ValidatorFault]>(r.driver, 'fault');
      await r.driver.stack();
      expect((await full)[0]).toEqual({ code: 'DEV_CASHBOX_FULL', event: 14 });
      expect((await r.driver.status()).cashBox).toBe('full');
      expect(r.model.insert('JP0100A')).toBe('cash-box-full');
      await eventually(() => seen.faults.length === 2, 5_000, 'a second cash-box-full');
      expect(seen.accepted).toHaveLength(1);
    });

    it('reports the cash box removed and back, and a fraud attempt', async () => {
      const r = await rig();
      const seen = collect(r.driver);
      const states: string[] = [];
      r.driver.on('cashBox', (c) => states.push(`${c.state}:${c.code}`));
      await r.driver.enable();
      r.model.removeCashBox();
      await eventually(() => states.length === 1, 5_000, 'cash box removed');
      expect((await r.driver.status()).cashBox).toBe('removed');
      r.model.insertCashBox();
      await eventually(() => states.length === 2, 5_000, 'cash box back');
      expect(states).toEqual(['removed:DEV_CASHBOX_REMOVED', 'ok:null']);
      expect(r.model.insert('JP0100A', { fraud: 'string' })).toBe('fraud');
      await eventually(() => seen.faults.length === 2, 5_000, 'the fraud attempt');
      expect(seen.faults.map((f) => [f.code, f.event])).toEqual([
        ['DEV_CASHBOX_REMOVED', 11],
        ['DEV_NOTE_FRAUD', 18],
      ]);
    });

    it('reports events lost when more than 5 happen between two polls', async () => {
      const r = await rig();
      const seen = collect(r.driver);
      await r.driver.enable();
      for (let i = 0; i < 7; i++) r.model.insert('XX0000Z'); // synchronously: no poll in between
      await eventually(() => seen.rejected.length === 5, 5_000, 'the 5 buffered events');
      expect(seen.faults).toEqual([{ code: 'DEV_VALIDATOR_EVENTS_LOST', event: null, details: { lost: 2 } }]);
    });

    it('goes offline when the cable is pulled (a route in progress fails), and back online enabled when it returns', async () => {
      const r = await rig();
      const seen = collect(r.driver);
      await r.driver.enable();
      await toEscrow(r, 'JP0100A');
      r.setMute(true); // the route request is never answered before the cable goes
      const stacking = r.driver.stack().then(
        () => 'stacked',
        (e: unknown) => e,
      ); // it fails while the cable is being pulled, before the await below
      const offline = nextEvent(r.driver, 'status');
      await r.unplug();
      expect(await stacking).toEqual(codeOf('DEV_PORT_GONE'));
      expect((await offline)[0]).toEqual({ device: 'offline', code: 'DEV_PORT_GONE' });
      r.setMute(false);
      r.model.powerCycle(); // the validator lost power with its cable: it must be configured again
      r.model.insertCashBox({ emptied: true });
      const online = nextEvent(r.driver, 'status', 10_000);
      await r.plug();
      expect((await online)[0]).toEqual({ device: 'online', code: null });
      expect(r.model.enabled).toBe(true);
      await toEscrow(r, 'JP0500A');
      await r.driver.stack();
      expect(seen.accepted.map((n) => n.noteId)).toEqual(['JP0500A']);
    });

    it('goes offline with DEV_TIMEOUT while the validator is silent, online when it answers; reconfigures it after a reset', async () => {
      const r = await rig();
      await r.driver.enable();
      const offline = nextEvent(r.driver, 'status');
      r.setMute(true);
      expect((await offline)[0]).toEqual({ device: 'offline', code: 'DEV_TIMEOUT' });
      const online = nextEvent(r.driver, 'status');
      r.setMute(false);
      expect((await online)[0]).toEqual({ device: 'online', code: null });
      r.model.powerCycle();
      expect(r.model.enabled).toBe(false);
      await eventually(() => r.model.enabled, 5_000, 'the driver enabling the reset validator again');
      await toEscrow(r, 'JP0100A');
      await expect(r.driver.stack()).resolves.toMatchObject({ noteId: 'JP0100A' });
    });

    it('rejects opening a missing line with DEV_PORT_GONE and a bad config with DEV_BAD_ARGUMENT', async () => {
      await expect(harness.missing().open()).rejects.toThrow(codeOf('DEV_PORT_GONE'));
      expect(() => harness.build({ baudRate: 12_345 })).toThrow(codeOf('DEV_BAD_ARGUMENT'));
      expect(() => harness.build({ address: 1 })).toThrow(codeOf('DEV_BAD_ARGUMENT'));
      expect(() => harness.build({ country: 'jp' })).toThrow(codeOf('DEV_BAD_ARGUMENT'));
      expect(() => harness.build({ currency: 'yen' })).toThrow(codeOf('DEV_BAD_ARGUMENT'));
    });

    it('stops emitting after close; close is idempotent; open after close is DEV_CLOSED', async () => {
      const r = await rig();
      await r.driver.enable();
      const seen = collect(r.driver);
      await r.driver.close();
      await r.driver.close();
      r.model.insert('JP0100A');
      await new Promise((res) => setTimeout(res, 500));
      expect(seen.escrow).toEqual([]);
      await expect(r.driver.open()).rejects.toThrow(codeOf('DEV_CLOSED'));
      await expect(r.driver.stack()).rejects.toThrow(codeOf('DEV_CLOSED'));
    });
  });
}
