import { defineErrors } from '../../core/errors.js';

/** Validity checking (seed 001): the in-memory store, the four modes engine. */
export const ValidityErrors = defineErrors('validity', 'VALIDITY_', {
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
  VALIDITY_KIND_INVALID: {
    meaning: 'A module registered a medium kind whose name is not 1-32 chars [a-z0-9-].',
    action: 'Programmer error in the module: name the kind like `voucher` or `prepaid-medium`.',
  },
  VALIDITY_KIND_TAKEN: {
    meaning: 'Two modules registered different medium kinds under one name.',
    action: 'Programmer error in the center composition: give each medium kind one owner.',
  },
});

export type ValidityErrorCode = keyof typeof ValidityErrors;
