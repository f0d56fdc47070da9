import { defineErrors } from '../../core/errors.js';

/** `tessera mailbox serve`: the simulated mail server (SMTP) holding the simulated users' mailboxes. */
export const MAILBOX_ERRORS = defineErrors('mailbox', 'MAILBOX_', {
  MAILBOX_CONFIG_INVALID: {
    meaning: 'The mailbox config file is unreadable, not JSON, or does not match its schema (the message lists each bad field by path).',
    action: 'Fix the named fields; see sim/mailbox/serve-config.ts for the shape.',
  },
  MAILBOX_PASSWORD_FILE: {
    meaning: "The SMTP login's password file is missing, unreadable or empty.",
    action: 'Write the password to that file, mode 0600.',
  },
  MAILBOX_PASSWORD_FILE_PERMISSIONS: {
    meaning: "The SMTP login's password file is readable or writable by group or others.",
    action: 'chmod 600 the file the message names (the password itself is never shown).',
  },
  MAILBOX_LISTEN_FAILED: {
    meaning: 'The mail server could not bind its SMTP port.',
    action: 'Check listen.host/listen.port: another process may hold the port.',
  },
  MAILBOX_BAD_COMMAND: {
    meaning: "A control line on the mail server's stdin was not JSON or not a known command.",
    action: 'Send one of: reject, accept, temp-fail (see sim/mailbox/mailbox.ts).',
  },
});
