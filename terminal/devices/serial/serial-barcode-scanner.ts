import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { systemClock, type Clock, type TimerHandle } from '../../../core/clock.js';
import { silentLogger, type Logger } from '../../../core/log.js';
import { DEVICE_LIMITS } from '../../limits.js';
import type { BarcodeScanner, BarcodeScannerConfig, BarcodeScannerEventMap, BarcodeScannerStatus, Scan, ScanRejected } from '../barcode-scanner.js';
import type { DeviceState } from '../device-events.js';
import { devError } from '../errors.js';
import { eanProblem, isGs1, parseAim } from './aim.js';
import { BoundedDelimiterParser, type LineEnd } from './bounded-delimiter-parser.js';
import { GS, parseGs1 } from './gs1.js';

export interface SerialBarcodeScannerOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
}

const DELIMITERS = { CR: Buffer.from('\r'), LF: Buffer.from('\n'), CRLF: Buffer.from('\r\n') } as const;
// Control bytes other than TAB, and DEL: a scanner never sends them inside a code (GS1's GS is handled apart).
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function checkConfig(config: BarcodeScannerConfig): { end: LineEnd; maxLineBytes: number } {
  const d = config.delimiter ?? 'ANY';
  const end = d === 'ANY' ? d : Buffer.isBuffer(d) ? d : DELIMITERS[d];
  const maxLineBytes = config.maxLineBytes ?? DEVICE_LIMITS.scanLineBytesDefault;
  if (end !== 'ANY' && (end.length < 1 || end.length > DEVICE_LIMITS.scanDelimiterBytesMax)) {
    throw devError('DEV_BAD_ARGUMENT', 'delimiter must be 1-4 bytes', { field: 'delimiter' });
  }
  if (!DEVICE_LIMITS.serialBaudsAllowed.includes(config.baudRate)) {
    throw devError('DEV_BAD_ARGUMENT', 'unsupported baud rate', { field: 'baudRate', baudRate: config.baudRate });
  }
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1 || maxLineBytes > DEVICE_LIMITS.scanLineBytesMax) {
    throw devError('DEV_BAD_ARGUMENT', 'maxLineBytes out of range', { field: 'maxLineBytes' });
  }
  return { end, maxLineBytes };
}

/** What a decoded, AIM-split line is: a scan, or the reason it is rejected. */
function judge(line: string): { scan: Omit<Scan, 'atMs'> } | { rejected: Omit<ScanRejected, 'bytes'> } {
  const { data, symbology } = parseAim(line);
  if (isGs1(symbology)) {
    if (CONTROL.test(data.replaceAll(GS, ''))) return { rejected: { code: 'DEV_SCAN_GARBAGE', reason: 'control bytes' } };
    const gs1 = parseGs1(data);
    if (!gs1.ok) return { rejected: { code: gs1.code, reason: gs1.reason, ...(gs1.ai !== undefined && { ai: gs1.ai }) } };
    return { scan: { data, symbology, gs1: gs1.elements } };
  }
  if (CONTROL.test(line)) return { rejected: { code: 'DEV_SCAN_GARBAGE', reason: 'control bytes' } };
  const ean = eanProblem(symbology, data);
  if (ean) return { rejected: ean };
  return { scan: { data, symbology } };
}

/**
 * BarcodeScanner on a serial port (serialport + BoundedDelimiterParser).
 * When the port goes away (unplugged: the port closes with an error, or its
 * path stops naming the device opened, checked every serialPresencePollMs)
 * the driver logs it, reports offline with DEV_PORT_GONE and reopens it: first
 * after serialReopenMsMin, the interval doubling after each failure up to
 * serialReopenMsMax, for as long as the driver is open; back online is
 * logged and reported too.
 */
export class SerialBarcodeScanner extends EventEmitter<BarcodeScannerEventMap> implements BarcodeScanner {
  private readonly parser: BoundedDelimiterParser;
  private readonly clock: Clock;
  private readonly log: Logger;
  private port: SerialPort | null = null;
  private device: DeviceState = 'offline';
  private code: 'DEV_PORT_GONE' | null = null;
  private retry: TimerHandle | null = null;
  private retryMs: number = DEVICE_LIMITS.serialReopenMsMin;
  private goneAtMs = 0;
  private attempts = 0;
  private idle: TimerHandle | null = null;
  private presence: TimerHandle | null = null;
  private closed = false;

  constructor(
    private readonly config: BarcodeScannerConfig,
    options: SerialBarcodeScannerOptions = {},
  ) {
    super();
    const { end, maxLineBytes } = checkConfig(config);
    this.parser = new BoundedDelimiterParser(end, maxLineBytes, {
      line: (bytes) => this.onLine(bytes),
      rejected: (code, bytes) => this.reject({ code, bytes }),
    });
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
  }

  async open(): Promise<void> {
    if (this.closed) throw devError('DEV_CLOSED', 'scanner closed');
    try {
      await this.openPort();
    } catch (e) {
      throw devError('DEV_PORT_GONE', 'cannot open the serial port', { path: this.config.path }, e);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.retry?.cancel();
    this.idle?.cancel();
    this.presence?.cancel();
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.removeAllListeners();
  }

  async status(): Promise<BarcodeScannerStatus> {
    return { device: this.device, path: this.config.path, code: this.code };
  }

  private openPort(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const port = new SerialPort({ path: this.config.path, baudRate: this.config.baudRate, autoOpen: false });
      port.open((error) => {
        if (error) return reject(error);
        if (this.closed) {
          port.close();
          return resolve();
        }
        this.attach(port);
        resolve();
      });
    });
  }

  private attach(port: SerialPort): void {
    this.port = port;
    this.parser.reset();
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    port.on('error', (error) => this.log.debug({ err: error.message }, 'serial port error'));
    port.once('close', () => this.onPortGone(port));
    if (this.code === 'DEV_PORT_GONE') {
      this.log.info({ path: this.config.path, downMs: this.clock.monoMs() - this.goneAtMs, attempts: this.attempts }, 'scanner port back: online');
    }
    this.retryMs = DEVICE_LIMITS.serialReopenMsMin;
    this.attempts = 0;
    this.setDevice('online', null);
    void this.deviceId().then((rdev) => this.watchPresence(port, rdev));
  }

  /** The device number the port's path names now (following links), or null when there is none. */
  private deviceId(): Promise<number | null> {
    return stat(this.config.path).then(
      (st) => st.rdev,
      () => null,
    );
  }

  /** Every serialPresencePollMs while `port` is the open one: its path must still name the device opened. */
  private watchPresence(port: SerialPort, rdev: number | null): void {
    if (this.port !== port || this.closed) return;
    this.presence = this.clock.setTimer(DEVICE_LIMITS.serialPresencePollMs, () => {
      this.presence = null;
      void this.deviceId().then((now) => {
        if (this.port !== port || this.closed) return;
        if (rdev !== null && now === rdev) return this.watchPresence(port, rdev);
        this.onPortGone(port);
        port.close(() => undefined); // the fd of a vanished device: close errors are expected and ignored
      });
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.parser.write(chunk);
    this.idle?.cancel();
    this.idle = this.parser.holding ? this.clock.setTimer(DEVICE_LIMITS.scanLineIdleMs, () => this.onIdle()) : null;
  }

  private onIdle(): void {
    this.idle = null;
    if (!this.closed) this.parser.idle();
  }

  private onLine(line: Buffer): void {
    if (line.length === 0) return; // two line ends in a row (CRLF with ANY): no scan
    let text: string;
    try {
      text = UTF8.decode(line);
    } catch {
      this.reject({ code: 'DEV_SCAN_GARBAGE', bytes: line.length, reason: 'invalid UTF-8' });
      return;
    }
    const verdict = judge(text);
    if ('rejected' in verdict) this.reject({ ...verdict.rejected, bytes: line.length });
    else this.emit('scan', { ...verdict.scan, atMs: this.clock.monoMs() });
  }

  private reject(r: ScanRejected): void {
    if (!this.closed) this.emit('rejected', r);
  }

  private onPortGone(port: SerialPort): void {
    if (this.port !== port || this.closed) return;
    this.port = null;
    this.idle?.cancel();
    this.idle = null;
    this.presence?.cancel();
    this.presence = null;
    const dropped = this.parser.reset();
    this.goneAtMs = this.clock.monoMs();
    this.log.warn(
      { code: 'DEV_PORT_GONE', path: this.config.path, retryMs: this.retryMs, retryMaxMs: DEVICE_LIMITS.serialReopenMsMax },
      'scanner port gone: offline; reopening it until it is back (reconnect the scanner)',
    );
    this.setDevice('offline', 'DEV_PORT_GONE');
    if (dropped > 0) this.reject({ code: 'DEV_SCAN_UNTERMINATED', bytes: dropped, reason: 'port lost mid-line' });
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.closed || this.retry) return;
    const delayMs = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, DEVICE_LIMITS.serialReopenMsMax);
    this.retry = this.clock.setTimer(delayMs, () => {
      this.retry = null;
      this.attempts += 1;
      this.openPort().catch(() => this.scheduleReopen());
    });
  }

  private setDevice(device: DeviceState, code: 'DEV_PORT_GONE' | null): void {
    this.device = device;
    this.code = code;
    if (!this.closed) this.emit('status', { device, code });
  }
}
