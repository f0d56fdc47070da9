import { defineErrors } from '../../core/errors.js';

/** `tessera webshop`: the simulated web shop paying with voucher PINs through the merchant API (sim/webshop). */
export const WEBSHOP_ERRORS = defineErrors('webshop', 'WEBSHOP_', {
  WEBSHOP_CONFIG_UNREADABLE: {
    meaning: 'The web shop config file could not be read or is not JSON.',
    action: 'Check the path given to --config and that the file is valid JSON.',
  },
  WEBSHOP_CONFIG_INVALID: {
    meaning: 'The web shop config does not match its schema (the message lists each bad field by path).',
    action: 'Fix the named fields; see sim/webshop/config.ts for the shape and defaults.',
  },
  WEBSHOP_SECRET_FILE: {
    meaning: 'The merchant API key file or the admin password file is missing, empty, or readable by group or others.',
    action: 'Write the key (`tessera merchant add --key-out FILE`) or the password to the named file, mode 0600.',
  },
  WEBSHOP_LISTEN_FAILED: {
    meaning: 'The web shop could not bind its HTTP address.',
    action: 'Check listen.host/listen.port: another process may hold the port.',
  },
  WEBSHOP_ORDER_UNKNOWN: {
    meaning: 'No order with this id in the shop\'s journal.',
    action: 'List the orders (`tessera webshop orders`) and use one of their ids.',
  },
  WEBSHOP_ORDER_STATE: {
    meaning: 'The order is not in a state that allows this step (capture of an order not authorised, refund of an order not captured, ...); details.state names its state.',
    action: 'Look at the order (`tessera webshop orders`): capture only authorised orders, cancel an authorisation, refund a captured payment.',
  },
  WEBSHOP_BAD_INPUT: {
    meaning: 'A checkout form or admin request was malformed (unknown item, quantity out of range, a PIN that is not 10-16 digits, too many cards).',
    action: 'Correct the named field and submit again.',
  },
  WEBSHOP_REFUND_TOO_LARGE: {
    meaning: 'The refund asked for is more than the captured amount not yet refunded.',
    action: 'Refund at most details.refundableMinor.',
  },
});

export type WebshopErrorCode = keyof typeof WEBSHOP_ERRORS;
