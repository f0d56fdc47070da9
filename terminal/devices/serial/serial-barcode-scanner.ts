import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { systemClock, type Clock, type TimerHandle } from '../../../core/clock.js';
import { silentLogger, type Logger } from '../../../core/log.js';
import { DEVICE_LIMITS } from '../../limits.js';
import type { BarcodeScanner, BarcodeScannerConfig, BarcodeScannerEventMap } from '../barcode-scanner.js';
import type { DeviceState } from '../device-events.js';
import { devError } from '../errors.js';
import { parseAim } from './aim.js';
import { BoundedDelimiterParser } from './bounded-delimiter-parser.js';

export interface SerialBarcodeScannerOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
}

const DELIMITERS = { CR: Buffer.from('\r'), LF: Buffer.from('\n'), CRLF: Buffer.from('\r\n') } as const;
// Control bytes other than TAB, and DEL: a scanner never sends them inside a code.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function checkConfig(config: BarcodeScannerConfig): { delimiter: Buffer; maxLineBytes: number } {
  const delimiter = Buffer.isBuffer(config.delimiter) ? config.delimiter : DELIMITERS[config.delimiter];
  const maxLineBytes = config.maxLineBytes ?? DEVICE_LIMITS.scanLineBytesMax;
  if (delimiter.length < 1 || delimiter.length > DEVICE_LIMITS.scanDelimiterBytesMax) {
    throw devError('DEV_BAD_ARGUMENT', 'delimiter must be 1-4 bytes', { field: 'delimiter' });
  }
  if (!DEVICE_LIMITS.serialBaudRates.includes(config.baudRate)) {
    throw devError('DEV_BAD_ARGUMENT', 'unsupported baud rate', { field: 'baudRate', baudRate: config.baudRate });
  }
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1 || maxLineBytes > DEVICE_LIMITS.scanLineBytesMax) {
    throw devError('DEV_BAD_ARGUMENT', 'maxLineBytes out of range', { field: 'maxLineBytes' });
  }
  return { delimiter, maxLineBytes };
}

/**
 * BarcodeScanner on a serial port (serialport + a bounded
 * @serialport/parser-delimiter). When the port goes away (unplugged: the
 * port closes with an error) the driver reports offline and retries opening
 * every serialReopenMs until the device is back.
 */
export class SerialBarcodeScanner extends EventEmitter<BarcodeScannerEventMap> implements BarcodeScanner {
  private readonly delimiter: Buffer;
  private readonly maxLineBytes: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private port: SerialPort | null = null;
  private device: DeviceState = 'offline';
  private retry: TimerHandle | null = null;
  private closed = false;

  constructor(
    private readonly config: BarcodeScannerConfig,
    options: SerialBarcodeScannerOptions = {},
  ) {
    super();
    ({ delimiter: this.delimiter, maxLineBytes: this.maxLineBytes } = checkConfig(config));
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
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.removeAllListeners();
  }

  async status(): Promise<{ readonly device: DeviceState; readonly path: string }> {
    return { device: this.device, path: this.config.path };
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
    const parser = new BoundedDelimiterParser(this.delimiter, this.maxLineBytes, (bytes) =>
      this.emit('rejected', { code: 'DEV_SCAN_TOO_LONG', bytes }),
    );
    port.pipe(parser).on('data', (line: Buffer) => this.onLine(line));
    port.on('error', (error) => this.log.debug({ err: error.message }, 'serial port error'));
    port.once('close', () => this.onPortGone(port));
    this.setDevice('online', null);
  }

  private onLine(line: Buffer): void {
    let text: string;
    try {
      text = UTF8.decode(line);
    } catch {
      this.emit('rejected', { code: 'DEV_SCAN_GARBAGE', bytes: line.length });
      return;
    }
    if (text.length === 0) return; // two delimiters in a row: no scan
    if (CONTROL.test(text)) {
      this.emit('rejected', { code: 'DEV_SCAN_GARBAGE', bytes: line.length });
      return;
    }
    const { data, symbology } = parseAim(text);
    this.emit('scan', { data, symbology, atMs: this.clock.monoMs() });
  }

  private onPortGone(port: SerialPort): void {
    if (this.port !== port || this.closed) return;
    this.port = null;
    this.setDevice('offline', 'DEV_PORT_GONE');
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.closed || this.retry) return;
    this.retry = this.clock.setTimer(DEVICE_LIMITS.serialReopenMs, () => {
      this.retry = null;
      this.openPort().catch(() => this.scheduleReopen());
    });
  }

  private setDevice(device: DeviceState, code: 'DEV_PORT_GONE' | null): void {
    this.device = device;
    if (!this.closed) this.emit('status', { device, code });
  }
}
