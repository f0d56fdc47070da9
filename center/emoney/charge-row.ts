import { callClaims } from '../kit/claims.js';
import { rowMapper, bytes, flag, int, nullable, oneOf, text, type MappedRow } from '../kit/rows.js';
import { stateMachine, updateState } from '../kit/transitions.js';
import type { SqlExecutor, Tx } from '../storage/types.js';
import { EMONEY_LIMITS } from './limits.js';

/** The charge state machine (center/emoney/README.md, "Charge state machine": the same table). */
export const CHARGE_STATES = stateMachine('charge', {
  initial: ['requested', 'reversed'],
  next: {
    requested: ['approved', 'declined', 'unknown', 'reversing'],
    unknown: ['approved', 'declined', 'unknown', 'reversing'],
    approved: ['authorized', 'reversing'],
    authorized: ['issued', 'approved'],
    declined: [],
    issued: [],
    reversing: ['reversed'],
    reversed: [],
  },
});
export type ChargeState = (typeof CHARGE_STATES.states)[number];

export const CHARGE_ROWS = rowMapper('emoney_charges', {
  id: text('id'),
  terminalId: text('terminal_id'),
  bankCode: text('bank_code'),
  branchCode: text('branch'),
  accountNumber: text('account'),
  amountMinor: int('amount'),
  currency: text('currency'),
  state: oneOf('state', CHARGE_STATES.states),
  code: text('code'),
  cardId: nullable(text('card_id')),
  authCounter: nullable(int('auth_counter')),
  hostMac: nullable(bytes('host_mac')),
  inDoubtMs: nullable(int('in_doubt_ms')),
  /** Until then one node is calling the bank for this charge (kit/claims.ts). */
  claimUntilMs: nullable(int('claim_until_ms')),
  /** While reversing: whether the approval was booked in the ledger (the reversal books it back). */
  booked: nullable(flag('booked')),
  createdMs: int('created_ms'),
  updatedMs: int('updated_ms'),
});
export type Charge = MappedRow<typeof CHARGE_ROWS>;

export async function loadCharge(q: SqlExecutor, id: string, lock = ''): Promise<Charge | undefined> {
  return CHARGE_ROWS.get(q, `WHERE id = ?${lock}`, [id]);
}

/** Sets the named fields (and updatedMs) of one charge; a state change must be in CHARGE_STATES. */
export async function updateCharge(tx: Tx, current: Pick<Charge, 'id' | 'state'>, nowMs: number, set: Partial<Omit<Charge, 'id' | 'updatedMs'>>): Promise<void> {
  await updateState(tx, CHARGE_ROWS, CHARGE_STATES, current, { ...set, updatedMs: nowMs });
}

/** The bank calls of a charge (its sale, its reversal) are claimed: one node at a time calls the bank for it. */
export const CHARGE_CALLS = callClaims('emoney_charges', EMONEY_LIMITS.bankClaimMs);
