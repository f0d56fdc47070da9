/**
 * Card applications by registration. A card session offers
 * `session.app(kind)` for the applications its role declares (`Role.apps`);
 * each is built by the factory registered for its kind, over the session's
 * channel — refused once the card left, bound to its insertion (ROLES.md, "A
 * flow belongs to its card") — so a new application (a prepaid medium, a
 * voucher) is a factory and a line, never a new field on the session.
 *
 * A capability adds its kind to `CardApps` by declaration merging, next to
 * its driver:
 *
 *     declare module '../../card-apps.js' { interface CardApps { voucher: VoucherCard } }
 *
 * and registers its factory in its entry of roles/builtin.ts (`cardApps`).
 * The purse and the cash card, whose drivers are in terminal/devices/, are
 * declared here and registered by roles/builtin.ts's DEVICE_CARD_APPS.
 */
import type { Random } from '../../core/random.js';
import type { CardChannel } from '../devices/card-reader.js';
import type { CashCard } from '../devices/cash-card.js';
import type { PurseCard } from '../devices/purse-card.js';
import { termError } from './errors.js';

/** Kind → the application's driver type (extended by declaration merging). */
export interface CardApps {
  /** The Tessera purse (sim/CARD.md): select() first; read the card id before anything else. */
  purse: PurseCard;
  /** The bank cash card (seed 004 kiosk): probe() tells it from a purse without ejecting. */
  cashCard: CashCard;
}

export type CardAppKind = keyof CardApps & string;

/** What a factory builds an application from: the card's own channel, never the reader. */
export interface CardAppContext {
  /** The card session's channel: every APDU fails with the session's stop reason once the card left. */
  readonly channel: CardChannel;
  readonly random: Random;
  /** Tell the session each card id the application reads: the flow is bound to the first; another one stops it (TERM_CARD_REMOVED). */
  bindMediumId(mediumId: string): void;
}

export type CardAppFactory<K extends CardAppKind = CardAppKind> = (c: CardAppContext) => CardApps[K];

/** Kind → factory. Composed once (roles/builtin.ts); the agent checks every role's declared apps against it at creation. */
export class CardAppRegistry {
  private readonly factories = new Map<string, CardAppFactory>();

  /** A kind registered twice is a composition error (TERM_ROLE_COMPOSITION). */
  register<K extends CardAppKind>(kind: K, factory: CardAppFactory<K>): this {
    if (this.factories.has(kind)) throw termError('TERM_ROLE_COMPOSITION', `card application '${kind}' registered twice`, { cardApp: kind });
    this.factories.set(kind, factory as unknown as CardAppFactory);
    return this;
  }

  has(kind: string): boolean {
    return this.factories.has(kind);
  }

  get kinds(): string[] {
    return [...this.factories.keys()].sort();
  }

  /** TERM_ROLE_COMPOSITION when `role` declares an application this build does not register. */
  assertProvides(role: string, kinds: readonly string[]): void {
    for (const kind of kinds) {
      if (!this.has(kind)) throw termError('TERM_ROLE_COMPOSITION', `role '${role}' needs the card application '${kind}', which this build does not register`, { role, cardApp: kind, known: this.kinds });
    }
  }

  create<K extends CardAppKind>(kind: K, c: CardAppContext): CardApps[K] {
    const factory = this.factories.get(kind);
    if (!factory) throw termError('TERM_ROLE_COMPOSITION', `no card application '${kind}' in this build`, { cardApp: kind, known: this.kinds });
    return factory(c) as CardApps[K];
  }
}
