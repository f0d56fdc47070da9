import { defineErrors, type ErrorSpec } from '../../core/errors.js';
import { accountResultCode, CreateAccountResult, CreateTransferResult, transferResultCode } from './results.js';

const FIX_REQUEST = 'Fix the request; nothing was applied.';
const NEW_ID = 'A transfer id is an idempotency key: reuse it only for a retry of the same transfer, otherwise use a new id.';

/** Meaning and operator action of each transfer outcome other than ok. */
const TRANSFER_SPECS: Record<Exclude<keyof typeof CreateTransferResult, 'ok'>, ErrorSpec> = {
  linked_event_failed: { meaning: 'Another transfer of the same atomic group failed, so none was applied.', action: 'Look at the failing transfer of the group.' },
  id_invalid: { meaning: 'The transfer id is not 32 lowercase hex chars or is all zeros.', action: FIX_REQUEST },
  flags_are_mutually_exclusive: { meaning: 'More than one of pending, postPending, voidPending is set.', action: FIX_REQUEST },
  pending_id_required: { meaning: 'A post or void names no pending transfer.', action: FIX_REQUEST },
  pending_id_must_be_blank: { meaning: 'Only a post or void may name a pending transfer.', action: FIX_REQUEST },
  pending_id_must_be_different: { meaning: 'A post or void names itself as its pending transfer.', action: FIX_REQUEST },
  timeout_reserved_for_pending: { meaning: 'Only a pending transfer may have a timeout.', action: FIX_REQUEST },
  timeout_too_long: { meaning: 'The timeout exceeds CENTER_LIMITS.ledgerPendingTimeoutMsMax or is not a non-negative integer.', action: FIX_REQUEST },
  amount_invalid: { meaning: 'The amount is not a positive safe integer of minor units.', action: FIX_REQUEST },
  currency_invalid: { meaning: 'The currency is not 3 uppercase letters.', action: FIX_REQUEST },
  reference_too_long: { meaning: 'The reference is longer than CENTER_LIMITS.ledgerReferenceCharsMax.', action: FIX_REQUEST },
  code_invalid: { meaning: 'The transfer code is not an integer 0-65535.', action: FIX_REQUEST },
  account_id_invalid: { meaning: 'A debit or credit account id is missing or malformed.', action: FIX_REQUEST },
  accounts_must_be_different: { meaning: 'Debit and credit account are the same.', action: FIX_REQUEST },
  exists_with_different_flags: { meaning: 'A transfer with this id exists with other flags.', action: NEW_ID },
  exists_with_different_pending_id: { meaning: 'A transfer with this id exists with another pending id.', action: NEW_ID },
  exists_with_different_debit_account: { meaning: 'A transfer with this id exists with another debit account.', action: NEW_ID },
  exists_with_different_credit_account: { meaning: 'A transfer with this id exists with another credit account.', action: NEW_ID },
  exists_with_different_amount: { meaning: 'A transfer with this id exists with another amount.', action: NEW_ID },
  exists_with_different_currency: { meaning: 'A transfer with this id exists with another currency.', action: NEW_ID },
  exists_with_different_timeout: { meaning: 'A transfer with this id exists with another timeout.', action: NEW_ID },
  exists_with_different_code: { meaning: 'A transfer with this id exists with another code.', action: NEW_ID },
  exists_with_different_reference: { meaning: 'A transfer with this id exists with another reference.', action: NEW_ID },
  exists: { meaning: 'The transfer was already applied (an idempotent retry); it was not applied again.', action: 'None: treat as success.' },
  debit_account_not_found: { meaning: 'The debit account does not exist.', action: 'Create the account first or fix the id.' },
  credit_account_not_found: { meaning: 'The credit account does not exist.', action: 'Create the account first or fix the id.' },
  currency_mismatch: { meaning: 'The transfer and its two accounts are not all in the same currency.', action: FIX_REQUEST },
  pending_not_found: { meaning: 'The pending transfer named by a post or void does not exist.', action: 'Check the pending id.' },
  pending_not_pending: { meaning: 'The transfer named by a post or void is not a pending transfer.', action: 'Check the pending id.' },
  pending_different_debit_account: { meaning: 'The post or void names a debit account other than its pending transfer.', action: FIX_REQUEST },
  pending_different_credit_account: { meaning: 'The post or void names a credit account other than its pending transfer.', action: FIX_REQUEST },
  pending_different_currency: { meaning: 'The post or void names a currency other than its pending transfer.', action: FIX_REQUEST },
  pending_already_posted: { meaning: 'The pending transfer was already posted (by another transfer id).', action: 'Nothing to do: it is settled.' },
  pending_already_voided: { meaning: 'The pending transfer was already voided.', action: 'Start a new transfer if the movement is still wanted.' },
  pending_expired: { meaning: 'The pending transfer timed out and was (or will be) voided by the sweep.', action: 'Start a new transfer if the movement is still wanted.' },
  exceeds_pending_amount: { meaning: 'The post amount exceeds the pending amount.', action: FIX_REQUEST },
  pending_different_amount: { meaning: 'A void names an amount other than the pending amount.', action: FIX_REQUEST },
  overflows: { meaning: 'An account balance would exceed the largest safe integer.', action: 'Investigate: amounts this large are not plausible.' },
  insufficient_funds: { meaning: 'The debit account must not go negative and would.', action: 'Refuse the payment or fund the account first.' },
  exceeds_debits: { meaning: 'The credit account must not go positive and would.', action: 'Check the account flags and the transfer direction.' },
};

const ACCOUNT_SPECS: Record<Exclude<keyof typeof CreateAccountResult, 'ok'>, ErrorSpec> = {
  linked_event_failed: { meaning: 'Another account of the same atomic call failed, so none was created.', action: 'Look at the failing account.' },
  id_invalid: { meaning: 'The account id is malformed.', action: FIX_REQUEST },
  owner_invalid: { meaning: 'The owner is empty, too long or not printable.', action: FIX_REQUEST },
  institution_invalid: { meaning: 'The institution code is malformed.', action: FIX_REQUEST },
  kind_invalid: { meaning: 'The account kind is unknown.', action: FIX_REQUEST },
  currency_invalid: { meaning: 'The currency is not 3 uppercase letters.', action: FIX_REQUEST },
  reference_too_long: { meaning: 'The reference is longer than CENTER_LIMITS.ledgerReferenceCharsMax.', action: FIX_REQUEST },
  flags_are_mutually_exclusive: { meaning: 'An account cannot be both must-not-go-negative and must-not-go-positive.', action: FIX_REQUEST },
  exists_with_different_owner: { meaning: 'The account exists with another owner.', action: 'Use another id or the existing account.' },
  exists_with_different_institution: { meaning: 'The account exists at another institution.', action: 'Use another id or the existing account.' },
  exists_with_different_kind: { meaning: 'The account exists with another kind.', action: 'Use another id or the existing account.' },
  exists_with_different_currency: { meaning: 'The account exists with another currency.', action: 'Use another id or the existing account.' },
  exists_with_different_flags: { meaning: 'The account exists with other flags.', action: 'Use another id or the existing account.' },
  exists_with_different_reference: { meaning: 'The account exists with another reference.', action: 'Use another id or the existing account.' },
  exists: { meaning: 'The account already exists with the same fields.', action: 'None: treat as success.' },
};

const specs: Record<string, ErrorSpec> = {
  LEDGER_TOO_MANY_EVENTS: { meaning: 'One ledger call carried more than CENTER_LIMITS.ledgerEventsMax events, or none.', action: 'Split the request.', http: 400 },
  LEDGER_NOT_INSTALLED: { meaning: 'The database has no ledger tables (the ledger migrations never ran on it).', action: 'Check the --db target: it must be a center database.' },
  LEDGER_AUDIT_FAILED: { meaning: 'The ledger audit found an invariant violated.', action: 'Stop money flows, keep the database, and investigate the report.' },
};
for (const [name, spec] of Object.entries(TRANSFER_SPECS)) {
  specs[transferResultCode(CreateTransferResult[name as keyof typeof CreateTransferResult])] = spec;
}
for (const [name, spec] of Object.entries(ACCOUNT_SPECS)) {
  specs[accountResultCode(CreateAccountResult[name as keyof typeof CreateAccountResult])] = spec;
}

/** Ledger codes: every non-ok outcome as `LEDGER_<OUTCOME>` / `LEDGER_ACCOUNT_<OUTCOME>`, and the ledger's own errors. */
export const LedgerErrors = defineErrors('ledger', 'LEDGER_', specs);
