import { isTesseraError } from '../../../../../core/errors.js';
import type { Journal } from '../../../../journal/journal.js';
import type { OutboxEntry } from '../../../../journal/types.js';
import { AGENT_LIMITS } from '../../../../limits.js';
import type { RecoverResult } from '../../../role.js';
import { closeCharge, type ChargePayload } from './charge-entry.js';

/** The code to journal for a failed attempt (the protocol code under a TERM_ link error); never a message. */
export function failureCode(e: unknown): string {
  if (!isTesseraError(e)) return 'INTERNAL';
  return String(e.details?.['protocolCode'] ?? e.code);
}

/**
 * A repeat that got no usable answer: counted, or at the attempt limit the
 * charge is given up (closed);
 * the center resolves a given-up charge by its own timeouts.
 */
export function failedRepeat(journal: Journal, entry: OutboxEntry, p: ChargePayload, e: unknown): RecoverResult {
  if (entry.attempts + 1 >= AGENT_LIMITS.outboxAttemptsMax) {
    closeCharge(journal, entry.transactionId, p, 'abandoned');
    return 'abandoned';
  }
  journal.outboxFailed(entry.transactionId, failureCode(e));
  return 'retry';
}
