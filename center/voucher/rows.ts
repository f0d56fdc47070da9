/**
 * The voucher tables as the module reads them (kit rowMapper) and the state
 * machines every state UPDATE is checked against (kit updateState). The
 * README's `from | to` tables are these (test/center/voucher/state-machines.test.ts).
 */
import { stateMachine } from '../kit/transitions.js';
import { bytes, flag, int, nullable, oneOf, rowMapper, text, type MappedRow } from '../kit/rows.js';
import type { RedemptionState, VoucherState } from './api.js';

export const CARD_STATE_LIST = ['issued', 'active', 'partly-used', 'used-up', 'voided', 'blocked', 'expired'] as const satisfies readonly VoucherState[];

export const CARD_STATES = stateMachine<VoucherState>('voucher card', {
  initial: ['issued'],
  next: {
    issued: ['active', 'blocked'],
    active: ['partly-used', 'used-up', 'voided', 'issued', 'blocked', 'expired'],
    'partly-used': ['partly-used', 'used-up', 'active', 'expired'],
    'used-up': ['partly-used', 'active'],
    voided: [],
    blocked: ['expired'],
    expired: [],
  },
});

export const REDEMPTION_STATE_LIST = ['authorized', 'captured', 'cancelled', 'expired', 'refunded', 'partly-refunded'] as const satisfies readonly RedemptionState[];

export const REDEMPTION_STATES = stateMachine<RedemptionState>('voucher redemption', {
  initial: ['authorized', 'captured'],
  next: {
    authorized: ['captured', 'cancelled', 'expired'],
    captured: ['partly-refunded', 'refunded'],
    'partly-refunded': ['partly-refunded', 'refunded'],
    cancelled: [],
    expired: [],
    refunded: [],
  },
});

export type ActivationState = 'active' | 'voided' | 'reversed' | 'tombstone';
export const ACTIVATION_STATE_LIST = ['active', 'voided', 'reversed', 'tombstone'] as const satisfies readonly ActivationState[];

/** An activation: `tombstone` is a reversal that arrived before (or instead of) its activation. */
export const ACTIVATION_STATES = stateMachine<ActivationState>('voucher activation', {
  initial: ['active', 'tombstone'],
  next: { active: ['voided', 'reversed'], voided: [], reversed: [], tombstone: [] },
});

export const CARDS = rowMapper('voucher_cards', {
  id: text('id'),
  batchId: text('batch_id'),
  hqId: text('hq_id'),
  state: oneOf('state', CARD_STATE_LIST),
  denomination: nullable(int('denomination')),
  maxLoad: nullable(int('max_load')),
  currency: text('currency'),
  validDays: int('valid_days'),
  pinHash: bytes('pin_hash'),
  loaded: int('loaded'),
  balance: int('balance'),
  held: int('held'),
  activationId: nullable(text('activation_id')),
  storeId: nullable(text('store_id')),
  activatedMs: nullable(int('activated_ms')),
  expiresMs: nullable(int('expires_ms')),
  updatedMs: int('updated_ms'),
});
export type CardRow = MappedRow<typeof CARDS>;

export const BATCHES = rowMapper('voucher_batches', {
  id: text('id'),
  hqId: text('hq_id'),
  denomination: nullable(int('denomination')),
  maxLoad: nullable(int('max_load')),
  count: int('card_count'),
  currency: text('currency'),
  firstSerial: text('first_serial'),
  lastSerial: text('last_serial'),
  validDays: int('valid_days'),
  createdMs: int('created_ms'),
  printed: flag('printed'),
});
export type BatchRow = MappedRow<typeof BATCHES>;

export const ACTIVATIONS = rowMapper('voucher_activations', {
  id: text('id'),
  hqId: text('hq_id'),
  requestId: text('request_id'),
  serial: text('serial'),
  storeId: text('store_id'),
  terminalId: text('terminal_id'),
  amount: int('amount'),
  currency: text('currency'),
  state: oneOf('state', ACTIVATION_STATE_LIST),
  businessDay: text('business_day'),
  createdMs: int('created_ms'),
  expiresMs: int('expires_ms'),
  undoneMs: nullable(int('undone_ms')),
  undoneDay: nullable(text('undone_day')),
});
export type ActivationRow = MappedRow<typeof ACTIVATIONS>;

export const REDEMPTIONS = rowMapper('voucher_redemptions', {
  id: text('id'),
  merchantId: text('merchant_id'),
  redemptionKey: text('redemption_key'),
  fingerprint: text('fingerprint'),
  orderRef: text('order_ref'),
  state: oneOf('state', REDEMPTION_STATE_LIST),
  amount: int('amount'),
  captured: int('captured'),
  refunded: int('refunded'),
  currency: text('currency'),
  authExpiresMs: nullable(int('auth_expires_ms')),
  createdMs: int('created_ms'),
  updatedMs: int('updated_ms'),
});
export type RedemptionRow = MappedRow<typeof REDEMPTIONS>;

export const REDEMPTION_CARDS = rowMapper('voucher_redemption_cards', {
  redemptionId: text('redemption_id'),
  serial: text('serial'),
  position: int('position'),
  held: int('held'),
  captured: int('captured'),
  refunded: int('refunded'),
});
export type RedemptionCardRow = MappedRow<typeof REDEMPTION_CARDS>;

export const HQS = rowMapper('voucher_hqs', { hqId: text('hq_id'), commissionBp: int('commission_bp'), createdMs: int('created_ms') });

export const GUESSES = rowMapper('voucher_guesses', {
  subject: text('subject'),
  failures: int('failures'),
  lastFailureMs: int('last_failure_ms'),
  lockedUntilMs: int('locked_until_ms'),
});

/** The state a card with value on it is in: untouched, partly used, or used up (held value counts as used). */
export function spendState(loaded: number, balance: number): 'active' | 'partly-used' | 'used-up' {
  return balance === loaded ? 'active' : balance === 0 ? 'used-up' : 'partly-used';
}
