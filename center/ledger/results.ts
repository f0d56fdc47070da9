/**
 * Ledger outcomes (TigerBeetle style). Numeric, ordered by precedence: the
 * checks run in this order and an event gets the first that applies. A retry
 * with the same id and the same fields answers `exists`; the same id with a
 * different field answers `exists_with_different_<field>`.
 */

export enum CreateAccountResult {
  ok = 0,
  /** Another event of an atomic call failed, so this one was not applied. */
  linked_event_failed = 1,
  id_invalid = 2,
  owner_invalid = 3,
  institution_invalid = 4,
  kind_invalid = 5,
  currency_invalid = 6,
  reference_too_long = 7,
  flags_are_mutually_exclusive = 8,
  exists_with_different_owner = 9,
  exists_with_different_institution = 10,
  exists_with_different_kind = 11,
  exists_with_different_currency = 12,
  exists_with_different_flags = 13,
  exists_with_different_reference = 14,
  exists = 15,
}

export enum CreateTransferResult {
  ok = 0,
  linked_event_failed = 1,
  // The event on its own (no database):
  id_invalid = 2,
  flags_are_mutually_exclusive = 3,
  pending_id_required = 4,
  pending_id_must_be_blank = 5,
  pending_id_must_be_different = 6,
  timeout_reserved_for_pending = 7,
  timeout_too_long = 8,
  amount_invalid = 9,
  currency_invalid = 10,
  reference_too_long = 11,
  code_invalid = 12,
  account_id_invalid = 13,
  accounts_must_be_different = 14,
  // A transfer with this id exists (idempotent retry or id reuse):
  exists_with_different_flags = 15,
  exists_with_different_pending_id = 16,
  exists_with_different_debit_account = 17,
  exists_with_different_credit_account = 18,
  exists_with_different_amount = 19,
  exists_with_different_currency = 20,
  exists_with_different_timeout = 21,
  exists_with_different_code = 22,
  exists_with_different_reference = 23,
  exists = 24,
  // Accounts:
  debit_account_not_found = 25,
  credit_account_not_found = 26,
  currency_mismatch = 27,
  // Second phase of a two-phase transfer:
  pending_not_found = 28,
  pending_not_pending = 29,
  pending_different_debit_account = 30,
  pending_different_credit_account = 31,
  pending_different_currency = 32,
  pending_already_posted = 33,
  pending_already_voided = 34,
  pending_expired = 35,
  exceeds_pending_amount = 36,
  pending_different_amount = 37,
  // Balances:
  overflows = 38,
  /** The debit account is flagged "must not go negative" and would. */
  insufficient_funds = 39,
  /** The credit account is flagged "must not go positive" and would. */
  exceeds_debits = 40,
}

/** `exists` counts as success for an idempotent retry. */
export function transferSucceeded(r: CreateTransferResult): boolean {
  return r === CreateTransferResult.ok || r === CreateTransferResult.exists;
}

export function accountSucceeded(r: CreateAccountResult): boolean {
  return r === CreateAccountResult.ok || r === CreateAccountResult.exists;
}

/** `insufficient_funds` → `LEDGER_INSUFFICIENT_FUNDS` (the code in errors.ts and on the admin API). */
export function transferResultCode(r: CreateTransferResult): string {
  return `LEDGER_${CreateTransferResult[r].toUpperCase()}`;
}

export function accountResultCode(r: CreateAccountResult): string {
  return `LEDGER_ACCOUNT_${CreateAccountResult[r].toUpperCase()}`;
}
