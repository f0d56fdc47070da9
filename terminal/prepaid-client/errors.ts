import { defineErrors } from '../../core/errors.js';

/**
 * The prepaid client (`tessera client`, the user's PC; seed 000): its config,
 * its HTTPS link to the provider center with the pinned certificate, and the
 * medium's rewrite. The refusals of the prepaid center reach the user with
 * their own `PREPAID_` codes; the provider's with `PROVIDER_` codes.
 */
export const PPCLIENT_ERRORS = defineErrors('prepaid-client', 'PPCLIENT_', {
  PPCLIENT_CONFIG_INVALID: {
    meaning: 'The client config is missing a field or has a wrong value.',
    action: 'Fix the field named in the message (terminal/prepaid-client/config.ts).',
  },
  PPCLIENT_PIN_MISMATCH: {
    meaning: 'The provider center\'s certificate does not carry the public key pinned in the client config: the connection was closed before anything was sent.',
    action: 'Check that provider.url is the provider\'s address; if the provider renewed its key, put the new pin (`tessera provider serve --check` prints it) in the config.',
  },
  PPCLIENT_PROVIDER_UNREACHABLE: {
    meaning: 'The provider center could not be reached or did not answer; the request may or may not have arrived.',
    action: 'Run `tessera client resume`: it repeats the pending request with the same request id, so nothing is paid twice.',
  },
  PPCLIENT_PROVIDER_ANSWER: {
    meaning: 'The provider center answered something the client cannot use (not JSON, or a sealed file that does not open for this medium and request).',
    action: 'Run `tessera client resume`; report the provider if it repeats.',
  },
  PPCLIENT_PENDING_REQUEST: {
    meaning: 'The medium holds a request whose end is not known yet (the client was stopped, or the provider did not answer).',
    action: 'Run `tessera client resume` first: it finishes the pending request (it may have been paid already) and clears it.',
  },
  PPCLIENT_NO_MEDIUM: {
    meaning: 'No medium is set (the mount directory is absent) or neither slot holds a whole prepaid file.',
    action: 'Insert the medium (mount it at the configured directory); a medium with no readable file must be recovered by the operator.',
  },
  PPCLIENT_MEDIUM_IN_USE: {
    meaning: 'Another payment from this medium is in progress elsewhere (the prepaid center holds a newer generation of it, not yet written here): a copy of the medium is being used at the same time, or a payment was left pending on another PC. Nothing was paid.',
    action: 'If this is the only copy of the medium, run `tessera client resume` on the PC that made the other payment (or `tessera client balance` here, which writes the newer generation), then pay again; a copy used elsewhere is caught and the medium frozen for the operator\'s review.',
  },
});

export type PpclientErrorCode = keyof typeof PPCLIENT_ERRORS;
