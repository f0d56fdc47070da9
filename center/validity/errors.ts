import { defineErrors } from '../../core/errors.js';

/** Validity checking (seed 001): the in-memory store, the four modes engine. */
export const ValidityErrors = defineErrors('validity', 'VALIDITY_', {
  VALIDITY_BAD_MEDIUM_ID: {
    meaning: 'A medium id is not 16 lowercase hex characters (8 bytes).',
    action: 'Check the terminal or admin tool sending it; the request is refused.',
  },
  VALIDITY_BAD_TERMINAL_ID: {
    meaning: 'A terminal id is not 1-16 characters of [A-Z0-9-].',
    action: 'Check the terminal configuration; the request is refused.',
  },
  VALIDITY_STORE_FULL: {
    meaning: 'The in-memory validity store reached its configured maximum of media or terminals.',
    action: 'Raise the limit in center/validity/limits.ts (and memory), or use a mode that does not cache that list.',
  },
  VALIDITY_LOAD_FAILED: {
    meaning: 'Prefetching the validity lists from the database failed.',
    action: 'Check the database connection; the center keeps its previous lists and retries at the next refresh.',
  },
  VALIDITY_SOURCE_UNAVAILABLE: {
    meaning: 'A validity query to the database failed or timed out while checking a request.',
    action: 'Check the database; affected requests are refused with reason UNAVAILABLE until it answers.',
  },
  VALIDITY_NOT_STARTED: {
    meaning: 'The validity store was used before its first prefetch finished.',
    action: 'Programmer error in the center composition: await start() before serving.',
  },
});

export type ValidityErrorCode = keyof typeof ValidityErrors;
