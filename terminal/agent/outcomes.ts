import { errorCode, isTesseraError } from '../../core/errors.js';
import type { FlowOutcome } from './role.js';

const DEVICE_TO_TERM: Readonly<Record<string, string>> = {
  DEV_CARD_REMOVED: 'TERM_CARD_REMOVED',
  DEV_NOT_OUR_CARD: 'TERM_FOREIGN_CARD',
  DEV_CARD_MUTE: 'TERM_CARD_UNREADABLE',
  DEV_CARD_IO: 'TERM_CARD_UNREADABLE',
};

/**
 * The outcome of a flow that threw. Coded errors keep their code (the few
 * device codes that mean "this card" map to TERM_ codes, the device code kept
 * in details); an uncoded error is a programming error: TERM_ROLE_FAILED.
 */
export function errorOutcome(e: unknown): FlowOutcome {
  if (!isTesseraError(e)) return { result: 'error', code: 'TERM_ROLE_FAILED', details: { error: e instanceof Error ? e.name : typeof e } };
  const mapped = DEVICE_TO_TERM[e.code];
  const details = { ...(e.details ?? {}), ...(mapped && { deviceCode: e.code }) };
  const mediumId = e.details?.['mediumId'];
  return { result: 'error', code: mapped ?? errorCode(e), details, ...(typeof mediumId === 'string' && { mediumId }) };
}
