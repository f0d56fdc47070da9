import { EventEmitter } from 'node:events';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { SIM_LIMITS } from '../limits.js';
import { VPCD_CONTROL } from '../vpcd/vpcd-frames.js';
import { openVpcdLine, type VpcdLine } from '../vpcd/vpcd-line.js';
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
 * application logic lives in a CardApplet; this class does the power state and
 * the sequencing contract (one APDU at a time). The socket itself lives in a
 * worker thread that answers pcscd's ATR polls on its own (vpcd-line.ts: a
 * driver in this same process may block the JS thread in a synchronous PC/SC
 * call that waits for such a poll).
 */
export class VirtualCard extends EventEmitter<VirtualCardEvents> {
  private line: VpcdLine | null = null;
  private busy = false;
  private poweredOn = false;
  private apdus = 0;
  private readonly mode: CardWireMode;
  private readonly clock: Clock;
  private readonly lowLatency: boolean;
  private closed: Promise<void> = Promise.resolve();

  constructor(readonly applet: CardApplet, options: VirtualCardOptions = {}) {
    super();
    this.mode = options.mode ?? 'normal';
    this.clock = options.clock ?? systemClock;
    this.lowLatency = options.lowLatency ?? true;
  }

  get inserted(): boolean {
    return this.line !== null;
  }

  /** APDUs answered since construction. */
  get apduCount(): number {
    return this.apdus;
  }

  /** Inserts the card into the reader slot listening on `port`. */
  async insert(port: number, host = '127.0.0.1'): Promise<void> {
    if (this.line) throw new TesseraError('SIM_SLOT_BUSY', 'card already inserted');
    let markClosed: () => void = () => undefined;
    this.closed = new Promise<void>((resolve) => (markClosed = resolve));
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (reason: string): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        line.close();
        reject(new TesseraError('SIM_CARD_CONNECT_FAILED', `cannot reach vpcd on port ${port}`, { port, reason }));
      };
      const timer = this.clock.setTimer(SIM_LIMITS.cardConnectTimeoutMs, () => fail('timeout'));
      const line: VpcdLine = openVpcdLine(
        { port, host, atr: this.applet.atr, lowLatency: this.lowLatency },
        {
          onConnected: () => {
            if (settled) return;
            settled = true;
            timer.cancel();
            this.line = line;
            resolve();
          },
          onError: (reason) => fail(reason),
          onMessage: (message) => this.onMessage(line, message),
          onClosed: () => {
            fail('closed');
            this.onClose(line);
            markClosed();
          },
        },
      );
    });
  }

  /** Removes the card (closes the connection); resolves once closed. Idempotent. */
  async remove(): Promise<void> {
    const line = this.line;
    if (!line) return;
    line.close();
    await this.closed;
  }

  private onClose(line: VpcdLine): void {
    if (this.line !== line) return;
    this.line = null;
    this.poweredOn = false;
    this.busy = false;
    this.emit('removed');
  }

  private onMessage(line: VpcdLine, message: Buffer): void {
    if (this.line !== line) return;
    if (message.length === 1) this.onControl(message[0] as number);
    else void this.onApdu(message);
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
        this.send(this.applet.atr); // the line answers it; kept for a line that forwards it
        return;
      default:
        return; // unknown control codes are ignored, as vicc does
    }
  }

  private async onApdu(apdu: Buffer): Promise<void> {
    this.emit('apdu', apdu);
    if (this.mode === 'unresponsive' || !this.line) return;
    if (this.busy) {
      this.emit('violation', new TesseraError('SIM_OVERLAPPING_APDU', 'APDU received while another was in flight'));
      return;
    }
    this.busy = true;
    const line = this.line;
    try {
      const response = await this.applet.process(apdu);
      this.apdus += 1;
      if (this.line === line) this.send(response);
    } finally {
      this.busy = false;
    }
  }

  private send(body: Uint8Array): void {
    this.line?.send(body);
  }

  /** Whether the reader powered the card (diagnostics). */
  get powered(): boolean {
    return this.poweredOn;
  }
}
