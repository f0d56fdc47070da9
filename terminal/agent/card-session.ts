import type { TesseraError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { CaptureResult, CardInserted, CardReader } from '../devices/card-reader.js';
import { CashCard } from '../devices/cash-card.js';
import { PurseCard } from '../devices/purse-card.js';
import { termError } from './errors.js';
import type { CardDisposition, CardSession } from './role.js';

/**
 * One inserted card for the length of one flow. The agent ends it with
 * `removedByHolder()` (reader reported removal) or `abort()` (flow timeout);
 * after either, assertPresent() throws and release/capture do nothing.
 */
export class AgentCardSession implements CardSession {
  readonly purse: PurseCard;
  readonly cashCard: CashCard;
  readonly readerName: string;
  readonly atr: Buffer;
  readonly insertedAtMs: number;
  private readonly controller = new AbortController();
  private state: CardDisposition = 'held';
  private stopReason: TesseraError | null = null;

  constructor(
    private readonly reader: CardReader,
    inserted: CardInserted,
    random: Random,
  ) {
    this.purse = new PurseCard(reader, random);
    this.cashCard = new CashCard(reader);
    this.readerName = inserted.readerName;
    this.atr = inserted.atr;
    this.insertedAtMs = inserted.readyAtMs;
  }

  get removed(): boolean {
    return this.state === 'removed';
  }

  get disposition(): CardDisposition {
    return this.state;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  assertPresent(): void {
    if (this.stopReason) throw this.stopReason;
  }

  /** The reader reported the card gone. */
  removedByHolder(): void {
    if (this.state === 'held') this.state = 'removed';
    this.stop(termError('TERM_CARD_REMOVED', 'the card was removed during the flow'));
  }

  /** The flow is being abandoned (timeout, agent stopping). */
  abort(reason: TesseraError): void {
    this.stop(reason);
  }

  private stop(reason: TesseraError): void {
    this.stopReason ??= reason;
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  async capture(): Promise<CaptureResult> {
    this.assertPresent();
    const r = await this.reader.capture();
    this.state = 'captured';
    return r;
  }

  async release(): Promise<void> {
    if (this.state !== 'held') return;
    this.state = 'returned';
    // The card may already be gone or released by the driver (PurseCard ejects a foreign card).
    await this.reader.eject().catch(() => undefined);
  }
}
