import { devError } from '../../terminal/devices/errors.js';
import type { CcTalkLink } from '../../terminal/devices/serial/cctalk-link.js';
import { CCTALK } from '../../terminal/devices/serial/cctalk-frame.js';
import type { ValidatorModel } from './validator-model.js';

/**
 * The simulator's in-process ccTalk line (serialport's MockBinding, for the
 * bill validator): requests go straight to a ValidatorModel, no bytes. The
 * cable can be pulled (unplug: an open line is lost, opening fails) and the
 * validator can go mute (requests time out at once). The same contract suite
 * runs on this and on the real serial line.
 */
export class ModelCcTalkLink implements CcTalkLink {
  private open_ = false;
  private plugged_ = true;
  private gone: (() => void) | null = null;
  mute = false;

  constructor(private readonly model: ValidatorModel) {}

  get plugged(): boolean {
    return this.plugged_;
  }

  onGone(fn: () => void): void {
    this.gone = fn;
  }

  async open(): Promise<void> {
    if (!this.plugged_) throw devError('DEV_PORT_GONE', 'the simulated validator is unplugged');
    this.open_ = true;
  }

  async close(): Promise<void> {
    this.open_ = false;
  }

  async request(header: number, data: Buffer): Promise<Buffer> {
    if (!this.open_) throw devError('DEV_PORT_GONE', 'ccTalk line is not open');
    await Promise.resolve(); // a reply is never synchronous
    const reply = this.mute ? null : this.model.handle(header, data);
    if (!reply) throw devError('DEV_TIMEOUT', 'the validator did not answer', { header });
    if (reply.header !== CCTALK.ACK) throw devError('DEV_VALIDATOR_FAULT', 'the validator refused a request (NAK)', { header, reply: reply.header });
    return reply.data;
  }

  unplug(): void {
    this.plugged_ = false;
    if (!this.open_) return;
    this.open_ = false;
    this.gone?.();
  }

  plug(): void {
    this.plugged_ = true;
  }
}
