import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { CcTalkFrameDecoder, encodeFrame } from '../../terminal/devices/serial/cctalk-frame.js';
import { SIM_LIMITS } from '../limits.js';
import { PtyPair } from '../scanner/pty-pair.js';
import { ValidatorModel, type ValidatorModelOptions } from './validator-model.js';

export interface VirtualValidatorOptions extends ValidatorModelOptions {
  /** ccTalk address it answers (bill validators ship at 40). */
  readonly address?: number;
}

/**
 * A ccTalk bill validator on a socat pty pair: the driver opens `devicePath`
 * as its serial port; this end reads ccTalk frames addressed to `address`
 * and answers them from its ValidatorModel, byte for byte as the ccTalk
 * Generic Specification frames them (a frame with a bad checksum gets no
 * answer, as on a real line). unplug() stops socat (the cable is pulled);
 * plug() brings it back on the same paths, the model's state kept. `mute`
 * makes it stop answering while the line stays up.
 */
export class VirtualValidator {
  readonly model: ValidatorModel;
  readonly address: number;
  private readonly pty: PtyPair;
  private readonly decoder = new CcTalkFrameDecoder();
  private port: SerialPort | null = null;
  mute = false;
  /** Echo every byte the host sends before answering, as a single-wire ccTalk line does. */
  echo = false;
  private corruptHeaders = new Set<number>();
  /** Frames it received (for tests: what the driver sent). */
  readonly received: Array<{ readonly header: number; readonly data: Buffer }> = [];

  constructor(dir: string, name: string, options: VirtualValidatorOptions, clock: Clock = systemClock) {
    this.pty = new PtyPair(join(dir, `${name}.tty`), join(dir, `${name}.host`), clock);
    this.model = new ValidatorModel(options);
    this.address = options.address ?? 40;
  }

  /** The serial port path the driver should open. */
  get devicePath(): string {
    return this.pty.deviceLink;
  }

  get plugged(): boolean {
    return this.port !== null;
  }

  async plug(): Promise<void> {
    if (this.port) return;
    await this.pty.start();
    const port = new SerialPort({ path: this.pty.hostLink, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(new TesseraError('SIM_SOCAT_FAILED', 'cannot open the validator pty', { path: this.pty.hostLink }, { cause: e })) : resolve())));
    port.on('data', (chunk: Buffer) => this.onData(port, chunk));
    port.on('error', () => undefined);
    this.decoder.reset();
    this.port = port;
  }

  async unplug(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    await this.pty.stop();
  }

  /** The next reply to a request with this header goes out with a wrong checksum (line noise). */
  corruptNextReply(header: number): void {
    this.corruptHeaders.add(header);
  }

  private onData(port: SerialPort, chunk: Buffer): void {
    if (this.echo && this.port === port) port.write(chunk);
    for (const d of this.decoder.push(chunk)) {
      if (!d.ok) continue;
      const { destination, source, header, data } = d.frame;
      if (destination !== this.address && destination !== 0) continue;
      this.received.push({ header, data });
      if (this.received.length > SIM_LIMITS.validatorFramesKeptMax) this.received.splice(0, this.received.length - SIM_LIMITS.validatorFramesKeptMax);
      const reply = this.mute ? null : this.model.handle(header, data);
      if (!reply || this.port !== port) continue;
      const bytes = encodeFrame({ destination: source, source: this.address, header: reply.header, data: reply.data });
      if (this.corruptHeaders.delete(header)) bytes[bytes.length - 1] = (bytes[bytes.length - 1]! + 1) & 0xff;
      port.write(bytes);
    }
  }
}
