import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../../../core/clock.js';
import { errorCode } from '../../../core/errors.js';
import { silentLogger, type Logger } from '../../../core/log.js';
import { DEVICE_LIMITS } from '../../limits.js';
import type { BillValidator, BillValidatorConfig, BillValidatorEventMap, BillValidatorStatus, CashBoxState, Note, NoteType } from '../bill-validator.js';
import type { DeviceState } from '../device-events.js';
import { devError, type DevErrorCode } from '../errors.js';
import { decodeBillEvent, newEventCount, parseBillId } from './cctalk-bill-events.js';
import { CCTALK, ROUTE } from './cctalk-frame.js';
import { SerialCcTalkLink, type CcTalkLink } from './cctalk-link.js';

export interface CcTalkBillValidatorOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** The line below (default: serialport on config.path). The simulator passes its in-process link. */
  readonly link?: CcTalkLink;
}

/** Header 153 operating mode: bit 0 use the stacker, bit 1 use escrow. */
const MODE_STACKER_AND_ESCROW = 0b11;

interface Route {
  readonly kind: 'stack' | 'return';
  settle(r: Note | Error): void;
}

export function checkValidatorConfig(c: BillValidatorConfig): void {
  if (!DEVICE_LIMITS.serialBaudsAllowed.includes(c.baudRate)) throw devError('DEV_BAD_ARGUMENT', 'unsupported baud rate', { field: 'baudRate', baudRate: c.baudRate });
  if (!Number.isInteger(c.address) || c.address < 2 || c.address > 255) throw devError('DEV_BAD_ARGUMENT', 'ccTalk address must be 2-255', { field: 'address' });
  if (!/^[A-Z]{2}$/.test(c.country)) throw devError('DEV_BAD_ARGUMENT', 'country must be two capital letters', { field: 'country' });
  if (!/^[A-Z]{3}$/.test(c.currency)) throw devError('DEV_BAD_ARGUMENT', 'currency must be an ISO 4217 code', { field: 'currency' });
}

/**
 * BillValidator speaking ccTalk (ccTalk Generic Specification parts 1-3).
 * At open and after every reconnect or validator reset: simple poll (254),
 * the note table (157 bill id per type, 156 country scaling), operating
 * mode stacker + escrow (153), inhibit masks (231) and master inhibit (228)
 * as enabled/disabled. Then header 159 every validatorPollMs; the event
 * counter tells new events from old, a reset (counter 0), and events lost
 * from the 5-deep buffer. Routing is header 154. Requests are serialised:
 * ccTalk is one master, one request at a time.
 */
export class CcTalkBillValidator extends EventEmitter<BillValidatorEventMap> implements BillValidator {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly link: CcTalkLink;
  private chain: Promise<unknown> = Promise.resolve();
  private device: DeviceState = 'offline';
  private enabled = false;
  private escrow: Note | null = null;
  private cashBox: CashBoxState = 'ok';
  private notes = new Map<number, NoteType>();
  /** Event counter of the last poll; null until the first open read it. */
  private lastCounter: number | null = null;
  private silent = 0;
  private route: Route | null = null;
  private pollTimer: TimerHandle | null = null;
  private retry: TimerHandle | null = null;
  private connected = false;
  private closed = false;

  constructor(
    private readonly config: BillValidatorConfig,
    options: CcTalkBillValidatorOptions = {},
  ) {
    super();
    checkValidatorConfig(config);
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.link = options.link ?? new SerialCcTalkLink({ path: config.path, baudRate: config.baudRate, address: config.address, clock: this.clock, logger: this.log });
    this.link.onGone(() => this.onGone());
  }

  async open(): Promise<void> {
    if (this.closed) throw devError('DEV_CLOSED', 'bill validator closed');
    await this.link.open();
    try {
      await this.init();
    } catch (e) {
      await this.link.close();
      throw devError(errorCode(e) === 'DEV_PORT_GONE' ? 'DEV_PORT_GONE' : 'DEV_TIMEOUT', 'the bill validator does not answer ccTalk', { path: this.config.path, address: this.config.address }, e);
    }
    this.connected = true;
    this.setDevice('online', null);
    this.schedulePoll();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    this.pollTimer?.cancel();
    this.retry?.cancel();
    this.route?.settle(devError('DEV_CLOSED', 'bill validator closed'));
    await this.link.close();
    this.removeAllListeners();
  }

  async enable(): Promise<void> {
    this.enabled = true;
    await this.applyEnabled();
  }

  async disable(): Promise<void> {
    this.enabled = false;
    await this.applyEnabled();
  }

  stack(): Promise<Note> {
    return this.routeNote('stack', ROUTE.STACK);
  }

  return(): Promise<Note> {
    return this.routeNote('return', ROUTE.RETURN);
  }

  async noteTable(): Promise<readonly NoteType[]> {
    return [...this.notes.values()];
  }

  async status(): Promise<BillValidatorStatus> {
    return { device: this.device, path: this.config.path, enabled: this.enabled, escrow: this.escrow, cashBox: this.cashBox };
  }

  // ---------------------------------------------------------------- requests

  /** One ccTalk request after the ones before it (the line takes one at a time). */
  private request(header: number, data: number[] = []): Promise<Buffer> {
    if (this.closed) return Promise.reject(devError('DEV_CLOSED', 'bill validator closed'));
    const run = (): Promise<Buffer> => this.link.request(header, Buffer.from(data));
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async init(): Promise<void> {
    await this.request(CCTALK.SIMPLE_POLL);
    this.notes = await this.readNoteTable();
    await this.request(CCTALK.MODIFY_BILL_OPERATING_MODE, [MODE_STACKER_AND_ESCROW]);
    await this.applyEnabled();
    // The first open takes the event counter as it is: older events belong to nobody here. A reconnect
    // keeps the counter, so notes stacked while the line was down are reported by the next poll, unless
    // the validator was reset meanwhile (counter 0: its old events are gone).
    const counter = (await this.request(CCTALK.READ_BUFFERED_BILL_EVENTS))[0] ?? 0;
    if (this.lastCounter === null || counter === 0) this.lastCounter = counter;
  }

  private async readNoteTable(): Promise<Map<number, NoteType>> {
    const notes = new Map<number, NoteType>();
    let scaling: number | null = null;
    for (let billType = 1; billType <= DEVICE_LIMITS.cctalkBillTypesMax; billType++) {
      const id = parseBillId((await this.request(CCTALK.REQUEST_BILL_ID, [billType])).toString('latin1'));
      if (!id || id.country !== this.config.country) continue;
      if (scaling === null) {
        const s = await this.request(CCTALK.REQUEST_COUNTRY_SCALING, [...Buffer.from(this.config.country, 'latin1')]);
        scaling = s.length >= 2 ? s[0]! + 256 * s[1]! : 0;
      }
      if (scaling === 0) continue; // the validator does not know this country
      notes.set(billType, { billType, noteId: `${id.country}${String(id.valueCode).padStart(4, '0')}${id.issue}`, valueMinor: id.valueCode * scaling, currency: this.config.currency });
    }
    return notes;
  }

  /** Header 231 (inhibit masks: bit n-1 = bill type n taken) and 228 (bit 0: 1 = normal operation). */
  private async applyEnabled(): Promise<void> {
    let mask = 0;
    if (this.enabled) for (const t of this.notes.keys()) mask |= 1 << (t - 1);
    await this.request(CCTALK.MODIFY_INHIBIT_STATUS, [mask & 0xff, mask >> 8]);
    await this.request(CCTALK.MODIFY_MASTER_INHIBIT, [this.enabled ? 1 : 0]);
  }

  // ---------------------------------------------------------------- routes

  private async routeNote(kind: Route['kind'], code: number): Promise<Note> {
    if (this.closed) throw devError('DEV_CLOSED', 'bill validator closed');
    if (this.route) throw devError('DEV_BUSY', 'a note is already being routed');
    if (!this.escrow) throw devError('DEV_NO_NOTE_IN_ESCROW', `no note in escrow to ${kind}`);
    const done = new Promise<Note>((resolve, reject) => {
      const timer = this.clock.setTimer(DEVICE_LIMITS.validatorRouteTimeoutMs, () => route.settle(devError('DEV_TIMEOUT', `the validator did not report the note ${kind === 'stack' ? 'stacked' : 'returned'}`)));
      const route: Route = {
        kind,
        settle: (r) => {
          if (this.route !== route) return;
          this.route = null;
          timer.cancel();
          if (r instanceof Error) reject(r);
          else resolve(r);
        },
      };
      this.route = route;
    });
    const route = this.route!;
    done.catch(() => undefined); // it may settle (line lost) before the caller gets it below
    try {
      const reply = await this.request(CCTALK.ROUTE_BILL, [code]);
      if (reply[0] === ROUTE.ERR_ESCROW_EMPTY) {
        this.escrow = null;
        route.settle(devError('DEV_NO_NOTE_IN_ESCROW', 'the validator holds no note in escrow'));
      } else if (reply.length > 0) {
        route.settle(devError('DEV_VALIDATOR_FAULT', 'the validator failed to route the note', { reply: reply[0] }));
      }
    } catch (e) {
      // A lost or garbled reply does not say whether the validator routed the note: its events will
      // (stacked, returned, jammed), or the route times out. Anything else is a definite failure.
      const code = errorCode(e);
      if (code !== 'DEV_TIMEOUT' && code !== 'DEV_CCTALK_BAD_FRAME') route.settle(e instanceof Error ? e : devError('DEV_VALIDATOR_FAULT', 'route failed'));
    }
    return done;
  }

  // ---------------------------------------------------------------- polling

  private schedulePoll(): void {
    if (this.closed || !this.connected || this.pollTimer) return;
    this.pollTimer = this.clock.setTimer(DEVICE_LIMITS.validatorPollMs, () => {
      this.pollTimer = null;
      void this.pollOnce().finally(() => this.schedulePoll());
    });
  }

  private async pollOnce(): Promise<void> {
    let data: Buffer;
    try {
      data = await this.request(CCTALK.READ_BUFFERED_BILL_EVENTS);
    } catch (e) {
      if (errorCode(e) === 'DEV_TIMEOUT' && ++this.silent === DEVICE_LIMITS.cctalkSilentMax) this.setDevice('offline', 'DEV_TIMEOUT');
      // The events stay in the validator's buffer: the next poll reads them again.
      if (errorCode(e) === 'DEV_CCTALK_BAD_FRAME') this.emitFault('DEV_CCTALK_BAD_FRAME', null, { header: CCTALK.READ_BUFFERED_BILL_EVENTS });
      return;
    }
    if (this.silent >= DEVICE_LIMITS.cctalkSilentMax) this.setDevice('online', null);
    this.silent = 0;
    if (data.length !== 1 + 2 * DEVICE_LIMITS.cctalkEventBufferCount) {
      this.emitFault('DEV_CCTALK_BAD_FRAME', null, { header: CCTALK.READ_BUFFERED_BILL_EVENTS, length: data.length });
      return;
    }
    await this.onEvents(data);
  }

  private async onEvents(data: Buffer): Promise<void> {
    const counter = data[0]!;
    const { fresh, lost, reset } = newEventCount(this.lastCounter ?? counter, counter, DEVICE_LIMITS.cctalkEventBufferCount);
    if (reset || (counter === 0 && this.enabled && !(await this.masterEnabled()))) {
      this.log.warn({ address: this.config.address }, 'bill validator was reset; configuring it again');
      this.lastCounter = 0;
      this.escrow = null;
      this.route?.settle(devError('DEV_VALIDATOR_FAULT', 'the validator was reset while routing'));
      await this.init().catch(() => undefined);
      return;
    }
    if (lost > 0) this.emitFault('DEV_VALIDATOR_EVENTS_LOST', null, { lost });
    for (let i = fresh - 1; i >= 0; i--) this.onEvent(data[1 + 2 * i]!, data[2 + 2 * i]!);
    this.lastCounter = counter;
  }

  /** Header 227: a validator reset before any event still has counter 0, but its master inhibit is back on. */
  private async masterEnabled(): Promise<boolean> {
    try {
      return ((await this.request(CCTALK.REQUEST_MASTER_INHIBIT))[0]! & 1) === 1;
    } catch {
      return true; // unknown: the next poll asks again
    }
  }

  private onEvent(a: number, b: number): void {
    const ev = decodeBillEvent(a, b);
    switch (ev.kind) {
      case 'escrow': {
        const note = this.noteOf(ev.billType);
        if (!note) return this.emitFault('DEV_VALIDATOR_FAULT', null, { billType: ev.billType, problem: 'escrow of a bill type not in the note table' });
        this.escrow = note;
        this.emit('escrow', note);
        return;
      }
      case 'stacked': {
        const note = this.noteOf(ev.billType);
        this.escrow = null;
        if (!note) return this.emitFault('DEV_VALIDATOR_FAULT', null, { billType: ev.billType, problem: 'a bill type not in the note table was stacked' });
        this.emit('accepted', note);
        if (this.route?.kind === 'stack') this.route.settle(note);
        return;
      }
      case 'returned': {
        const note = this.escrow ? { ...this.escrow, atMs: this.clock.monoMs() } : null;
        this.escrow = null;
        if (note) this.emit('returned', note);
        if (this.route?.kind === 'return' && note) this.route.settle(note);
        return;
      }
      case 'rejected':
        this.emit('rejected', { code: ev.code, event: ev.event });
        return;
      case 'cashBox':
        this.cashBox = ev.state;
        this.emit('cashBox', { state: ev.state, code: ev.state === 'full' ? 'DEV_CASHBOX_FULL' : ev.state === 'removed' ? 'DEV_CASHBOX_REMOVED' : null });
        if (ev.state !== 'ok') this.emitFault(ev.state === 'full' ? 'DEV_CASHBOX_FULL' : 'DEV_CASHBOX_REMOVED', ev.event);
        return;
      case 'fault':
        if (ev.code === 'DEV_NOTE_JAMMED') this.escrow = null;
        this.emitFault(ev.code, ev.event);
        this.route?.settle(devError(ev.code, 'the note was not routed', { event: ev.event }));
        return;
    }
  }

  private noteOf(billType: number): Note | null {
    const t = this.notes.get(billType);
    return t ? { ...t, atMs: this.clock.monoMs() } : null;
  }

  private emitFault(code: DevErrorCode, event: number | null, details?: Record<string, unknown>): void {
    if (!this.closed) this.emit('fault', { code, event, ...(details && { details }) });
  }

  // ---------------------------------------------------------------- line lost

  private onGone(): void {
    if (this.closed) return;
    this.connected = false;
    this.pollTimer?.cancel();
    this.pollTimer = null;
    this.escrow = null; // a validator losing its host returns the note in escrow (or it is found at the next poll)
    this.route?.settle(devError('DEV_PORT_GONE', 'the validator line went away while routing'));
    this.setDevice('offline', 'DEV_PORT_GONE');
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.closed || this.retry) return;
    this.retry = this.clock.setTimer(DEVICE_LIMITS.serialReopenMsMin, () => {
      this.retry = null;
      void this.reopen();
    });
  }

  private async reopen(): Promise<void> {
    try {
      await this.link.open();
      if (this.closed) return await this.link.close();
      await this.init();
    } catch {
      await this.link.close();
      this.scheduleReopen();
      return;
    }
    if (this.closed) return;
    this.connected = true;
    this.silent = 0;
    this.setDevice('online', null);
    this.schedulePoll();
  }

  private setDevice(device: DeviceState, code: DevErrorCode | null): void {
    this.device = device;
    if (!this.closed) this.emit('status', { device, code });
  }
}
