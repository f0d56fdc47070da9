/**
 * The module's rows (row mappers) and state machines. README.md shows the
 * same tables (test/center/passwords/readme.test.ts compares them).
 */
import { bytes, flag, int, nullable, oneOf, rowMapper, text, type MappedRow } from '../kit/rows.js';
import { stateMachine } from '../kit/transitions.js';
import { BINDINGS, PAYEE_KINDS } from '../../protocol/password/terms.js';
import { DELIVERY_CHANNELS } from './delivery-port.js';

export const PASSWORD_STATES = stateMachine('password', {
  initial: ['issued'],
  next: {
    issued: ['delivered', 'delivery-failed', 'revoked', 'expired'],
    delivered: ['partly-used', 'used-up', 'revoked', 'expired'],
    'partly-used': ['partly-used', 'delivered', 'used-up', 'revoked', 'expired'],
    'used-up': ['partly-used', 'delivered', 'revoked'],
    'delivery-failed': ['refunded'],
    revoked: ['refunded'],
    expired: ['refunded'],
    refunded: [],
  },
});
export type PasswordState = (typeof PASSWORD_STATES.states)[number];
/** States in which the password can be spent. */
export const SPENDABLE: readonly PasswordState[] = ['delivered', 'partly-used'];
/** States whose unused value is waiting to go back to the issuer (once no reservation is open). */
export const ENDED: readonly PasswordState[] = ['delivery-failed', 'revoked', 'expired'];

export const REDEMPTION_STATES = stateMachine('password redemption', {
  initial: ['reserved', 'captured'],
  next: {
    reserved: ['captured', 'cancelled', 'released'],
    captured: [],
    cancelled: [],
    released: [],
  },
});
export type RedemptionState = (typeof REDEMPTION_STATES.states)[number];

export const PASSWORD_ROWS = rowMapper('passwords', {
  id: text('id'),
  issuer: text('issuer'),
  requestId: text('request_id'),
  requestHash: text('request_hash'),
  binding: oneOf('binding', BINDINGS),
  partial: flag('partial'),
  amount: int('amount'),
  currency: text('currency'),
  remaining: int('remaining'),
  reserved: int('reserved'),
  captured: int('captured'),
  returned: int('returned'),
  issuedMs: int('issued_ms'),
  expiresMs: int('expires_ms'),
  payeeKind: nullable(oneOf('payee_kind', PAYEE_KINDS)),
  payee: nullable(text('payee')),
  userRef: nullable(text('user_ref')),
  goods: text('goods'),
  deviceKey: nullable(bytes('device_key')),
  deviceCounter: int('device_counter'),
  terms: bytes('terms'),
  signature: bytes('signature'),
  channel: oneOf('channel', DELIVERY_CHANNELS),
  address: text('address'),
  state: oneOf('state', PASSWORD_STATES.states),
  reason: nullable(text('reason')),
  createdMs: int('created_ms'),
  updatedMs: int('updated_ms'),
});
export type PasswordRow = MappedRow<typeof PASSWORD_ROWS>;

export const REDEMPTION_ROWS = rowMapper('password_redemptions', {
  id: text('id'),
  passwordId: text('password_id'),
  merchantId: text('merchant_id'),
  requestId: text('request_id'),
  requestHash: text('request_hash'),
  amount: int('amount'),
  captured: int('captured'),
  refunded: int('refunded'),
  currency: text('currency'),
  state: oneOf('state', REDEMPTION_STATES.states),
  deadlineMs: int('deadline_ms'),
  createdMs: int('created_ms'),
  updatedMs: int('updated_ms'),
});
export type RedemptionRow = MappedRow<typeof REDEMPTION_ROWS>;

export const REFUND_ROWS = rowMapper('password_refunds', {
  id: text('id'),
  redemptionId: text('redemption_id'),
  merchantId: text('merchant_id'),
  requestId: text('request_id'),
  amount: int('amount'),
  restored: flag('restored'),
  createdMs: int('created_ms'),
});

export const FAILURE_ROWS = rowMapper('password_guess_failures', {
  scope: text('scope'),
  windowStartMs: int('window_start_ms'),
  failures: int('failures'),
  lockedUntilMs: int('locked_until_ms'),
});

/** The state a live password's numbers put it in. */
export function usageState(p: Pick<PasswordRow, 'amount' | 'remaining' | 'reserved'>): PasswordState {
  if (p.remaining === 0 && p.reserved === 0) return 'used-up';
  return p.remaining === p.amount ? 'delivered' : 'partly-used';
}
