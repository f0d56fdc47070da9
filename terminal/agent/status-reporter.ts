/**
 * TERMINAL_STATUS (PROTOCOL.md §6.8): the terminal's software and protocol
 * version and the state of each device it has, sent when a session comes up
 * (at protocol version 2 or later; a version-1 center is never sent one) and
 * whenever a device's state or reason changes. One report in flight at a
 * time; a change meanwhile is sent after it. A report that fails is not
 * retried on its own: the next session sends the state of that moment.
 */
import type { Logger } from '../../core/log.js';
import { errorCode } from '../../core/errors.js';
import { softwareVersion } from '../../core/version.js';
import { DEVICE_KIND, DEVICE_STATE, type DeviceKind, type DeviceStateCode } from '../../protocol/codes.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import type { DeviceStatus, TerminalStatus } from '../../protocol/messages/types.js';
import { PROTOCOL_VERSION_CURRENT, PROTOCOL_VERSION_TERMINAL_STATUS } from '../../protocol/versions.js';
import type { BarcodeScanner } from '../devices/barcode-scanner.js';
import type { BillValidator, CashBoxState } from '../devices/bill-validator.js';
import type { CardReader, CardReaderStatus } from '../devices/card-reader.js';
import type { DeviceState } from '../devices/device-events.js';
import type { RemovableStore } from '../devices/removable-store.js';
import type { LinkClient, LinkSession } from '../link/link-client.js';

export interface StatusReporterDeps {
  readonly link: LinkClient;
  readonly reader: CardReader;
  readonly scanner?: BarcodeScanner | null;
  readonly store?: RemovableStore | null;
  readonly validator?: BillValidator | null;
  readonly log: Logger;
  /** Per report; default the link's request timeout. */
  readonly timeoutMs?: number;
}

const STATE: Record<DeviceState, DeviceStateCode> = {
  online: DEVICE_STATE.ONLINE,
  offline: DEVICE_STATE.OFFLINE,
  busy: DEVICE_STATE.BUSY,
  hardwareError: DEVICE_STATE.HARDWARE_ERROR,
};

const device = (kind: DeviceKind, state: DeviceStateCode, reason: string | null): DeviceStatus => ({ kind, state, ...(reason !== null && { reason }) });

function readerStatus(s: CardReaderStatus): DeviceStatus {
  if (s.media === 'jammed') return device(DEVICE_KIND.READER, DEVICE_STATE.JAMMED, null);
  return device(DEVICE_KIND.READER, STATE[s.device], s.device === 'offline' ? 'DEV_READER_GONE' : null);
}

/** The validator's state from what its events told: the port first, then a jam, then the cash box. */
interface ValidatorView {
  device: DeviceState;
  code: string | null;
  jammed: boolean;
  cashBox: CashBoxState;
}
function validatorStatus(v: ValidatorView): DeviceStatus {
  if (v.device !== 'online') return device(DEVICE_KIND.VALIDATOR, STATE[v.device], v.code);
  if (v.jammed) return device(DEVICE_KIND.VALIDATOR, DEVICE_STATE.JAMMED, 'DEV_NOTE_JAMMED');
  if (v.cashBox !== 'ok') return device(DEVICE_KIND.VALIDATOR, DEVICE_STATE.OFFLINE, v.cashBox === 'full' ? 'DEV_CASHBOX_FULL' : 'DEV_CASHBOX_REMOVED');
  return device(DEVICE_KIND.VALIDATOR, DEVICE_STATE.ONLINE, null);
}

/** package.json's version if it fits SOFTWARE_VERSION (printable, 1-32 bytes): a report the center cannot decode would end the session. */
function wireVersion(): string {
  const v = softwareVersion();
  return v.length <= PROTOCOL_LIMITS.softwareVersionBytesMax && /^[\x20-\x7e]+$/.test(v) ? v : 'unknown';
}

export class StatusReporter {
  private readonly devices = new Map<DeviceKind, DeviceStatus>();
  private validator: ValidatorView = { device: 'online', code: null, jammed: false, cashBox: 'ok' };
  private session: LinkSession | null = null;
  private sending = false;
  private dirty = false;
  private running = false;
  private sent = 0;

  constructor(private readonly d: StatusReporterDeps) {}

  /** Reads each device's state (the devices are open), subscribes to their changes, and reports on every session. */
  async start(): Promise<void> {
    const { reader, scanner, store, validator } = this.d;
    this.running = true;
    this.devices.set(DEVICE_KIND.READER, readerStatus(await reader.status()));
    reader.on('status', (s) => this.set(readerStatus(s)));
    if (scanner) {
      const s = await scanner.status();
      this.devices.set(DEVICE_KIND.SCANNER, device(DEVICE_KIND.SCANNER, STATE[s.device], s.code));
      scanner.on('status', (e) => this.set(device(DEVICE_KIND.SCANNER, STATE[e.device], e.code)));
    }
    if (store) {
      const s = await store.status();
      this.devices.set(DEVICE_KIND.STORE, s.media === 'absent' && s.device === 'online' ? device(DEVICE_KIND.STORE, DEVICE_STATE.OFFLINE, 'DEV_MEDIUM_ABSENT') : device(DEVICE_KIND.STORE, STATE[s.device], null));
      store.on('inserted', () => this.set(device(DEVICE_KIND.STORE, DEVICE_STATE.ONLINE, null)));
      store.on('removed', () => this.set(device(DEVICE_KIND.STORE, DEVICE_STATE.OFFLINE, 'DEV_MEDIUM_ABSENT')));
    }
    if (validator) this.watchValidator(validator, await validator.status());
    this.d.link.on('up', (s) => {
      this.session = s;
      this.dirty = true;
      this.flush();
    });
    this.d.link.on('down', () => {
      this.session = null;
    });
    // The link may have come up while the devices were opening.
    const live = this.d.link.liveSession;
    if (live) {
      this.session = live;
      this.dirty = true;
      this.flush();
    }
  }

  stop(): void {
    this.running = false;
  }

  /** Reports handed to the link so far (each answered, failed or in flight). */
  get reportsSent(): number {
    return this.sent;
  }

  /** The current report (what the next TERMINAL_STATUS carries). */
  current(): TerminalStatus {
    const devices = [...this.devices.values()].sort((a, b) => a.kind - b.kind);
    return { type: 'terminalStatus', softwareVersion: wireVersion(), protocolVersion: PROTOCOL_VERSION_CURRENT, devices };
  }

  private watchValidator(v: BillValidator, s: { device: DeviceState; cashBox: CashBoxState }): void {
    this.validator = { device: s.device, code: null, jammed: false, cashBox: s.cashBox };
    this.devices.set(DEVICE_KIND.VALIDATOR, validatorStatus(this.validator));
    const update = (patch: Partial<ValidatorView>): void => {
      this.validator = { ...this.validator, ...patch };
      this.set(validatorStatus(this.validator));
    };
    v.on('status', (e) => update({ device: e.device, code: e.code }));
    v.on('cashBox', (e) => update({ cashBox: e.state }));
    v.on('fault', (f) => {
      if (f.code === 'DEV_NOTE_JAMMED') update({ jammed: true });
    });
    // A note that moves again ends the jam.
    v.on('accepted', () => update({ jammed: false }));
    v.on('returned', () => update({ jammed: false }));
  }

  private set(next: DeviceStatus): void {
    const before = this.devices.get(next.kind);
    if (before && before.state === next.state && before.reason === next.reason) return;
    this.devices.set(next.kind, next);
    this.dirty = true;
    this.flush();
  }

  private flush(): void {
    const s = this.session;
    if (!this.running || this.sending || !this.dirty || !s || s.protocolVersion < PROTOCOL_VERSION_TERMINAL_STATUS) return;
    this.dirty = false;
    this.sending = true;
    this.sent++;
    const report = this.current();
    this.d.link
      .request((live) => {
        // The session may have changed since: a version-1 center must never get a message it does not know.
        if (live.protocolVersion < PROTOCOL_VERSION_TERMINAL_STATUS) throw new Error('session below protocol version 2');
        return report;
      }, { attempts: 1, ...(this.d.timeoutMs !== undefined && { timeoutMs: this.d.timeoutMs }) })
      .then((r) => {
        if (r.type !== 'terminalStatusAck') this.d.log.warn({ response: r.type }, 'terminal status answered with something else');
      })
      .catch((e: unknown) => {
        // Sent again with the next session.
        this.d.log.info({ code: errorCode(e) }, 'terminal status not delivered');
      })
      .finally(() => {
        this.sending = false;
        this.flush();
      });
  }
}
