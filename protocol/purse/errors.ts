import { defineErrors } from '../../core/errors.js';

/** Errors of the purse card application codec (terminal and center side). */
export const PURSE_ERRORS = defineErrors('purse', 'PURSE_', {
  PURSE_BAD_RESPONSE: {
    meaning: 'A purse card response had the wrong length or an impossible value.',
    action: 'The card is faulty or not a Tessera purse; eject it and ask the holder to contact the issuer.',
  },
  PURSE_BAD_ARGUMENT: {
    meaning: 'A purse command was built with an out-of-range field (amount, terminal id, PIN, nonce).',
    action: 'Fix the caller: amounts are safe integers >= 1, terminal ids 1-16 of [A-Z0-9-], PINs 4-8 digits.',
  },
  PURSE_BAD_KEY: {
    meaning: 'An issuer master key or card key did not have 32 bytes.',
    action: 'Check the key file: issuer master keys are 32 random bytes.',
  },
});

export type PurseErrorCode = keyof typeof PURSE_ERRORS;
