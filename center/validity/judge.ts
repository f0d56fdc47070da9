import type { Judgement, MediumStatus, MediumValidity, NakReason, TerminalStatus, TerminalValidity } from './types.js';
import { VALID } from './types.js';

/**
 * The one rule every mode applies, whether the record came from memory or
 * from the database, so the modes can only differ in *when* they look.
 */

const U32_MAX = 0xffff_ffff;

/** Expiry in whole seconds since the epoch (0 = none): the resolution the store keeps. */
export function expirySecOf(expiresAtMs: number | null): number {
  if (expiresAtMs === null) return 0;
  const sec = Math.floor(expiresAtMs / 1000);
  // Before 1970-01-01T00:00:01 means "already expired"; beyond 2106 means "never" in practice.
  return Math.min(Math.max(sec, 1), U32_MAX);
}

const MEDIUM_REASON: Record<Exclude<MediumStatus, 'active'>, NakReason> = {
  lost: 'MEDIUM_LOST',
  stolen: 'MEDIUM_STOLEN',
  expired: 'MEDIUM_EXPIRED',
  captured: 'MEDIUM_CAPTURED',
};

/** Judges a medium from its status and expiry second; an invalid card is to be captured. */
export function judgeMediumFields(status: MediumStatus | undefined, expirySec: number, nowMs: number): Judgement {
  if (status === undefined) return { ok: false, reason: 'MEDIUM_UNKNOWN', capture: false };
  if (status !== 'active') return { ok: false, reason: MEDIUM_REASON[status], capture: true };
  if (expirySec !== 0 && nowMs >= expirySec * 1000) return { ok: false, reason: 'MEDIUM_EXPIRED', capture: true };
  return VALID;
}

export function judgeMedium(record: MediumValidity | null, nowMs: number): Judgement {
  if (record === null) return judgeMediumFields(undefined, 0, nowMs);
  return judgeMediumFields(record.status, expirySecOf(record.expiresAtMs), nowMs);
}

const TERMINAL_REASON: Record<Exclude<TerminalStatus, 'active'>, NakReason> = {
  inactive: 'TERMINAL_INACTIVE',
  blocked: 'TERMINAL_BLOCKED',
};

/** Judges a terminal: registered and active. The card is innocent: never captured for this. */
export function judgeTerminal(record: TerminalValidity | null): Judgement {
  if (record === null) return { ok: false, reason: 'TERMINAL_UNKNOWN', capture: false };
  if (record.status !== 'active') return { ok: false, reason: TERMINAL_REASON[record.status], capture: false };
  return VALID;
}

/** Both sides: the medium's refusal takes precedence (it decides the capture). */
export function judgeBoth(medium: Judgement, terminal: Judgement): Judgement {
  if (!medium.ok) return medium;
  return terminal;
}
