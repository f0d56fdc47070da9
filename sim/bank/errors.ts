import { defineErrors } from '../../core/errors.js';

/** `tessera bank serve`: one simulated bank host in its own process (sim/bank). Its declines are the BANK_ codes. */
export const BANK_HOST_ERRORS = defineErrors('bank-host', 'BANKHOST_', {
  BANKHOST_CONFIG_UNREADABLE: {
    meaning: 'The bank config file could not be read or is not JSON.',
    action: 'Check the path given to --config and that the file is valid JSON.',
  },
  BANKHOST_CONFIG_INVALID: {
    meaning: 'The bank config does not match its schema (the message lists each bad field by path).',
    action: 'Fix the named fields; see sim/bank/serve-config.ts for the shape and defaults.',
  },
  BANKHOST_PIN_FILE: {
    meaning: 'An account\'s PIN file (accounts[].pinFile) is missing, unreadable, or not 4-12 digits.',
    action: 'Write the PIN (or the provider account\'s security code), digits only, to that file, mode 0600.',
  },
  BANKHOST_PIN_FILE_PERMISSIONS: {
    meaning: 'An account\'s PIN file is readable or writable by group or others.',
    action: 'chmod 600 the file the message names (the PIN itself is never shown).',
  },
  BANKHOST_LISTEN_FAILED: {
    meaning: 'The bank\'s HTTP endpoint could not bind its address.',
    action: 'Check listen.host/listen.port: another process may hold the port.',
  },
});

export type BankHostErrorCode = keyof typeof BANK_HOST_ERRORS;
