import { int, nullable, oneOf, rowMapper, text, type MappedRow } from '../kit/rows.js';
import { stateMachine } from '../kit/transitions.js';
import type { ModuleMigrations } from '../storage/types.js';

/**
 * The HQ's journal (its own SQLite database): one row per till request it
 * took, written before anything is forwarded, and the outbox the sweep
 * repeats until the settlement center answers. The request id is the POS's:
 * the idempotency key till → HQ → center.
 */
export const hqMigrations: ModuleMigrations = {
  module: 'hq',
  migrations: [
    {
      version: 1,
      name: 'journal of till requests and outbox to the settlement center',
      sql: `CREATE TABLE hq_requests (
              id TEXT PRIMARY KEY, kind TEXT NOT NULL, terminal_id TEXT NOT NULL, store_id TEXT NOT NULL,
              serial TEXT NOT NULL, amount BIGINT NOT NULL, currency TEXT NOT NULL, original_id TEXT,
              state TEXT NOT NULL, code TEXT NOT NULL, expires_ms BIGINT, outcome TEXT NOT NULL,
              business_day TEXT NOT NULL, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL,
              attempts BIGINT NOT NULL, next_ms BIGINT NOT NULL);
            CREATE INDEX hq_requests_open ON hq_requests (state, next_ms);
            CREATE INDEX hq_requests_day ON hq_requests (business_day, kind);
            CREATE INDEX hq_requests_original ON hq_requests (original_id)`,
    },
  ],
};

export const REQUEST_KINDS = ['activation', 'void'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/**
 * activation: forwarding → activated | refused | reversing; activated → reversing (the till never
 * got the answer) | voided; reversing → reversed. A till's reversal of an activation the HQ never
 * saw starts in reversing (a tombstone the center must hear of). void: forwarding → done | refused.
 */
export const REQUEST_STATES = stateMachine('hq request', {
  initial: ['forwarding', 'reversing'],
  next: {
    forwarding: ['activated', 'refused', 'reversing', 'done'],
    activated: ['reversing', 'voided'],
    reversing: ['reversed'],
    refused: [],
    reversed: [],
    voided: [],
    done: [],
  },
});
export type RequestState = (typeof REQUEST_STATES.states)[number];

export const REQUEST_ROWS = rowMapper('hq_requests', {
  id: text('id'),
  kind: oneOf('kind', REQUEST_KINDS),
  terminalId: text('terminal_id'),
  storeId: text('store_id'),
  serial: text('serial'),
  amount: int('amount'),
  currency: text('currency'),
  originalId: nullable(text('original_id')),
  state: oneOf('state', REQUEST_STATES.states),
  /** The center's (or the HQ's) refusal code; '' when none. */
  code: text('code'),
  expiresMs: nullable(int('expires_ms')),
  /** A reversal's outcome at the center: 'reversed' (the activation had arrived), 'never-arrived', or ''. */
  outcome: text('outcome'),
  businessDay: text('business_day'),
  createdMs: int('created_ms'),
  updatedMs: int('updated_ms'),
  attempts: int('attempts'),
  nextMs: int('next_ms'),
});
export type HqRequest = MappedRow<typeof REQUEST_ROWS>;
