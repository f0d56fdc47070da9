import { defineErrors } from '../../core/errors.js';

/** `tessera smsc serve`: the simulated SMSC (an SMPP server delivering to simulated phones). */
export const SMSC_ERRORS = defineErrors('smsc', 'SMSC_', {
  SMSC_CONFIG_INVALID: {
    meaning: 'The SMSC config file is unreadable, not JSON, or does not match its schema (the message lists each bad field by path).',
    action: 'Fix the named fields; see sim/smsc/serve-config.ts for the shape.',
  },
  SMSC_PASSWORD_FILE: {
    meaning: "An SMPP account's password file (accounts[].passwordFile) is missing, unreadable, empty or longer than SMPP's 8 characters.",
    action: 'Write the password (1-8 printable characters) to that file, mode 0600.',
  },
  SMSC_PASSWORD_FILE_PERMISSIONS: {
    meaning: "An SMPP account's password file is readable or writable by group or others.",
    action: 'chmod 600 the file the message names (the password itself is never shown).',
  },
  SMSC_LISTEN_FAILED: {
    meaning: 'The SMSC could not bind its SMPP port.',
    action: 'Check listen.host/listen.port: another process may hold the port.',
  },
  SMSC_BAD_COMMAND: {
    meaning: 'A control line on the SMSC\'s stdin was not JSON or not a known command.',
    action: 'Send one of: phone-off, phone-on, receipt-delay, throttle, down, up (see sim/smsc/smsc.ts).',
  },
});
