import { defineErrors } from '../../core/errors.js';

/**
 * The provider center (seed 000, `tessera provider serve`): the HTTPS front
 * the users' PCs reach, its record of every request and answer, and its
 * link to the prepaid center (PROTOCOL.md §6.4). The prepaid center's own
 * refusals travel as `PREPAID_` codes in a `refused` answer, not as these.
 */
export const PROVIDER_ERRORS = defineErrors('provider', 'PROVIDER_', {
  PROVIDER_CONFIG_INVALID: {
    meaning: 'The provider config is missing a field or has a wrong value.',
    action: 'Fix the field named in the message (center/provider/config-schema.ts, docs/CONFIG.md).',
  },
  PROVIDER_KEY_FILE: {
    meaning: 'The provider\'s terminal key file (its key at the prepaid center) is missing, unreadable or not 64 hex characters.',
    action: 'Point prepaidCenter.keyFile at the key the prepaid center\'s operator made for the provider\'s terminal id (`tessera keys terminal`), mode 0600.',
  },
  PROVIDER_KEY_PERMISSIONS: {
    meaning: 'A provider secret file (terminal key, TLS private key) is readable or writable by group or others.',
    action: 'chmod 600 the file.',
  },
  PROVIDER_TLS_FILE: {
    meaning: 'The provider\'s TLS certificate or private key cannot be read or is not PEM.',
    action: 'Point tls.certFile and tls.keyFile at PEM files (`tessera provider keygen --out DIR` makes a self-signed pair and prints its SPKI pin).',
  },
  PROVIDER_CENTER_UNREACHABLE: {
    meaning: 'The prepaid center did not answer (no session, or no answer in time): nothing is known to have happened.',
    action: 'Retry with the same requestId (the answer is then taken from the center\'s records); check the provider → prepaid center link in the provider\'s log.',
    http: 503,
  },
  PROVIDER_REQUEST_ID_REUSED: {
    meaning: 'This request id was recorded for a different request (another operation, medium, generation, amount or payee).',
    action: 'Use a fresh 16-byte request id for every new request; repeat an id only to repeat the very same request.',
    http: 409,
  },
  PROVIDER_NO_FEE: {
    meaning: 'A provider-fee use was asked of a provider that charges no usage fee (its config has no fee).',
    action: 'Ask GET /v1/prepaid/provider for the fee before paying it; set fee.amountMinor in the provider config to charge one.',
    http: 409,
  },
  PROVIDER_FEE_MISMATCH: {
    meaning: 'A provider-fee use named another amount, currency or payee than this provider\'s fee.',
    action: 'Pay the fee GET /v1/prepaid/provider answers (amountMinor, currency, providerId).',
    http: 400,
  },
  PROVIDER_CENTER_ANSWER_INVALID: {
    meaning: 'The prepaid center answered something the provider cannot relay (a response of another type, or another request id).',
    action: 'Report it with the request id; retry with the same requestId.',
    http: 502,
  },
});

export type ProviderErrorCode = keyof typeof PROVIDER_ERRORS;
