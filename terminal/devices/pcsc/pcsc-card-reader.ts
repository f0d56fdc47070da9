import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../../../core/clock.js';
import { silentLogger, type Logger } from '../../../core/log.js';
import type { TesseraError } from '../../../core/errors.js';
import { DEVICE_LIMITS } from '../../limits.js';
import type {
  CaptureResult,
  CardBinding,
  CardReader,
  CardReaderCapabilities,
  CardReaderEventMap,
  CardReaderStatus,
  MediaState,
} from '../card-reader.js';
import type { DeviceState } from '../device-events.js';
import { devError, type DevErrorCode } from '../errors.js';
import { smartcardBinding, type PcscBinding, type PcscCard, type PcscContext, type PcscMonitorEvent } from './pcsc-binding.js';
import { classifyPcscError } from './pcsc-error-map.js';

export interface PcscCardReaderOptions {
  /** Reader name pattern: the first attached reader whose name matches is used. */
  readonly readerPattern: RegExp | string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly transmitTimeoutMs?: number;
  readonly openTimeoutMs?: number;
  readonly binding?: PcscBinding;
}

interface InFlight {
  fail(error: TesseraError): void;
}

/**
 * CardReader over PC/SC (pcsc-lite through the `smartcard` binding).
 * A native monitor thread reports reader attach/detach and card
 * insert/remove; the driver connects exclusively on insertion (that lock is
 * also how capture() retains a card: PC/SC readers cannot swallow cards).
 * When the service goes away the monitor is restarted every readerRetryMs.
 *
 * States: device `online` with a matching reader, `busy` during a transmit,
 * `offline` while no matching reader (or no service) is there. pcsc-lite
 * gives no separate hardware-fault signal, so `hardwareError` is never
 * reported; a card that stops answering shows as media `jammed`.
 * Only asynchronous PC/SC calls (connect, transmit) may involve the card:
 * disconnects use SCARD_LEAVE_CARD, so a virtual card served by this same
 * process (tests, `tessera demo`) is never starved by a blocking call.
 */
export class PcscCardReader extends EventEmitter<CardReaderEventMap> implements CardReader {
  readonly capabilities: CardReaderCapabilities = { captureSupported: false, ejectSupported: false };
  private readonly pattern: RegExp;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly binding: PcscBinding;
  private readonly transmitTimeoutMs: number;
  private ctx: PcscContext | null = null;
  private monitor: ReturnType<PcscBinding['createMonitor']> | null = null;
  private retryTimer: TimerHandle | null = null;
  /** Why the last PC/SC context could not be made (pcscd not reachable), or null. */
  private pcscUnavailable: string | null = null;
  private readerName: string | null = null;
  private card: PcscCard | null = null;
  private atr: Buffer | null = null;
  /** The connected card's insertion number (CardInserted.insertion), or null; `insertions` counts them. */
  private cardInsertion: number | null = null;
  private insertions = 0;
  private device: DeviceState = 'offline';
  private media: MediaState = 'unknown';
  private retained = false;
  private generation = 0;
  private inFlight: InFlight | null = null;
  /**
   * The native transmit still running (it outlives a DEV_TIMEOUT). pcsc-lite
   * serialises calls per context, so disconnecting or closing the context
   * while it runs would block the event loop: both wait for it to settle.
   */
  private nativePending: Promise<unknown> | null = null;
  private closed = false;
  private readonly attachWaiters = new Set<() => void>();

  constructor(private readonly options: PcscCardReaderOptions) {
    super();
    this.pattern = typeof options.readerPattern === 'string' ? new RegExp(options.readerPattern) : options.readerPattern;
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.binding = options.binding ?? smartcardBinding;
    this.transmitTimeoutMs = options.transmitTimeoutMs ?? DEVICE_LIMITS.transmitTimeoutMsDefault;
  }

  async open(): Promise<void> {
    if (this.closed) throw devError('DEV_CLOSED', 'reader closed');
    const attached = new Promise<boolean>((resolve) => {
      const timeoutMs = this.options.openTimeoutMs ?? DEVICE_LIMITS.readerOpenTimeoutMs;
      const timer = this.clock.setTimer(timeoutMs, () => done(false));
      const done = (ok: boolean): void => {
        timer.cancel();
        this.attachWaiters.delete(onAttach);
        resolve(ok);
      };
      const onAttach = (): void => done(true);
      this.attachWaiters.add(onAttach);
    });
    this.startMonitor();
    if (await attached) return;
    if (this.pcscUnavailable !== null) {
      throw devError('DEV_READER_NOT_FOUND', 'no PC/SC service reachable (is pcscd running? is PCSCLITE_CSOCK_NAME right?)', { pattern: this.pattern.source, pcsc: this.pcscUnavailable });
    }
    throw devError('DEV_READER_NOT_FOUND', 'no reader matches the pattern', { pattern: this.pattern.source });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.retryTimer?.cancel();
    this.inFlight?.fail(devError('DEV_CLOSED', 'reader closed during transmit'));
    this.releaseCard(this.binding.LEAVE_CARD);
    this.stopMonitor();
    this.removeAllListeners();
  }

  async status(): Promise<CardReaderStatus> {
    return this.snapshot();
  }

  private snapshot(): CardReaderStatus {
    return { device: this.device, media: this.media, retained: this.retained, readerName: this.readerName, atr: this.atr, insertion: this.cardInsertion };
  }

  private emitStatus(): void {
    if (!this.closed) this.emit('status', this.snapshot());
  }

  // ---------------------------------------------------------------- monitor

  private startMonitor(): void {
    if (this.closed) return;
    try {
      this.ctx = this.binding.createContext();
      const monitor = this.binding.createMonitor();
      monitor.start((event) => this.onMonitorEvent(monitor, event));
      this.monitor = monitor;
      this.pcscUnavailable = null;
    } catch (e) {
      // Once per outage at warn (the operator must see it), then every retry at debug.
      if (this.pcscUnavailable === null) this.log.warn({ err: String(e) }, 'pc/sc service not reachable (pcscd not running?); retrying');
      else this.log.debug({ err: String(e) }, 'pc/sc not available, retrying');
      this.pcscUnavailable = e instanceof Error ? e.message : String(e);
      this.stopMonitor();
      this.scheduleRetry();
    }
  }

  private stopMonitor(): void {
    const monitor = this.monitor;
    const ctx = this.ctx;
    this.monitor = null;
    this.ctx = null;
    try {
      monitor?.stop();
    } catch {
      // already stopped
    }
    this.afterNative(() => {
      try {
        ctx?.close();
      } catch {
        // context died with the service
      }
    });
  }

  /** Runs fn now, or once the pending native transmit settled. */
  private afterNative(fn: () => void): void {
    if (this.nativePending) void this.nativePending.then(fn, fn);
    else fn();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = this.clock.setTimer(DEVICE_LIMITS.readerRetryMs, () => {
      this.retryTimer = null;
      this.startMonitor();
    });
  }

  private onMonitorEvent(monitor: unknown, event: PcscMonitorEvent): void {
    if (this.closed || monitor !== this.monitor) return;
    const ours = event.reader === this.readerName;
    switch (event.type) {
      case 'reader-attached':
        if (this.readerName === null && this.pattern.test(event.reader)) this.onReaderAttached(event);
        return;
      case 'reader-detached':
        if (ours) this.onReaderGone('reader detached');
        return;
      case 'card-inserted':
        if (ours) this.onCardPresent(event.state, event.atr);
        return;
      case 'card-removed':
        if (ours) this.onCardAbsent();
        return;
      case 'error':
        // The monitor's context is dead (pcscd stopped): start over.
        this.log.warn({ reason: event.reader }, 'pc/sc monitor error; restarting');
        this.onReaderGone(event.reader);
        this.stopMonitor();
        this.scheduleRetry();
        return;
    }
  }

  private onReaderAttached(event: PcscMonitorEvent): void {
    this.readerName = event.reader;
    this.device = 'online';
    this.media = 'absent';
    this.emitStatus();
    for (const waiter of [...this.attachWaiters]) waiter();
    if ((event.state & this.binding.STATE_PRESENT) !== 0) this.onCardPresent(event.state, event.atr);
  }

  private onReaderGone(reason: string): void {
    if (this.readerName === null) return;
    if (this.media !== 'absent') this.onCardAbsent(devError('DEV_READER_GONE', `reader gone: ${reason}`));
    this.readerName = null;
    this.device = 'offline';
    this.media = 'unknown';
    this.emitStatus();
  }

  // ---------------------------------------------------------------- card presence

  private onCardPresent(state: number, atr: Buffer | null): void {
    const readerName = this.readerName;
    if (readerName === null) return;
    const generation = ++this.generation;
    this.media = 'present';
    this.emitStatus();
    if ((state & this.binding.STATE_MUTE) !== 0 || !atr || atr.length === 0) {
      this.emit('invalidMedium', { readerName, code: 'DEV_CARD_MUTE' });
      return;
    }
    void this.connectCard(readerName, generation);
  }

  private async connectCard(readerName: string, generation: number): Promise<void> {
    try {
      const reader = this.ctx?.listReaders().find((r) => r.name === readerName);
      if (!reader) throw new Error('reader unavailable');
      const connecting = reader.connect(this.binding.SHARE_EXCLUSIVE, this.binding.PROTOCOLS);
      const lateCard = (c: PcscCard): void => safeDisconnect(c, this.binding.LEAVE_CARD);
      const card = await withTimeout(this.clock, connecting, DEVICE_LIMITS.cardConnectTimeoutMs, lateCard);
      if (generation !== this.generation || this.closed) {
        safeDisconnect(card, this.binding.LEAVE_CARD);
        return;
      }
      this.card = card;
      this.atr = card.atr ?? reader.atr;
      const insertion = ++this.insertions;
      this.cardInsertion = insertion;
      this.emitStatus();
      this.emit('inserted', { readerName, atr: this.atr ?? Buffer.alloc(0), readyAtMs: this.clock.monoMs(), insertion });
    } catch (e) {
      if (generation !== this.generation || this.closed) return;
      this.log.info({ reader: readerName, failure: classifyPcscError(e) }, 'card connect failed');
      this.emit('invalidMedium', { readerName, code: 'DEV_CARD_MUTE' });
    }
  }

  private onCardAbsent(reason: TesseraError = devError('DEV_CARD_REMOVED', 'card removed')): void {
    const readerName = this.readerName;
    this.generation += 1;
    const wasRetained = this.retained;
    this.retained = false;
    this.inFlight?.fail(reason.code === 'DEV_READER_GONE' ? reason : devError('DEV_CARD_REMOVED', 'card removed during transmit'));
    this.releaseCard(this.binding.LEAVE_CARD);
    this.media = 'absent';
    this.emitStatus();
    if (readerName !== null && !this.closed) this.emit('removed', { readerName, wasRetained });
  }

  private releaseCard(disposition: number): void {
    const card = this.card;
    this.card = null;
    this.atr = null;
    this.cardInsertion = null;
    if (card) this.afterNative(() => safeDisconnect(card, disposition));
  }

  // ---------------------------------------------------------------- operations

  private checkUsable(binding: CardBinding): PcscCard {
    if (this.closed) throw devError('DEV_CLOSED', 'reader closed');
    if (!this.isBoundCard(binding)) throw devError('DEV_CARD_REMOVED', 'the card this exchange is for has left the reader', { insertion: binding.insertion });
    if (this.device === 'offline') throw devError('DEV_READER_GONE', 'no reader attached');
    if (this.retained) throw devError('DEV_CARD_RETAINED', 'card is retained');
    if (this.inFlight) throw devError('DEV_BUSY', 'a transmit is already running');
    if (this.media === 'jammed') throw devError('DEV_TIMEOUT', 'card is jammed (did not answer); remove it');
    if (!this.card) throw devError('DEV_NO_CARD', 'no card connected');
    return this.card;
  }

  /** No binding, or the binding names the card connected now. */
  private isBoundCard(binding: CardBinding): boolean {
    return binding.insertion === undefined || binding.insertion === this.cardInsertion;
  }

  async transmit(apdu: Buffer, options: { readonly timeoutMs?: number } & CardBinding = {}): Promise<Buffer> {
    const card = this.checkUsable(options);
    const timeoutMs = options.timeoutMs ?? this.transmitTimeoutMs;
    if (apdu.length < 4 || apdu.length > DEVICE_LIMITS.apduBytesMax) throw devError('DEV_BAD_ARGUMENT', 'APDU length out of range', { length: apdu.length });
    if (!(timeoutMs > 0 && timeoutMs <= DEVICE_LIMITS.transmitTimeoutMsMax)) throw devError('DEV_BAD_ARGUMENT', 'timeoutMs out of range', { timeoutMs });
    return this.exchange(card, apdu, timeoutMs);
  }

  private exchange(card: PcscCard, apdu: Buffer, timeoutMs: number): Promise<Buffer> {
    const generation = this.generation;
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      const finish = (error: TesseraError | null, response?: Buffer): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        this.inFlight = null;
        if (this.device === 'busy') this.device = 'online';
        if (error) reject(error);
        else resolve(response as Buffer);
      };
      const timer = this.clock.setTimer(timeoutMs, () => {
        this.media = 'jammed';
        finish(devError('DEV_TIMEOUT', 'card did not answer in time', { timeoutMs }));
        this.emitStatus();
      });
      this.inFlight = { fail: (e) => finish(e) };
      this.device = 'busy';
      const native = card.transmit(apdu, { maxRecvLength: DEVICE_LIMITS.responseBytesMax });
      const settledNative = native.then(
        () => undefined,
        () => undefined,
      );
      this.nativePending = settledNative;
      void settledNative.then(() => {
        if (this.nativePending === settledNative) this.nativePending = null;
      });
      native.then(
        // vpcd answers a transmit cut by removal with an empty "success": no SW is a failure.
        (response) => (response.length >= 2 ? finish(null, response) : void this.classifyTransmitFailure(new Error('response without status word'), generation).then((err) => finish(err))),
        (e: unknown) => void this.classifyTransmitFailure(e, generation).then((err) => finish(err)),
      );
    });
  }

  /** A failed transmit is "removed" if the card is gone by the time we look (pcscd may report it late). */
  private async classifyTransmitFailure(e: unknown, generation: number): Promise<TesseraError> {
    const failure = classifyPcscError(e);
    if (failure === 'removed' || generation !== this.generation) return devError('DEV_CARD_REMOVED', 'card removed during transmit');
    if (failure === 'gone') return devError('DEV_READER_GONE', 'reader gone during transmit');
    if (await this.cardLeftWithin(DEVICE_LIMITS.removalConfirmMs, generation)) return devError('DEV_CARD_REMOVED', 'card removed during transmit');
    return devError('DEV_CARD_IO', 'APDU exchange failed', { failure }, e);
  }

  private async cardLeftWithin(windowMs: number, generation: number): Promise<boolean> {
    const steps = Math.ceil(windowMs / DEVICE_LIMITS.removalPollMs);
    for (let i = 0; i < steps; i++) {
      if (generation !== this.generation) return true;
      const reader = this.ctx?.listReaders().find((r) => r.name === this.readerName);
      if (!reader || (reader.state & this.binding.STATE_PRESENT) === 0) return true;
      await this.clock.sleep(DEVICE_LIMITS.removalPollMs);
    }
    return false;
  }

  async eject(binding: CardBinding = {}): Promise<void> {
    if (this.closed) throw devError('DEV_CLOSED', 'reader closed');
    // The card it was for is gone already: nothing to release, and the card in the reader now is not touched.
    if (!this.isBoundCard(binding)) return;
    if (this.inFlight) throw devError('DEV_BUSY', 'a transmit is running');
    if (this.media !== 'present' && this.media !== 'jammed') throw devError('DEV_NO_CARD', 'no card to eject');
    this.generation += 1; // a pending connect must not re-take the card
    this.retained = false;
    // LEAVE, not UNPOWER: disconnect is a synchronous call, and unpowering makes pcscd talk to the
    // card during it; a virtual card served by this same process could then never answer.
    this.releaseCard(this.binding.LEAVE_CARD);
    this.emitStatus();
  }

  async capture(binding: CardBinding = {}): Promise<CaptureResult> {
    if (!this.closed && !this.isBoundCard(binding)) throw devError('DEV_CARD_REMOVED', 'the card to capture has left the reader', { insertion: binding.insertion });
    const code: DevErrorCode | null = this.closed ? 'DEV_CLOSED' : this.card ? null : 'DEV_NO_CARD';
    if (code) throw devError(code, 'cannot capture');
    if (this.inFlight) throw devError('DEV_BUSY', 'a transmit is running');
    this.retained = true;
    this.emitStatus();
    return { retainedBy: 'lock' };
  }
}

function safeDisconnect(card: PcscCard, disposition: number): void {
  try {
    card.disconnect(disposition);
  } catch {
    // the handle died with the card or the service
  }
}

/** Rejects after timeoutMs; a value arriving later is handed to onLate (to release it). */
function withTimeout<T>(clock: Clock, promise: Promise<T>, timeoutMs: number, onLate: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = clock.setTimer(timeoutMs, () => {
      late = true;
      reject(new Error('timed out'));
    });
    promise.then(
      (v) => {
        timer.cancel();
        if (late) onLate(v);
        else resolve(v);
      },
      (e: unknown) => {
        timer.cancel();
        reject(e);
      },
    );
  });
}
