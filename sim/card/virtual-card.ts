import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { SIM_LIMITS } from '../limits.js';
import { encodeVpcdMessage, VPCD_CONTROL, VpcdFrameDecoder } from '../vpcd/vpcd-frames.js';
import type { CardApplet } from './card-applet.js';

/**
 * How the card behaves on the wire: `normal` answers every APDU;
 * `unresponsive` gives its ATR but never answers an APDU (a dead chip: the
 * driver's transmit hangs until the card is pulled).
 */
export type CardWireMode = 'normal' | 'unresponsive';

export interface VirtualCardOptions {
  readonly mode?: CardWireMode;
  readonly clock?: Clock;
  /**
   * Disable Nagle and send each reply in one write (default true). False
   * reproduces the naive card (two writes, Nagle on) for the latency bench.
   */
  readonly lowLatency?: boolean;
}

export interface VirtualCardEvents {
  /** An APDU arrived (before it is processed): tests use it to pull the card mid-transmit. */
  apdu: [Buffer];
  /** The driver violated the vpcd contract (an APDU while one was in flight). */
  violation: [TesseraError];
  /** The connection to the driver closed (removed, or pcscd went away). */
  removed: [];
}

/**
 * A virtual ICC speaking the vpcd protocol as a TCP client. Inserting the card
 * is connecting to the reader slot's port; removing it is disconnecting. The
 * application logic lives in a CardApplet; this class only does the wire, the
 * power state and the sequencing contract (one APDU at a time).
 */
export class VirtualCard extends EventEmitter<VirtualCardEvents> {
  private socket: Socket | null = null;
  private readonly decoder = new VpcdFrameDecoder();
  private busy = false;
  private poweredOn = false;
  private apdus = 0;
  private readonly mode: CardWireMode;
  private readonly clock: Clock;
  private readonly lowLatency: boolean;

  constructor(readonly applet: CardApplet, options: VirtualCardOptions = {}) {
    super();
    this.mode = options.mode ?? 'normal';
    this.clock = options.clock ?? systemClock;
    this.lowLatency = options.lowLatency ?? true;
  }

  get inserted(): boolean {
    return this.socket !== null;
  }

  /** APDUs answered since construction. */
  get apduCount(): number {
    return this.apdus;
  }

  /** Inserts the card into the reader slot listening on `port`. */
  async insert(port: number, host = '127.0.0.1'): Promise<void> {
    if (this.socket) throw new TesseraError('SIM_SLOT_BUSY', 'card already inserted');
    const socket = await this.open(port, host);
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.onClose(socket));
    socket.on('error', () => socket.destroy());
  }

  /** Removes the card (closes the connection); resolves once closed. Idempotent. */
  async remove(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.destroy();
    await closed;
  }

  private open(port: number, host: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: this.lowLatency });
      const timer = this.clock.setTimer(SIM_LIMITS.cardConnectTimeoutMs, () => socket.destroy(new Error('timeout')));
      socket.once('connect', () => {
        timer.cancel();
        resolve(socket);
      });
      socket.once('error', (e) => {
        timer.cancel();
        reject(new TesseraError('SIM_CARD_CONNECT_FAILED', `cannot reach vpcd on port ${port}`, { port }, { cause: e }));
      });
    });
  }

  private onClose(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.poweredOn = false;
    this.busy = false;
    this.emit('removed');
  }

  private onData(chunk: Buffer): void {
    for (const message of this.decoder.push(chunk)) {
      if (message.length === 1) this.onControl(message[0] as number);
      else void this.onApdu(message);
    }
  }

  private onControl(code: number): void {
    switch (code) {
      case VPCD_CONTROL.powerOff:
        this.poweredOn = false;
        this.applet.reset();
        return;
      case VPCD_CONTROL.powerOn:
      case VPCD_CONTROL.reset:
        this.poweredOn = true;
        this.applet.reset();
        return;
      case VPCD_CONTROL.getAtr:
        this.send(this.applet.atr);
        return;
      default:
        return; // unknown control codes are ignored, as vicc does
    }
  }

  private async onApdu(apdu: Buffer): Promise<void> {
    this.emit('apdu', apdu);
    if (this.mode === 'unresponsive' || !this.socket) return;
    if (this.busy) {
      this.emit('violation', new TesseraError('SIM_OVERLAPPING_APDU', 'APDU received while another was in flight'));
      return;
    }
    this.busy = true;
    const socket = this.socket;
    try {
      const response = await this.applet.process(apdu);
      this.apdus += 1;
      if (this.socket === socket) this.send(response);
    } finally {
      this.busy = false;
    }
  }

  private send(body: Uint8Array): void {
    const socket = this.socket;
    if (!socket) return;
    const message = encodeVpcdMessage(body);
    if (this.lowLatency) {
      socket.write(message);
    } else {
      socket.write(message.subarray(0, 2));
      socket.write(message.subarray(2));
    }
  }

  /** Whether the reader powered the card (diagnostics). */
  get powered(): boolean {
    return this.poweredOn;
  }
}
