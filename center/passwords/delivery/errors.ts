import { defineErrors } from '../../../core/errors.js';

/** The TTP's delivery of settlement passwords to devices (SMS over SMPP, e-mail over SMTP). */
export const PWDELIVERY_ERRORS = defineErrors('password-delivery', 'PWDELIVERY_', {
  PWDELIVERY_SECRET_FILE: {
    meaning: 'The SMPP password file or the SMTP password file is missing, unreadable, empty or too long.',
    action: 'Write the secret (one line; SMPP passwords are at most 8 characters) to the file the message names, mode 0600.',
  },
  PWDELIVERY_SECRET_FILE_PERMISSIONS: {
    meaning: 'The SMPP or SMTP password file is readable or writable by group or others.',
    action: 'chmod 600 the file the message names (the secret itself is never shown).',
  },
  PWDELIVERY_BAD_REQUEST: {
    meaning: 'A delivery request is malformed (address, text size, deadline) or names a channel this center has not configured.',
    action: 'Fix the request; the message names the field. Configure the channel (smpp or smtp) to use it.',
  },
  PWDELIVERY_SMSC_UNAVAILABLE: {
    meaning: 'The SMSC is not reachable or the SMPP session is not bound (or it did not answer in time).',
    action: 'Temporary: the delivery is retried with backoff until its deadline. Check the SMSC address, system_id and password if it persists.',
  },
  PWDELIVERY_SMSC_THROTTLED: {
    meaning: 'The SMSC answered ESME_RTHROTTLED (or queue full): too many messages.',
    action: 'Temporary: the delivery is retried with backoff until its deadline.',
  },
  PWDELIVERY_SMSC_REFUSED: {
    meaning: 'The SMSC refused the message permanently (unknown number ESME_RINVDSTADR, or another error status).',
    action: 'The delivery has failed and the password is refunded; check the MSISDN the customer gave.',
  },
  PWDELIVERY_UNDELIVERABLE: {
    meaning: 'The SMSC reported the SMS undeliverable (receipt stat UNDELIV: phone off or unreachable) on every attempt.',
    action: 'The delivery has failed and the password is refunded; the customer may order again with the phone switched on.',
  },
  PWDELIVERY_SMTP_TEMPORARY: {
    meaning: 'The mail server answered 4xx or could not be reached.',
    action: 'Temporary: the delivery is retried with backoff until its deadline.',
  },
  PWDELIVERY_SMTP_REFUSED: {
    meaning: 'The mail server refused the message or the recipient permanently (5xx).',
    action: 'The delivery has failed and the password is refunded; check the address the customer gave.',
  },
  PWDELIVERY_DEADLINE: {
    meaning: 'The delivery was not confirmed before its deadline (no receipt, or still retrying).',
    action: 'The delivery has failed and the password is refunded; a receipt arriving later is logged as late and changes nothing.',
  },
});
