import type { DeviceEvents, DeviceState } from './device-events.js';
import type { DevErrorCode } from './errors.js';

/** Where the card is, as XFS4IoT CardReader media status (reduced to what PC/SC can tell). */
export type MediaState = 'present' | 'absent' | 'jammed' | 'unknown';

export interface CardReaderStatus {
  readonly device: DeviceState;
  readonly media: MediaState;
  /** The card is retained: capture() held it (by exclusive lock on PC/SC). */
  readonly retained: boolean;
  /** The reader in use (matched by name pattern), or null while none is attached. */
  readonly readerName: string | null;
  /** ATR of the connected card, or null. */
  readonly atr: Buffer | null;
  /** The `insertion` of the connected card (see CardInserted), or null while none is connected. */
  readonly insertion: number | null;
}

export interface CardReaderCapabilities {
  /** The reader can physically retain a card. PC/SC readers report false (capture locks instead). */
  readonly captureSupported: boolean;
  /** The reader can physically push the card out. PC/SC readers report false (eject releases instead). */
  readonly ejectSupported: boolean;
}

export interface CardInserted {
  readonly readerName: string;
  readonly atr: Buffer;
  /** Monotonic ms (driver clock) when the card became usable for transmit. */
  readonly readyAtMs: number;
  /**
   * This insertion (this connection to this card), unique for the reader's
   * life. Passed as `{ insertion }` to transmit/eject/capture, it binds the
   * call to this card: once it left, the call is refused (DEV_CARD_REMOVED)
   * and never reaches a card inserted after it.
   */
  readonly insertion: number;
}

/** The options of a card operation bound to one insertion (CardInserted.insertion). */
export interface CardBinding {
  readonly insertion?: number;
}

/** What an application on the card (PurseCard, CashCard) needs of the reader: a CardReader, or a channel bound to one inserted card. */
export interface CardChannel {
  transmit(apdu: Buffer, options?: { readonly timeoutMs?: number }): Promise<Buffer>;
  eject(): Promise<void>;
}

export interface InvalidMedium {
  readonly readerName: string;
  /** DEV_CARD_MUTE: no ATR, or the card refused the connection. (A card without our application is
   * found one level up: PurseCard.select()/readId() reject with DEV_NOT_OUR_CARD and eject it.) */
  readonly code: DevErrorCode;
}

export interface CaptureResult {
  /** `lock`: the card is kept locked (exclusive) and unpowered-for-others; `physical`: the reader swallowed it. */
  readonly retainedBy: 'lock' | 'physical';
}

export interface CardReaderEventMap extends Record<string, unknown[]> {
  /** A card was inserted and is connected exclusively: transmit() may be called. */
  inserted: [CardInserted];
  /** The card left the reader (taken out, or the reader went away). Pending transmits fail with DEV_CARD_REMOVED. */
  removed: [{ readonly readerName: string; readonly wasRetained: boolean }];
  /** A card is in the reader but cannot be used (mute, or not ours). */
  invalidMedium: [InvalidMedium];
  /** Any change of device / media / retained state. */
  status: [CardReaderStatus];
}

/**
 * An IC card reader (XFS4IoT CardReader, reduced to contact chip cards).
 *
 * Contract (every implementation, checked by the card-reader contract suite):
 * - open() starts watching readers; it resolves once a reader matching the
 *   configured name pattern is attached (status online), or rejects with
 *   DEV_READER_NOT_FOUND after the open timeout. A card already present is
 *   reported with `inserted` after open() resolves.
 * - On insertion the driver connects to the card exclusively and then emits
 *   `inserted`; if the card gives no ATR or refuses the connection it emits
 *   `invalidMedium` with DEV_CARD_MUTE instead.
 * - transmit() sends one command APDU and resolves with the whole response
 *   (data + SW1 SW2; status words are not errors at this level). Transmits
 *   never overlap: a second call while one runs rejects with DEV_BUSY.
 *   No card: DEV_NO_CARD. Card removed before the answer: DEV_CARD_REMOVED.
 *   No answer within timeoutMs: DEV_TIMEOUT, and media becomes `jammed`
 *   until the card is removed. Reader/service gone: DEV_READER_GONE.
 *   Retained card: DEV_CARD_RETAINED. After close(): DEV_CLOSED.
 *   With `{ insertion }` (CardInserted.insertion) the call is for that card
 *   only: once it left (or was ejected) the call fails with DEV_CARD_REMOVED
 *   (eject/capture: eject resolves, the card being gone already) and never
 *   reaches a card inserted after it.
 * - eject() releases the card (PC/SC: disconnect, leaving it powered; physical
 *   eject where supported). The card stays `present` until the holder takes it; no
 *   further transmit is possible until it is re-inserted.
 * - capture() retains the card. A reader that cannot swallow cards keeps the
 *   exclusive lock (nobody else can use the card) and says so with
 *   `retainedBy: 'lock'` and `captureSupported: false`.
 * - The reader going away (detach, pcscd stopping) sets device `offline`,
 *   reports the card removed, and the driver retries until it returns.
 * - close() releases the card (unless retained: then it is released too,
 *   since the process ends), stops watching, and fails later calls with
 *   DEV_CLOSED. close() is idempotent.
 */
export interface CardReader extends DeviceEvents<CardReaderEventMap> {
  readonly capabilities: CardReaderCapabilities;
  open(): Promise<void>;
  close(): Promise<void>;
  status(): Promise<CardReaderStatus>;
  transmit(apdu: Buffer, options?: { readonly timeoutMs?: number } & CardBinding): Promise<Buffer>;
  eject(options?: CardBinding): Promise<void>;
  capture(options?: CardBinding): Promise<CaptureResult>;
}
