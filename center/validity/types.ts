/**
 * Validity checking (JP 11-328293): the data the center judges a request on,
 * the database side it is read from, and the outcomes it produces.
 */

import type { ChangeCursor, MediumStatus, TerminalStatus } from './records.js';

export { MEDIUM_STATUSES, TERMINAL_STATUSES } from './records.js';
export type { ChangeCursor, MediumStatus, TerminalStatus };

/** What the validity check needs of a medium (the storage row has more). Only `active` can be valid. */
export interface MediumValidity {
  /** 16 lowercase hex chars (8 bytes). */
  readonly id: string;
  readonly status: MediumStatus;
  /** Expiry instant; judged at whole-second resolution, see `expirySecOf`. null: no expiry. */
  readonly expiresAtMs: number | null;
  /** The medium's kind (`ic-card`, …) where the source knows it. */
  readonly kind?: string;
}

/** What the validity check needs of a terminal: registered (a row exists) and `active`. */
export interface TerminalValidity {
  readonly id: string;
  readonly status: TerminalStatus;
}

/** A row of a change feed: its state now, and the validity version of its last change. */
export type Versioned<T> = T & { readonly version: number };

/** A push from the database side. `fullReload`: pushes may have been lost (reconnect), reload all. */
export interface ValidityPush {
  readonly version: number;
  readonly fullReload: boolean;
}

/**
 * The database side as the validity engine sees it: a narrow view of the
 * storage contract (`center/storage/types.ts`), adapted by `storageSource`.
 */
export interface ValiditySource {
  getMedium(id: string): Promise<MediumValidity | null>;
  getTerminal(id: string): Promise<TerminalValidity | null>;
  /** Media ordered by id, strictly after `afterId` (null: from the start), at most `limit`. */
  listMedia(afterId: string | null, limit: number): Promise<readonly MediumValidity[]>;
  listTerminals(afterId: string | null, limit: number): Promise<readonly TerminalValidity[]>;
  /** Rows changed after the cursor, ordered by (version, id), each in its current state. */
  listMediaChangedSince(after: ChangeCursor, limit: number): Promise<readonly Versioned<MediumValidity>[]>;
  listTerminalsChangedSince(after: ChangeCursor, limit: number): Promise<readonly Versioned<TerminalValidity>[]>;
  /** How many media exist (sizes the table before a prefetch). */
  countMedia(): Promise<number>;
  /** Monotonic version of the validity data (bumped by every committed change). */
  validityVersion(): Promise<number>;
  /** Pushes committed changes; resolves once listening. The returned function stops it. */
  subscribe(listener: (push: ValidityPush) => void): Promise<() => Promise<void>>;
  /** Sets a medium's status to `captured` (the reader kept the card). */
  captureMedium(id: string): Promise<void>;
}

/** The four modes (config `validity.mode`). */
export const VALIDITY_MODES = ['direct', 'cached', 'cached-medium', 'cached-terminal'] as const;
export type ValidityMode = (typeof VALIDITY_MODES)[number];

/** Why a request was refused (mapped to the protocol's NAK reason codes by the session handler). */
export const NAK_REASONS = [
  'MEDIUM_UNKNOWN',
  'MEDIUM_LOST',
  'MEDIUM_STOLEN',
  'MEDIUM_EXPIRED',
  'MEDIUM_CAPTURED',
  'TERMINAL_UNKNOWN',
  'TERMINAL_INACTIVE',
  'TERMINAL_BLOCKED',
  'UNAVAILABLE',
  'BAD_REQUEST',
] as const;
export type NakReason = (typeof NAK_REASONS)[number];

/** The judgement of one side (medium or terminal). */
export type Judgement = { readonly ok: true } | { readonly ok: false; readonly reason: NakReason; readonly capture: boolean };

export const VALID: Judgement = Object.freeze({ ok: true });
