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
  PHONE_DIR_UNUSABLE: {
    meaning: "The phone's directory (config `dir`, details.path) is missing and cannot be created, or is not a directory.",
    action: 'Create the directory (mode 0700) or point `dir` at a writable directory; the phone makes its store and device key there.',
  },
  PHONE_STORE_BUSY: {
    meaning: "Another process held the phone's store lock (messages.json.lock, details.pid) for longer than the phone waits.",
    action: 'Let the other `tessera phone` command finish; if details.pid is not a phone process, remove the lock file.',
  },
  PHONE_OUT_UNWRITABLE: {
    meaning: 'The QR code PNG cannot be written at --out (details.path): its directory is missing or not writable.',
    action: 'Pass an --out path in an existing directory you can write.',
  },
  PHONE_NO_TTP: {
    meaning: 'The phone config has no `ttpUrl`: the phone cannot reach the TTP to revoke a password or ask its value left.',
    action: "Add `ttpUrl` (the TTP's merchant API listener, e.g. http://127.0.0.1:8443) to the phone config.",
  },
  PHONE_TTP_UNREACHABLE: {
    meaning: 'The TTP at the configured `ttpUrl` did not answer (connection refused, timeout) or answered something that is not its JSON.',
    action: 'Check `ttpUrl` and that the TTP (the center with the merchant API) runs; then run the command again (revoking twice is harmless).',
  },
  PHONE_NOT_DEVICE_BOUND: {
    meaning: "The stored password is not bound to this phone's device key (a bearer or keypad password): the phone cannot sign for it.",
    action: 'Ask the credit company to revoke it on your behalf; for its value left, ask the credit company.',
  },
});
