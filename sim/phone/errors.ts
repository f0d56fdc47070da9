import { defineErrors } from '../../core/errors.js';

/** `tessera phone`: the simulated phone (receives SMS from the SMSC and e-mail from its mailbox, shows passwords as QR codes). */
export const PHONE_ERRORS = defineErrors('phone', 'PHONE_', {
  PHONE_CONFIG_INVALID: {
    meaning: 'The phone config file is unreadable, not JSON, or does not match its schema (the message lists each bad field by path).',
    action: 'Fix the named fields; see sim/phone/config.ts for the shape.',
  },
  PHONE_STORE_UNREADABLE: {
    meaning: "The phone's message store (messages.json in its directory) is not readable or not what the phone wrote.",
    action: 'Move the file away to start with an empty store (what it held is then lost from this phone).',
  },
  PHONE_STORE_PERMISSIONS: {
    meaning: "The phone's message store or device key is readable or writable by group or others.",
    action: 'chmod 600 the file the message names.',
  },
  PHONE_BIND_FAILED: {
    meaning: 'The SMSC refused or did not answer the phone\'s bind (unknown MSISDN, SMSC down).',
    action: 'Check that the MSISDN is registered in the SMSC config and the SMSC runs; the phone retries on its own.',
  },
  PHONE_NO_SUCH_MESSAGE: {
    meaning: 'No stored message has that id, or it holds no password.',
    action: 'List the stored messages with `tessera phone show` and use one of their ids.',
  },
  PHONE_NO_QR: {
    meaning: "The message's password has no QR form: no signed token (a keypad password for display-only devices), or a bearer token without its code.",
    action: 'Type the code shown in the message on the shop\'s keypad instead.',
  },
});
