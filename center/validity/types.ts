/**
 * Validity checking (JP 11-328293): the data the center judges a request on,
 * the database side it is read from, and the outcomes it produces.
 */

/** Medium (IC card) statuses in the database. Only `active` can be valid. */
export const MEDIUM_STATUSES = ['active', 'lost', 'stolen', 'expired', 'captured'] as const;
export type MediumStatus = (typeof MEDIUM_STATUSES)[number];

/** Terminal statuses; only `active` is valid. */
export const TERMINAL_STATUSES = ['active', 'suspended', 'revoked'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export interface MediumValidity {
  /** 16 lowercase hex chars (8 bytes). */
  readonly id: string;
  readonly status: MediumStatus;
  /** Expiry instant; the store keeps whole seconds, see `expirySecOf`. null: no expiry. */
  readonly expiresAtMs: number | null;
}

export interface TerminalValidity {
  readonly id: string;
  readonly status: TerminalStatus;
}

/** A change pushed by the database side. `reset`: changes may have been lost (reconnect), reload all. */
export type ValidityChange =
  | { readonly kind: 'medium'; readonly id: string; readonly version: number }
  | { readonly kind: 'terminal'; readonly id: string; readonly version: number }
  | { readonly kind: 'reset' };

/**
 * The database side as the validity engine sees it (a narrow view of the
 * storage contract; `center/validity/storage-source.ts` adapts the storage).
 */
export interface ValiditySource {
  getMedium(id: string): Promise<MediumValidity | null>;
  getTerminal(id: string): Promise<TerminalValidity | null>;
  /** Media ordered by id, strictly after `afterId` (null: from the start), at most `limit`. */
  listMedia(afterId: string | null, limit: number): Promise<readonly MediumValidity[]>;
  listTerminals(afterId: string | null, limit: number): Promise<readonly TerminalValidity[]>;
  /** Monotonic version of the validity data (bumped by every change). */
  validityVersion(): Promise<number>;
  /** Pushes changes; resolves once listening. The returned function stops it. */
  subscribe(listener: (change: ValidityChange) => void): Promise<() => Promise<void>>;
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
  'TERMINAL_SUSPENDED',
  'TERMINAL_REVOKED',
  'UNAVAILABLE',
  'BAD_REQUEST',
] as const;
export type NakReason = (typeof NAK_REASONS)[number];

/** The judgement of one side (medium or terminal). */
export type Judgement = { readonly ok: true } | { readonly ok: false; readonly reason: NakReason; readonly capture: boolean };

export const VALID: Judgement = Object.freeze({ ok: true });
