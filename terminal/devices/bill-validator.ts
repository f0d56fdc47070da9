import type { DeviceEvents, DeviceState } from './device-events.js';
import type { DevErrorCode } from './errors.js';

export interface BillValidatorConfig {
  /** Serial device path (e.g. /dev/ttyUSB0, or the sim's pty link). */
  readonly path: string;
  /** ccTalk runs at 9600 baud 8N1; some validators take other rates. */
  readonly baudRate: number;
  /** ccTalk address of the validator (2-255; bill validators ship at 40). The host is address 1. */
  readonly address: number;
  /** Two-letter country code of the notes taken (the first two characters of a ccTalk bill id, e.g. `JP`, `EU`). */
  readonly country: string;
  /** ISO 4217 currency of those notes (e.g. `JPY`); amounts are integer minor units of it. */
  readonly currency: string;
}

/** One note type the validator knows (ccTalk header 157 bill id and header 156 scaling). */
export interface NoteType {
  /** ccTalk bill type (1-16). */
  readonly billType: number;
  /** ccTalk bill id: country (2), value code (4 digits), issue (1), e.g. `JP1000A`. */
  readonly noteId: string;
  /** value code × country scaling factor, in minor units of `currency`. */
  readonly valueMinor: number;
  readonly currency: string;
}

/** A note: held in escrow, stacked in the cash box, or returned. */
export interface Note extends NoteType {
  /** Monotonic ms (driver clock) when the driver saw the event. */
  readonly atMs: number;
}

/** A note given back to the customer without being taken (never in escrow, never in the cash box). */
export interface NoteRejected {
  /** DEV_NOTE_REJECTED (not recognised) or DEV_NOTE_INHIBITED (validator disabled, type not accepted). */
  readonly code: DevErrorCode;
  /** The ccTalk event (result B of header 159, result A 0) it came from. */
  readonly event: number;
}

/** Something the operator must see: a jam, a full or removed cash box, a fraud attempt, a fault, lost events. */
export interface ValidatorFault {
  /** DEV_NOTE_JAMMED, DEV_CASHBOX_FULL, DEV_CASHBOX_REMOVED, DEV_NOTE_FRAUD, DEV_VALIDATOR_FAULT, DEV_VALIDATOR_EVENTS_LOST. */
  readonly code: DevErrorCode;
  /** The ccTalk event (result B) it came from, or null when the driver found it (lost events, a refused route). */
  readonly event: number | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type CashBoxState = 'ok' | 'full' | 'removed';

export interface BillValidatorStatus {
  readonly device: DeviceState;
  readonly path: string;
  /** Whether notes are being taken (enable() called and not disabled since). */
  readonly enabled: boolean;
  /** The note held in escrow, waiting for stack() or return(). */
  readonly escrow: Note | null;
  readonly cashBox: CashBoxState;
}

export interface BillValidatorEventMap extends Record<string, unknown[]> {
  /** A note was validated and is held in escrow: the caller decides, stack() or return(). */
  escrow: [Note];
  /** A note went into the cash box: the money is taken. Emitted once per note, whoever routed it. */
  accepted: [Note];
  /** The note in escrow went back to the customer (return(), or the validator's own escrow timeout). */
  returned: [Note];
  /** A note was given back without being taken. */
  rejected: [NoteRejected];
  /** A jam, cash box full / removed, fraud attempt, hardware fault or lost events. */
  fault: [ValidatorFault];
  /** The cash box state changed (removed, back, full). */
  cashBox: [{ readonly state: CashBoxState; readonly code: DevErrorCode | null }];
  /** The port went away or the validator went silent (DEV_PORT_GONE, DEV_TIMEOUT), or came back. */
  status: [{ readonly device: DeviceState; readonly code: DevErrorCode | null }];
}

/**
 * A bill (banknote) validator with an escrow position and a cash box.
 *
 * Contract (checked by the bill-validator contract suite):
 * - open() opens the port and reads the note table; it rejects with
 *   DEV_PORT_GONE if the port does not exist. The validator starts disabled:
 *   a note inserted then is given back (`rejected` DEV_NOTE_INHIBITED).
 * - enable() makes it take the note types of the configured country;
 *   disable() stops it. Both resolve once the validator confirmed.
 * - A valid note goes to escrow (`escrow`). stack() moves it to the cash box
 *   and resolves with it once the validator reports it stacked (`accepted`
 *   is emitted too); return() gives it back (`returned`). Either without a
 *   note in escrow rejects DEV_NO_NOTE_IN_ESCROW; one arriving while another
 *   route runs rejects DEV_BUSY. A jam while stacking rejects DEV_NOTE_JAMMED.
 * - Every note the validator stacks is reported by exactly one `accepted`,
 *   in order; a note it did not recognise is `rejected` DEV_NOTE_REJECTED.
 * - Faults are `fault` events with a code: DEV_NOTE_JAMMED, DEV_CASHBOX_FULL,
 *   DEV_CASHBOX_REMOVED, DEV_NOTE_FRAUD, DEV_VALIDATOR_FAULT,
 *   DEV_VALIDATOR_EVENTS_LOST. The cash box state is in status().
 * - Port disappearing (cable pulled): status offline with DEV_PORT_GONE, a
 *   route in progress rejects DEV_PORT_GONE, the driver retries and goes
 *   online again when the port returns, restoring enabled/disabled.
 * - close() closes the port, stops polling and retrying, and is idempotent;
 *   nothing is emitted after it resolved and open() then rejects DEV_CLOSED.
 */
export interface BillValidator extends DeviceEvents<BillValidatorEventMap> {
  open(): Promise<void>;
  close(): Promise<void>;
  enable(): Promise<void>;
  disable(): Promise<void>;
  /** Moves the note in escrow to the cash box; resolves with it once stacked. */
  stack(): Promise<Note>;
  /** Gives the note in escrow back; resolves with it once returned. */
  return(): Promise<Note>;
  /** The note types the validator takes (read at open). */
  noteTable(): Promise<readonly NoteType[]>;
  status(): Promise<BillValidatorStatus>;
}
