import { SerialPort } from 'serialport';
import { systemClock, type Clock } from '../../../core/clock.js';
import { silentLogger, type Logger } from '../../../core/log.js';
import { DEVICE_LIMITS } from '../../limits.js';
import { devError } from '../errors.js';
import { CCTALK, CcTalkFrameDecoder, encodeFrame, type CcTalkFrame } from './cctalk-frame.js';

/**
 * One ccTalk master talking to one slave: a request, then its reply. The
 * bill validator driver sits on this, the way serialport sits on a binding:
 * the serial link below is the real one, the simulator has an in-process one
 * (sim/validator/model-cctalk-link.ts), and the contract suite runs on both.
 */
export interface CcTalkLink {
  /** Opens the line; rejects DEV_PORT_GONE if it does not exist. */
  open(): Promise<void>;
  /** Closes the line; idempotent. `gone` is not called for a close asked for. */
  close(): Promise<void>;
  /**
   * Sends one request and resolves with the reply's data (an ACK reply).
   * Rejects DEV_TIMEOUT (no reply), DEV_PORT_GONE (line lost or not open),
   * DEV_CCTALK_BAD_FRAME (a reply that failed its checksum), or
   * DEV_VALIDATOR_FAULT (NAK or BUSY). Requests must not overlap (the caller
   * serialises them); one that does rejects DEV_BUSY.
   */
  request(header: number, data: Buffer): Promise<Buffer>;
  /** Called once each time an open line is lost (cable pulled). */
  onGone(fn: () => void): void;
}

export interface SerialCcTalkLinkOptions {
  readonly path: string;
  readonly baudRate: number;
  /** Slave address (the bill validator's). */
  readonly address: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

interface Pending {
  readonly header: number;
  settle(frame: CcTalkFrame | Error): void;
}

/** CcTalkLink on a serial port (serialport), framing with CcTalkFrameDecoder. */
export class SerialCcTalkLink implements CcTalkLink {
  private readonly decoder = new CcTalkFrameDecoder();
  private readonly clock: Clock;
  private readonly log: Logger;
  private port: SerialPort | null = null;
  private pending: Pending | null = null;
  private gone: (() => void) | null = null;

  constructor(private readonly o: SerialCcTalkLinkOptions) {
    this.clock = o.clock ?? systemClock;
    this.log = o.logger ?? silentLogger;
  }

  onGone(fn: () => void): void {
    this.gone = fn;
  }

  open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const port = new SerialPort({ path: this.o.path, baudRate: this.o.baudRate, autoOpen: false });
      port.open((error) => {
        if (error) return reject(devError('DEV_PORT_GONE', 'cannot open the serial port', { path: this.o.path }, error));
        this.port = port;
        this.decoder.reset();
        port.on('data', (chunk: Buffer) => this.onData(chunk));
        port.on('error', (e) => this.log.debug({ err: e.message }, 'ccTalk port error'));
        port.once('close', () => this.onClose(port));
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    this.pending?.settle(devError('DEV_CLOSED', 'ccTalk link closed'));
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  request(header: number, data: Buffer): Promise<Buffer> {
    const port = this.port;
    if (!port) return Promise.reject(devError('DEV_PORT_GONE', 'ccTalk line is not open', { path: this.o.path }));
    if (this.pending) return Promise.reject(devError('DEV_BUSY', 'a ccTalk request is already waiting for its reply'));
    return new Promise<Buffer>((resolve, reject) => {
      const timer = this.clock.setTimer(DEVICE_LIMITS.cctalkReplyTimeoutMs, () => pending.settle(devError('DEV_TIMEOUT', 'the validator did not answer', { header })));
      const pending: Pending = {
        header,
        settle: (r) => {
          if (this.pending !== pending) return;
          this.pending = null;
          timer.cancel();
          if (r instanceof Error) return reject(r);
          if (r.header === CCTALK.ACK) return resolve(r.data);
          reject(devError('DEV_VALIDATOR_FAULT', r.header === CCTALK.BUSY ? 'the validator is busy' : 'the validator refused a request (NAK)', { header, reply: r.header }));
        },
      };
      this.pending = pending;
      this.decoder.reset(); // anything held is from before this request
      port.write(encodeFrame({ destination: this.o.address, source: CCTALK.HOST_ADDRESS, header, data }));
    });
  }

  private onData(chunk: Buffer): void {
    for (const d of this.decoder.push(chunk)) {
      if (!d.ok) {
        this.pending?.settle(devError('DEV_CCTALK_BAD_FRAME', 'a ccTalk reply failed its checksum', { bytes: d.bytes }));
        continue;
      }
      // Our own request echoed on a shared ccTalk line, or another slave's traffic: not a reply to us.
      if (d.frame.destination !== CCTALK.HOST_ADDRESS || d.frame.source !== this.o.address) continue;
      this.pending?.settle(d.frame);
    }
  }

  private onClose(port: SerialPort): void {
    if (this.port !== port) return;
    this.port = null;
    this.pending?.settle(devError('DEV_PORT_GONE', 'the serial port went away', { path: this.o.path }));
    this.gone?.();
  }
}
