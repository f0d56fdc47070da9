import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { SIM_LIMITS } from '../limits.js';
import { PtyPair } from './pty-pair.js';

export type ScanDelimiter = 'CR' | 'LF' | 'CRLF';

const DELIMITERS: Record<ScanDelimiter, string> = { CR: '\r', LF: '\n', CRLF: '\r\n' };

export interface ScanOptions {
  /** AIM identifier to prefix (`]E0`, `]C1`, `]Q1`...), or none. */
  readonly aim?: string;
  readonly delimiter?: ScanDelimiter;
}

/**
 * A serial barcode scanner on a socat pty pair. `devicePath` is what the
 * driver opens; scan() writes a code the way a scanner in keyboard-less
 * serial mode does (optional AIM prefix, data, delimiter). unplug() and
 * plug() stop and restart socat on the same paths.
 */
export class VirtualScanner {
  private readonly pty: PtyPair;
  private writer: FileHandle | null = null;

  constructor(dir: string, name: string, clock: Clock = systemClock) {
    this.pty = new PtyPair(join(dir, `${name}.tty`), join(dir, `${name}.host`), clock);
  }

  /** The serial port path the driver should open. */
  get devicePath(): string {
    return this.pty.deviceLink;
  }

  get plugged(): boolean {
    return this.writer !== null;
  }

  async plug(): Promise<void> {
    if (this.writer) return;
    await this.pty.start();
    this.writer = await open(this.pty.hostLink, 'w');
  }

  async unplug(): Promise<void> {
    const writer = this.writer;
    this.writer = null;
    await writer?.close();
    await this.pty.stop();
  }

  /** Sends one code: [AIM prefix] data delimiter (default CR, as most scanners ship). */
  async scan(data: string, options: ScanOptions = {}): Promise<void> {
    const text = `${options.aim ?? ''}${data}${DELIMITERS[options.delimiter ?? 'CR']}`;
    await this.writeRaw(Buffer.from(text, 'utf8'));
  }

  /** Writes raw bytes (garbage, partial lines, over-long lines). */
  async writeRaw(bytes: Buffer): Promise<void> {
    if (!this.writer) throw new TesseraError('SIM_BAD_COMMAND', 'scanner is unplugged');
    if (bytes.length > SIM_LIMITS.scanBytesMax) throw new TesseraError('SIM_BAD_COMMAND', 'scan too large for the simulator');
    await this.writer.write(bytes);
  }
}
