/**
 * The medium kinds the validity lists accept. IC cards (16 lowercase hex
 * chars, 8 bytes) from the start; each module registers the kinds it acts
 * on (voucher serials, prepaid media, settlement passwords, devices) through
 * the validity module's api, and asks the same gate before it acts, so one
 * block list stops every flow.
 */
import { TesseraError } from '../../core/errors.js';
import { IC_CARD, type MediumKind } from './records.js';

const KIND_NAME = /^[a-z0-9-]{1,32}$/;
/** Any medium id is 1-64 printable ASCII chars without spaces, whatever its kind's format. */
const ANY_ID = /^[\x21-\x7e]{1,64}$/;

export const IC_CARD_KIND: MediumKind = { name: IC_CARD, isId: (id) => /^[0-9a-f]{16}$/.test(id) };

export class MediumKinds {
  private readonly byName = new Map<string, MediumKind>([[IC_CARD, IC_CARD_KIND]]);
  readonly defaultKind = IC_CARD;

  /** Registers a kind (idempotent for the same object); VALIDITY_KIND_TAKEN for another kind of the same name. */
  register(kind: MediumKind): void {
    if (!KIND_NAME.test(kind.name)) throw new TesseraError('VALIDITY_KIND_INVALID', `medium kind name ${JSON.stringify(kind.name)}: 1-32 chars [a-z0-9-]`, { kind: kind.name });
    const had = this.byName.get(kind.name);
    if (had !== undefined && had !== kind) throw new TesseraError('VALIDITY_KIND_TAKEN', `medium kind ${kind.name} is registered twice`, { kind: kind.name });
    this.byName.set(kind.name, kind);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Whether `id` is an id of the registered kind `name`. */
  accepts(name: string, id: string): boolean {
    const kind = this.byName.get(name);
    return kind !== undefined && ANY_ID.test(id) && kind.isId(id);
  }

  /** The first registered kind whose format the id has (undefined: none). */
  kindOf(id: string): string | undefined {
    if (!ANY_ID.test(id)) return undefined;
    for (const k of this.byName.values()) if (k.isId(id)) return k.name;
    return undefined;
  }

  /** For messages: the registered kinds' names. */
  describe(): string {
    return [...this.byName.keys()].map((n) => (n === IC_CARD ? `${IC_CARD}: 16 lowercase hex chars` : n)).join(', ');
  }
}
