import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { SIM_LIMITS } from '../limits.js';
import type { SimReaderSlot } from '../pcscd/sim-pcscd.js';
import type { CardApplet } from './card-applet.js';
import { personaliseCard, personaliseCashCard, type CardState, type CashCardOptions, type CashCardState, type PersonaliseOptions } from './card-state.js';
import { CashCardApplet } from './cash-card-applet.js';
import { CardStateStore } from './card-state-store.js';
import { ForeignApplet } from './foreign-applet.js';
import { PurseApplet } from './purse-applet.js';
import { VirtualCard, type CardWireMode } from './virtual-card.js';

export interface InsertOptions {
  readonly mode?: CardWireMode;
  /** False reproduces a naive card (split writes, Nagle on): only for the latency bench. */
  readonly lowLatency?: boolean;
}

export interface SlotView {
  readonly name: string;
  readonly port: number;
  readonly cardId: string | null;
}

/**
 * The simulated card readers' slots and the cards in them. Cards are issued
 * into a CardStateStore (a directory shared by every simulator that should
 * see the same cards); inserting one starts a VirtualCard connected to the
 * slot's vpcd port, removing it disconnects.
 */
export class CardSlots {
  private readonly occupants = new Map<string, { cardId: string; card: VirtualCard }>();
  private readonly removedAtMs = new Map<string, number>();
  readonly store: CardStateStore;

  constructor(
    private readonly slots: readonly SimReaderSlot[],
    cardsDir: string,
    private readonly clock: Clock = systemClock,
  ) {
    this.store = new CardStateStore(cardsDir);
  }

  /** Issues (personalises) a card; an existing card with that id is replaced. */
  async issue(options: PersonaliseOptions): Promise<CardState> {
    const state = personaliseCard(options);
    await this.store.save(state);
    return state;
  }

  /** Issues a bank cash card for an account (no PIN on the card: the bank checks it); an existing card with that id is replaced. */
  async issueCashCard(options: CashCardOptions): Promise<CashCardState> {
    const state = personaliseCashCard(options);
    await this.store.save(state);
    return state;
  }

  list(): SlotView[] {
    return this.slots.map((s) => ({ name: s.name, port: s.port, cardId: this.occupants.get(s.name)?.cardId ?? null }));
  }

  private slot(readerName: string): SimReaderSlot {
    const slot = this.slots.find((s) => s.name === readerName);
    if (!slot) throw new TesseraError('SIM_UNKNOWN_READER', `no simulated reader '${readerName}'`);
    return slot;
  }

  /** Inserts an issued card into a reader slot; resolves once connected to the driver. */
  async insert(cardId: string, readerName: string, options: InsertOptions = {}): Promise<VirtualCard> {
    const slot = this.slot(readerName);
    if (this.occupants.has(readerName)) throw new TesseraError('SIM_SLOT_BUSY', `a card is already in '${readerName}'`);
    for (const [name, o] of this.occupants) {
      if (o.cardId === cardId) throw new TesseraError('SIM_SLOT_BUSY', `card ${cardId} is already in '${name}'`);
    }
    const card = new VirtualCard(this.applet(cardId), { ...options, clock: this.clock });
    this.occupants.set(readerName, { cardId, card });
    card.once('removed', () => {
      this.removedAtMs.set(readerName, this.clock.monoMs());
      if (this.occupants.get(readerName)?.card === card) this.occupants.delete(readerName);
    });
    try {
      await this.settle(readerName);
      await card.insert(slot.port);
    } catch (e) {
      this.occupants.delete(readerName);
      throw e;
    }
    return card;
  }

  /** Waits until the slot has been empty for slotSettleMs (so pcscd sees the removal). */
  private async settle(readerName: string): Promise<void> {
    const removedAt = this.removedAtMs.get(readerName);
    if (removedAt === undefined) return;
    const waitMs = removedAt + SIM_LIMITS.slotSettleMs - this.clock.monoMs();
    if (waitMs > 0) await this.clock.sleep(waitMs);
  }

  private applet(cardId: string): CardApplet {
    const state = this.store.loadAny(cardId);
    if (!state) throw new TesseraError('SIM_BAD_COMMAND', `card ${cardId} was never issued`, { cardId });
    if (state.application === 'cash') return new CashCardApplet(state);
    return state.application === 'foreign' ? new ForeignApplet() : new PurseApplet(this.store, cardId);
  }

  /**
   * Removes the card from a slot; resolves once disconnected and slotSettleMs
   * later, by when pcscd has polled the slot and reported the removal.
   */
  async remove(readerName: string): Promise<void> {
    this.slot(readerName);
    const occupant = this.occupants.get(readerName);
    if (!occupant) throw new TesseraError('SIM_SLOT_EMPTY', `no card in '${readerName}'`);
    this.occupants.delete(readerName);
    await occupant.card.remove();
    await this.settle(readerName);
  }

  /** The virtual card in a slot (tests hook its events). */
  card(readerName: string): VirtualCard | null {
    return this.occupants.get(readerName)?.card ?? null;
  }

  async removeAll(): Promise<void> {
    await Promise.all([...this.occupants.keys()].map((name) => this.remove(name)));
  }
}
