import { TesseraError } from '../../core/errors.js';
import { CCTALK, ROUTE } from '../../terminal/devices/serial/cctalk-frame.js';

/** One programmed note type: ccTalk bill type (1-16) and bill id (`JP1000A`: country, 4-digit value code, issue). */
export interface SimNoteType {
  readonly billType: number;
  readonly noteId: string;
}

export interface ValidatorModelOptions {
  /** The note table (header 157); types not listed answer `.......` (not programmed). */
  readonly notes: readonly SimNoteType[];
  /** Country scaling factor (header 156) per country code: value code × factor = minor units. Default 1. */
  readonly scaling?: Readonly<Record<string, number>>;
  /** Notes the cash box holds before it reports full. */
  readonly cashBoxCapacity?: number;
}

export type InsertResult = 'escrow' | 'stacked' | 'rejected' | 'inhibited' | 'jammed' | 'fraud' | 'cash-box-full' | 'cash-box-removed' | 'out-of-service';

export type Fraud = 'string' | 'opto' | 'pulled-back';

/** ccTalk "Bill Validator Event Codes" (result A 0), the ones the model raises; see terminal/devices/serial/cctalk-bill-events.ts. */
const EV = { MASTER_INHIBIT: 0, RETURNED: 1, INVALID: 2, INHIBITED: 4, JAM_STACKER: 7, PULLED_BACK: 8, STACKER_OK: 10, STACKER_REMOVED: 11, STACKER_INSERTED: 12, STACKER_FULL: 14, JAM_TRANSPORT_SAFE: 16, OPTO_FRAUD: 17, STRING_FRAUD: 18 } as const;
const FRAUD_EVENT: Readonly<Record<Fraud, number>> = { string: EV.STRING_FRAUD, opto: EV.OPTO_FRAUD, 'pulled-back': EV.PULLED_BACK };
const EVENT_BUFFER = 5;

export interface Reply {
  readonly header: number;
  readonly data: Buffer;
}

/**
 * A ccTalk bill validator's state and its answers to ccTalk requests, per
 * instance: note table, inhibit masks, master inhibit, operating mode, the
 * note in escrow, the 5-deep event buffer with its counter, the cash box
 * (count, capacity, present), and a jam. The customer and the operator act
 * through insert(), jamNext(), removeCashBox()...; the host through
 * handle(header, data), which answers as the ccTalk Generic Specification
 * part 3 says (null: no reply, as a slave does for a header it lacks).
 */
export class ValidatorModel {
  private readonly notes: Map<number, string>;
  private readonly scaling: Readonly<Record<string, number>>;
  private readonly capacity: number;
  private masterEnabled = false;
  private inhibitMask = 0;
  private mode = 0;
  private escrowType: number | null = null;
  private counter = 0;
  /** Newest first, at most 5: [result A, result B]. */
  private events: Array<[number, number]> = [];
  private stacked: number[] = [];
  private cashBoxPresent = true;
  private jamOnNext: 'transport' | 'stacker' | null = null;
  private jammed = false;

  constructor(o: ValidatorModelOptions) {
    this.notes = new Map();
    for (const n of o.notes) {
      if (!Number.isInteger(n.billType) || n.billType < 1 || n.billType > 16 || !/^[A-Z]{2}[0-9]{4}[A-Z]$/.test(n.noteId)) {
        throw new TesseraError('SIM_BAD_COMMAND', 'a note type is bill type 1-16 with a bill id like JP1000A', { billType: n.billType });
      }
      this.notes.set(n.billType, n.noteId);
    }
    this.scaling = o.scaling ?? {};
    this.capacity = o.cashBoxCapacity ?? 500;
  }

  // ---------------------------------------------------------------- what people do

  /** A customer inserts a note (its bill id; one not in the table is not recognised). */
  insert(noteId: string, opts: { fraud?: Fraud } = {}): InsertResult {
    if (this.jammed) return 'out-of-service';
    if (!this.masterEnabled) return this.raise(0, EV.MASTER_INHIBIT, 'inhibited');
    const billType = [...this.notes].find(([, id]) => id === noteId)?.[0];
    if (billType === undefined) return this.raise(0, EV.INVALID, 'rejected');
    if ((this.inhibitMask & (1 << (billType - 1))) === 0) return this.raise(0, EV.INHIBITED, 'inhibited');
    if (opts.fraud) return this.raise(0, FRAUD_EVENT[opts.fraud], 'fraud');
    if (!this.cashBoxPresent) return this.raise(0, EV.STACKER_REMOVED, 'cash-box-removed');
    if (this.stacked.length >= this.capacity) return this.raise(0, EV.STACKER_FULL, 'cash-box-full');
    if (this.jamOnNext === 'transport') {
      this.jamOnNext = null;
      this.jammed = true;
      return this.raise(0, EV.JAM_TRANSPORT_SAFE, 'jammed');
    }
    if (this.mode & 0b10) {
      this.escrowType = billType;
      return this.raise(billType, 1, 'escrow');
    }
    return this.stack(billType) ? 'stacked' : 'jammed';
  }

  /** The next note jams: in the transport (on insertion) or in the stacker (when stacked). */
  jamNext(where: 'transport' | 'stacker' = 'transport'): void {
    this.jamOnNext = where;
  }

  /** An engineer clears the jam. */
  clearJam(): void {
    this.jammed = false;
    this.jamOnNext = null;
  }

  /** Power cycle: the event counter restarts at 0 and the host's settings are lost (the driver must configure it again). */
  powerCycle(): void {
    this.reset();
  }

  removeCashBox(): void {
    if (!this.cashBoxPresent) return;
    this.cashBoxPresent = false;
    this.raise(0, EV.STACKER_REMOVED, null);
  }

  /** Puts the cash box back; `emptied` (the collector's case) leaves it empty. Returns the notes it held if emptied. */
  insertCashBox(opts: { emptied?: boolean } = {}): readonly string[] {
    const taken = opts.emptied ? this.stacked.map((t) => this.notes.get(t)!) : [];
    if (opts.emptied) this.stacked = [];
    if (!this.cashBoxPresent) {
      this.cashBoxPresent = true;
      this.raise(0, EV.STACKER_INSERTED, null);
    }
    return taken;
  }

  /** Fills the cash box to `notes` notes of the first type (a test shortcut for "almost full"). */
  fillCashBox(notes: number): void {
    const first = [...this.notes.keys()][0] ?? 1;
    this.stacked = Array.from({ length: Math.min(notes, this.capacity) }, () => first);
  }

  get cashBox(): { readonly present: boolean; readonly notes: readonly string[]; readonly capacity: number } {
    return { present: this.cashBoxPresent, notes: this.stacked.map((t) => this.notes.get(t) ?? '?'), capacity: this.capacity };
  }

  get enabled(): boolean {
    return this.masterEnabled && this.inhibitMask !== 0;
  }

  get inEscrow(): string | null {
    return this.escrowType === null ? null : this.notes.get(this.escrowType)!;
  }

  // ---------------------------------------------------------------- ccTalk

  handle(header: number, data: Buffer): Reply | null {
    const ack = (bytes: number[] | Buffer = []): Reply => ({ header: CCTALK.ACK, data: Buffer.from(bytes) });
    const nak: Reply = { header: CCTALK.NAK, data: Buffer.alloc(0) };
    switch (header) {
      case CCTALK.SIMPLE_POLL:
        return ack();
      case CCTALK.REQUEST_EQUIPMENT_CATEGORY:
        return ack(Buffer.from('Bill Validator', 'latin1'));
      case CCTALK.RESET_DEVICE:
        this.reset();
        return ack();
      case CCTALK.READ_BUFFERED_BILL_EVENTS: {
        const out = [this.counter];
        for (let i = 0; i < EVENT_BUFFER; i++) out.push(...(this.events[i] ?? [0, 0]));
        return ack(out);
      }
      case CCTALK.MODIFY_INHIBIT_STATUS:
        if (data.length !== 2) return nak;
        this.inhibitMask = data[0]! | (data[1]! << 8);
        return ack();
      case CCTALK.MODIFY_MASTER_INHIBIT:
        if (data.length !== 1) return nak;
        this.masterEnabled = (data[0]! & 1) === 1;
        return ack();
      case CCTALK.REQUEST_MASTER_INHIBIT:
        return ack([this.masterEnabled ? 1 : 0]);
      case CCTALK.MODIFY_BILL_OPERATING_MODE:
        if (data.length !== 1) return nak;
        this.mode = data[0]! & 0b11;
        return ack();
      case CCTALK.REQUEST_BILL_ID:
        if (data.length !== 1) return nak;
        return ack(Buffer.from(this.notes.get(data[0]!) ?? '.......', 'latin1'));
      case CCTALK.REQUEST_COUNTRY_SCALING: {
        if (data.length !== 2) return nak;
        const country = data.toString('latin1');
        const known = [...this.notes.values()].some((id) => id.startsWith(country));
        const factor = known ? (this.scaling[country] ?? 1) : 0;
        return ack([factor & 0xff, factor >> 8, 0]);
      }
      case CCTALK.ROUTE_BILL:
        if (data.length !== 1) return nak;
        return this.routeBill(data[0]!);
      default:
        return null;
    }
  }

  private routeBill(code: number): Reply {
    const ack = (bytes: number[] = []): Reply => ({ header: CCTALK.ACK, data: Buffer.from(bytes) });
    if (code === ROUTE.EXTEND_ESCROW) return ack();
    const billType = this.escrowType;
    if (billType === null) return ack([ROUTE.ERR_ESCROW_EMPTY]);
    this.escrowType = null;
    if (code === ROUTE.RETURN) {
      this.raise(0, EV.RETURNED, null);
      return ack();
    }
    if (code !== ROUTE.STACK) {
      this.escrowType = billType;
      return ack([ROUTE.ERR_FAILED]);
    }
    this.stack(billType);
    return ack();
  }

  /** Stacks a note: credit event, and stacker full once it reaches capacity; a stacker jam instead if one is due. */
  private stack(billType: number): boolean {
    if (this.jamOnNext === 'stacker') {
      this.jamOnNext = null;
      this.jammed = true;
      this.raise(0, EV.JAM_STACKER, null);
      return false;
    }
    this.stacked.push(billType);
    this.raise(billType, 0, null);
    if (this.stacked.length >= this.capacity) this.raise(0, EV.STACKER_FULL, null);
    return true;
  }

  private reset(): void {
    this.counter = 0;
    this.events = [];
    this.escrowType = null;
    this.masterEnabled = false;
    this.inhibitMask = 0;
    this.mode = 0;
  }

  /** Adds an event to the buffer (newest first); the counter runs 1-255 and wraps to 1. */
  private raise<T>(a: number, b: number, result: T): T {
    this.counter = this.counter === 255 ? 1 : this.counter + 1;
    this.events.unshift([a, b]);
    this.events.length = Math.min(this.events.length, EVENT_BUFFER);
    return result;
  }
}
