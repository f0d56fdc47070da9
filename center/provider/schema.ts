import { int, nullable, oneOf, rowMapper, text, type MappedRow } from '../kit/rows.js';
import { stateMachine } from '../kit/transitions.js';
import type { ModuleMigrations } from '../storage/types.js';

/**
 * The provider's record (its own SQLite database): one row per request id a
 * PC sent, written before anything is relayed, with the answer once the
 * prepaid center (or the provider itself) gave one. A request id seen again
 * is answered from its row; a row still `relaying` (the provider died, or the
 * center did not answer) is relayed again with the same id, which the prepaid
 * center answers from its own records.
 */
export const providerMigrations: ModuleMigrations = {
  module: 'provider',
  migrations: [
    {
      version: 1,
      name: 'record of every request and answer',
      sql: `CREATE TABLE provider_requests (
              id TEXT PRIMARY KEY, op TEXT NOT NULL, fingerprint TEXT NOT NULL, medium_id TEXT NOT NULL, generation BIGINT NOT NULL,
              service TEXT NOT NULL, payee TEXT NOT NULL, amount BIGINT NOT NULL, currency TEXT NOT NULL,
              state TEXT NOT NULL, status TEXT, code TEXT, answer TEXT, attempts BIGINT NOT NULL,
              created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL);
            CREATE INDEX provider_requests_medium ON provider_requests (medium_id, created_ms);
            CREATE INDEX provider_requests_refused ON provider_requests (status, created_ms)`,
    },
  ],
};

export const REQUEST_OPS = ['use', 'confirm', 'balance'] as const;
export type RequestOp = (typeof REQUEST_OPS)[number];

/** relaying → answered (the center's answer or a refusal, recorded); a request refused by the provider itself starts answered. */
export const REQUEST_STATES = stateMachine('provider request', {
  initial: ['relaying', 'answered'],
  next: { relaying: ['answered'], answered: [] },
});

export const REQUEST_ROWS = rowMapper('provider_requests', {
  id: text('id'),
  op: oneOf('op', REQUEST_OPS),
  fingerprint: text('fingerprint'),
  mediumId: text('medium_id'),
  generation: int('generation'),
  service: text('service'),
  payee: text('payee'),
  amountMinor: int('amount'),
  currency: text('currency'),
  state: oneOf('state', ['relaying', 'answered'] as const),
  status: nullable(text('status')),
  code: nullable(text('code')),
  answer: nullable(text('answer')),
  attempts: int('attempts'),
  createdMs: int('created_ms'),
  updatedMs: int('updated_ms'),
});
export type RequestRow = MappedRow<typeof REQUEST_ROWS>;
