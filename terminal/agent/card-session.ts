import type { Clock } from '../../core/clock.js';
import { isTesseraError, type TesseraError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { CaptureResult, CardChannel, CardInserted, CardReader } from '../devices/card-reader.js';
import { AGENT_LIMITS } from '../limits.js';
import type { CardAppKind, CardAppRegistry, CardApps } from './card-apps.js';
import { termError } from './errors.js';
import type { CardDisposition, CardSession } from './role.js';

/**
 * One inserted card for the length of one flow: the flow belongs to this
 * card (terminal/agent/ROLES.md, "A flow belongs to its card"). The agent
 * ends it with `removedByHolder()` (reader reported removal) or `abort()`
 * (flow timeout); after either, the signal is aborted (every keypad wait of
 * the flow ends), assertPresent() throws, and every APDU the flow still sends
 * through its card applications (`app(kind)`) fails with the stop reason (TERM_CARD_REMOVED,
 * TERM_FLOW_TIMEOUT) before reaching the reader. Below that, each call names
 * the reader's insertion number, so even a removal the agent has not heard of
 * yet never lets an APDU reach the next card. The card id the flow reads
 * first is bound too: a later READ ID giving another id stops the flow.
 */
export class AgentCardSession implements CardSession {
  readonly readerName: string;
  readonly atr: Buffer;
  readonly insertedAtMs: number;
  private readonly insertion: number;
  private readonly controller = new AbortController();
  private state: CardDisposition = 'held';
  private stopReason: TesseraError | null = null;
  private boundId: string | null = null;
  /** A transmit failed with DEV_CARD_REMOVED: the removal report is owed, even if the reader has not sent it yet. */
  private removalImplied = false;
  private onRemoval: (() => void) | null = null;
  private readonly apps = new Map<string, unknown>();
  private readonly declared: ReadonlySet<string>;
  private readonly random: Random;
  private readonly registry: CardAppRegistry;
  private readonly role: string;

  /**
   * @param roleApps the build's card applications (`registry`), and the role
   * with the kinds it declared (Role.apps): only those are offered by `app(kind)`.
   */
  constructor(
    private readonly reader: CardReader,
    inserted: CardInserted,
    random: Random,
    roleApps: { readonly registry: CardAppRegistry; readonly role: string; readonly declared: readonly CardAppKind[] },
  ) {
    this.readerName = inserted.readerName;
    this.atr = inserted.atr;
    this.insertedAtMs = inserted.readyAtMs;
    this.insertion = inserted.insertion;
    this.random = random;
    this.registry = roleApps.registry;
    this.role = roleApps.role;
    this.declared = new Set(roleApps.declared);
  }

  /** The role's application `kind` on this card, built once per flow over the card's bound channel. */
  app<K extends CardAppKind>(kind: K): CardApps[K] {
    const made = this.apps.get(kind);
    if (made !== undefined) return made as CardApps[K];
    if (!this.declared.has(kind)) {
      throw termError('TERM_ROLE_COMPOSITION', `role '${this.role}' asked for the card application '${kind}' it did not declare (Role.apps)`, { role: this.role, cardApp: kind, declared: [...this.declared].sort() });
    }
    const app = this.registry.create(kind, { channel: this.channel(), random: this.random, bindMediumId: (id) => this.bindId(id) });
    this.apps.set(kind, app);
    return app;
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

  /** The card id read first in this flow, or null. */
  get mediumId(): string | null {
    return this.boundId;
  }

  assertPresent(): void {
    if (this.stopReason) throw this.stopReason;
  }

  /** The reader reported the card gone. */
  removedByHolder(): void {
    if (this.state === 'held') this.state = 'removed';
    this.stop(termError('TERM_CARD_REMOVED', 'the card was removed during the flow'));
    this.onRemoval?.();
  }

  /** The flow is being abandoned (timeout, agent stopping). */
  abort(reason: TesseraError): void {
    this.stop(reason);
  }

  private stop(reason: TesseraError): void {
    this.stopReason ??= reason;
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** The reader, as this card's flow may use it: refused once the flow stopped, and bound to this insertion. */
  private channel(): CardChannel {
    const binding = { insertion: this.insertion };
    return {
      transmit: async (apdu, options = {}) => {
        this.assertPresent();
        try {
          return await this.reader.transmit(apdu, { ...options, ...binding });
        } catch (e) {
          if (isTesseraError(e) && e.code === 'DEV_CARD_REMOVED') this.removalImplied = true;
          throw e;
        }
      },
      eject: async () => {
        this.assertPresent();
        await this.reader.eject(binding);
      },
    };
  }

  private bindId(mediumId: string): void {
    if (this.boundId === null) {
      this.boundId = mediumId;
      return;
    }
    if (mediumId === this.boundId) return;
    const e = termError('TERM_CARD_REMOVED', 'another card answered than the one the flow started with', { mediumId: this.boundId });
    this.stop(e);
    throw e;
  }

  /**
   * Before the disposition is labelled: a transmit that failed with
   * DEV_CARD_REMOVED means the card is leaving, and pcscd may report it a
   * poll later; wait for that report (bounded), then ask the reader whether
   * this card is still the one connected. A card that is gone is `removed`,
   * never `returned`.
   */
  async settle(clock: Clock): Promise<void> {
    if (this.state !== 'held') return;
    if (this.removalImplied) {
      await new Promise<void>((resolve) => {
        const timer = clock.setTimer(AGENT_LIMITS.removalReportWaitMs, () => resolve());
        this.onRemoval = () => {
          timer.cancel();
          resolve();
        };
      });
      this.onRemoval = null;
      if (this.state !== 'held') return;
    }
    const status = await this.reader.status().catch(() => null);
    const gone = status !== null && (status.media === 'absent' || status.media === 'unknown' || (status.insertion !== null && status.insertion !== this.insertion));
    if (gone) this.removedByHolder();
  }

  async capture(): Promise<CaptureResult> {
    this.assertPresent();
    const r = await this.reader.capture({ insertion: this.insertion });
    this.state = 'captured';
    return r;
  }

  async release(): Promise<void> {
    if (this.state !== 'held') return;
    this.state = 'returned';
    // The card may already be gone or released by the driver (PurseCard ejects a foreign card).
    await this.reader.eject({ insertion: this.insertion }).catch(() => undefined);
  }
}
