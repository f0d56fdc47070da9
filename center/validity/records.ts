/**
 * The validity lists' rows (seed 001 and every module's media): media of
 * several kinds and terminals, as the validity repository reads and writes them.
 */

export const MEDIUM_STATUSES = ['active', 'lost', 'stolen', 'expired', 'captured'] as const;
export type MediumStatus = (typeof MEDIUM_STATUSES)[number];

export const TERMINAL_STATUSES = ['active', 'inactive', 'blocked'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export const OWNER_KINDS = ['store', 'user'] as const;
export type OwnerKind = (typeof OWNER_KINDS)[number];

/** The kind every existing medium is: an IC card (purse card) with an 8-byte id. */
export const IC_CARD = 'ic-card';

export interface Medium {
  /** The kind's id: an IC card's is 8 bytes as 16 lowercase hex chars. Unique across kinds. */
  readonly id: string;
  /** A registered medium kind (`ic-card`; voucher serials, prepaid media, … as their modules register them). */
  readonly kind: string;
  readonly status: MediumStatus;
  /** Wall-clock ms after which the medium is invalid whatever its status. */
  readonly expiresAtMs: number;
  /** The validity version of the last change to this row. */
  readonly version: number;
}

export interface NewMedium {
  readonly id: string;
  /** Default `ic-card`. */
  readonly kind?: string;
  readonly status?: MediumStatus;
  readonly expiresAtMs: number;
}

export interface Terminal {
  /** 1-16 chars `[A-Z0-9-]`. */
  readonly id: string;
  readonly ownerKind: OwnerKind;
  /** The store or user the terminal is registered to (1-64 chars). */
  readonly ownerId: string;
  readonly status: TerminalStatus;
  /** Names the terminal's key in the key store (never the key itself). */
  readonly keyRef: string;
  /** Where the center calls the terminal back (settlement, seed 004); null if none. */
  readonly callbackAddress: string | null;
  readonly version: number;
}

export interface NewTerminal {
  readonly id: string;
  readonly ownerKind: OwnerKind;
  readonly ownerId: string;
  readonly status?: TerminalStatus;
  readonly keyRef: string;
  readonly callbackAddress?: string | null;
}

/**
 * Keyset cursor for change feeds. Start with `{ version: v, id: null }` (every
 * row changed after version v); continue with the last row you got,
 * `{ version: row.version, id: row.id }` (rows after it in (version, id) order).
 */
export interface ChangeCursor {
  readonly version: number;
  readonly id: string | null;
}

/**
 * A push that validity data changed. `version` is the validity version after
 * the change. `fullReload` is true when changes may have been missed (the
 * PostgreSQL LISTEN connection was re-established: notifications are not
 * replayed), so the listener must reload everything. Listeners may see the
 * same version twice and may see versions skip: compare with what you hold.
 */
export interface ValidityChange {
  readonly version: number;
  readonly fullReload: boolean;
}

/**
 * A kind of medium on the validity lists: its name and its id format. Each
 * module registers the kinds it acts on (center/validity/kinds.ts), so one
 * block list stops every flow.
 */
export interface MediumKind {
  /** `[a-z0-9-]{1,32}`, e.g. `ic-card`, `voucher`. */
  readonly name: string;
  /** Whether a text is an id of this kind (formats should not overlap: ids are unique across kinds). */
  isId(id: string): boolean;
}
