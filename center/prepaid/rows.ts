/**
 * The prepaid center's rows and its two state machines (README.md and
 * docs/PREPAID.md show the same tables; state-machines.test.ts compares them).
 */
import { bytes, int, nullable, oneOf, rowMapper, text, type MappedRow } from '../kit/rows.js';
import { stateMachine, updateState } from '../kit/transitions.js';
import type { SqlExecutor, Tx } from '../storage/types.js';

/**
 * A medium's rotation state.
 *   issued    generation 1 written for the prepaid terminal, not yet confirmed from the medium
 *   settled   generation N confirmed, no rewrite under way: N is the only valid file
 *   rotating  N confirmed, N+1 made and sent (S31-S37) but not yet confirmed (S43): N still valid
 *   frozen    a superseded generation was presented (a copy or a rollback): refused everywhere
 *   closed    the value was recovered to a replacement medium by the operator
 */
export const MEDIUM_STATES = stateMachine('prepaid medium', {
  initial: ['issued'],
  next: {
    issued: ['settled', 'frozen'],
    settled: ['rotating', 'frozen'],
    rotating: ['settled', 'frozen'],
    frozen: ['closed'],
    closed: [],
  },
});
export type MediumState = (typeof MEDIUM_STATES.states)[number];

/** A generation's file: pending (sent, not confirmed) → current (confirmed) → superseded (keys erased). */
export const GENERATION_STATES = stateMachine('prepaid generation', {
  initial: ['pending'],
  next: { pending: ['current'], current: ['superseded'], superseded: [] },
});
export type GenerationState = (typeof GENERATION_STATES.states)[number];

export const MEDIUM_ROWS = rowMapper('prepaid_media', {
  id: text('id'),
  state: oneOf('state', MEDIUM_STATES.states),
  currency: text('currency'),
  balanceMinor: int('balance'),
  confirmedGen: int('confirmed_gen'),
  pendingGen: nullable(int('pending_gen')),
  lastSeq: int('last_seq'),
  frozenReason: nullable(text('frozen_reason')),
  createdMs: int('created_ms'),
  updatedMs: int('updated_ms'),
});
export type MediumRow = MappedRow<typeof MEDIUM_ROWS>;

export const GENERATION_ROWS = rowMapper('prepaid_generations', {
  id: text('id'),
  mediumId: text('medium_id'),
  gen: int('gen'),
  state: oneOf('state', GENERATION_STATES.states),
  keyVersion: int('key_version'),
  balanceMinor: int('balance'),
  logSeq: int('log_seq'),
  writtenMs: int('written_ms'),
  requestId: text('request_id'),
  digest: bytes('digest'),
  createdMs: int('created_ms'),
  updatedMs: int('updated_ms'),
});
export type GenerationRow = MappedRow<typeof GENERATION_ROWS>;

export const USAGE_KINDS = ['issued', 'vendor', 'provider-fee', 'recovery'] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

export const USAGE_ROWS = rowMapper('prepaid_usage', {
  requestId: text('request_id'),
  mediumId: text('medium_id'),
  seq: int('seq'),
  kind: oneOf('kind', USAGE_KINDS),
  payee: text('payee'),
  amountMinor: int('amount'),
  balanceAfterMinor: int('balance_after'),
  atMs: int('at_ms'),
  chain: bytes('chain'),
  gen: int('gen'),
});
export type UsageRow = MappedRow<typeof USAGE_ROWS>;

export const KEY_ROWS = rowMapper('prepaid_keys', { mediumId: text('medium_id'), version: int('version'), salt: nullable(bytes('salt')) });

export const generationId = (mediumId: string, gen: number): string => `${mediumId}:${gen}`;

export async function loadMedium(q: SqlExecutor, id: string, lock = ''): Promise<MediumRow | undefined> {
  return MEDIUM_ROWS.get(q, `WHERE id = ?${lock}`, [id]);
}

export async function loadGeneration(q: SqlExecutor, mediumId: string, gen: number): Promise<GenerationRow | undefined> {
  return GENERATION_ROWS.get(q, 'WHERE id = ?', [generationId(mediumId, gen)]);
}

export async function updateMedium(tx: Tx, current: Pick<MediumRow, 'id' | 'state'>, nowMs: number, set: Partial<Omit<MediumRow, 'id' | 'updatedMs'>>): Promise<void> {
  await updateState(tx, MEDIUM_ROWS, MEDIUM_STATES, current, { ...set, updatedMs: nowMs });
}

export async function updateGeneration(tx: Tx, current: Pick<GenerationRow, 'id' | 'state'>, nowMs: number, set: Partial<Omit<GenerationRow, 'id' | 'updatedMs'>>): Promise<void> {
  await updateState(tx, GENERATION_ROWS, GENERATION_STATES, current, { ...set, updatedMs: nowMs });
}
