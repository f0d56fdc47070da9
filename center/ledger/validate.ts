import { CENTER_LIMITS } from '../limits.js';
import { CreateAccountResult as AR, CreateTransferResult as TR } from './results.js';
import { AF_CREDITS_MUST_NOT_EXCEED_DEBITS, AF_DEBITS_MUST_NOT_EXCEED_CREDITS, TF_PENDING, TF_POST_PENDING, TF_VOID_PENDING } from './schema.js';
import { ACCOUNT_KINDS, type NewAccount, type NewTransfer } from './types.js';

export const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9:._@/-]{0,63}$/;
export const TRANSFER_ID = /^[0-9a-f]{32}$/;
const ZERO_ID = '0'.repeat(32);
const CURRENCY = /^[A-Z]{3}$/;
const INSTITUTION = /^[0-9A-Z]{1,8}$/;
const PRINTABLE = /^[\x20-\x7e]+$/;

export function isTransferId(id: unknown): id is string {
  return typeof id === 'string' && TRANSFER_ID.test(id) && id !== ZERO_ID;
}

export function accountFlagBits(a: NewAccount): number {
  return (a.flags?.debitsMustNotExceedCredits ? AF_DEBITS_MUST_NOT_EXCEED_CREDITS : 0) | (a.flags?.creditsMustNotExceedDebits ? AF_CREDITS_MUST_NOT_EXCEED_DEBITS : 0);
}

export function transferFlagBits(t: NewTransfer): number {
  return (t.flags?.pending ? TF_PENDING : 0) | (t.flags?.postPending ? TF_POST_PENDING : 0) | (t.flags?.voidPending ? TF_VOID_PENDING : 0);
}

function referenceOk(r: unknown): boolean {
  return r === undefined || (typeof r === 'string' && r.length <= CENTER_LIMITS.ledgerReferenceCharsMax && (r === '' || PRINTABLE.test(r)));
}

/** Checks an account on its own; ok means it may go on to the existence check. */
export function validateAccount(a: NewAccount): AR {
  if (typeof a.id !== 'string' || !ACCOUNT_ID.test(a.id)) return AR.id_invalid;
  if (typeof a.owner !== 'string' || a.owner.length === 0 || a.owner.length > 64 || !PRINTABLE.test(a.owner)) return AR.owner_invalid;
  if (a.institution !== undefined && a.institution !== null && (typeof a.institution !== 'string' || !INSTITUTION.test(a.institution))) {
    return AR.institution_invalid;
  }
  if (!(ACCOUNT_KINDS as readonly unknown[]).includes(a.kind)) return AR.kind_invalid;
  if (typeof a.currency !== 'string' || !CURRENCY.test(a.currency)) return AR.currency_invalid;
  if (!referenceOk(a.reference)) return AR.reference_too_long;
  if (a.flags?.debitsMustNotExceedCredits && a.flags.creditsMustNotExceedDebits) return AR.flags_are_mutually_exclusive;
  return AR.ok;
}

function bitCount(n: number): number {
  return (n & 1) + ((n >> 1) & 1) + ((n >> 2) & 1);
}

/** Checks a transfer on its own (no database); ok means it may go on. */
export function validateTransfer(t: NewTransfer): TR {
  if (!isTransferId(t.id)) return TR.id_invalid;
  const flags = transferFlagBits(t);
  if (bitCount(flags) > 1) return TR.flags_are_mutually_exclusive;
  const second = (flags & (TF_POST_PENDING | TF_VOID_PENDING)) !== 0;
  if (second && t.pendingId === undefined) return TR.pending_id_required;
  if (!second && t.pendingId !== undefined) return TR.pending_id_must_be_blank;
  if (second && !isTransferId(t.pendingId)) return TR.pending_id_required;
  if (second && t.pendingId === t.id) return TR.pending_id_must_be_different;
  const timeout = t.timeoutMs ?? 0;
  if (timeout !== 0 && (flags & TF_PENDING) === 0) return TR.timeout_reserved_for_pending;
  if (!Number.isSafeInteger(timeout) || timeout < 0 || timeout > CENTER_LIMITS.ledgerPendingTimeoutMsMax) return TR.timeout_too_long;
  const amountNeeded = !second;
  if (t.amountMinor === undefined ? amountNeeded : !Number.isSafeInteger(t.amountMinor) || t.amountMinor <= 0) return TR.amount_invalid;
  if (t.currency === undefined ? !second : typeof t.currency !== 'string' || !CURRENCY.test(t.currency)) return TR.currency_invalid;
  if (!referenceOk(t.reference)) return TR.reference_too_long;
  if (t.code !== undefined && (!Number.isInteger(t.code) || t.code < 0 || t.code > 65_535)) return TR.code_invalid;
  for (const id of [t.debitAccountId, t.creditAccountId]) {
    if (id === undefined ? !second : typeof id !== 'string' || !ACCOUNT_ID.test(id)) return TR.account_id_invalid;
  }
  if (t.debitAccountId !== undefined && t.debitAccountId === t.creditAccountId) return TR.accounts_must_be_different;
  return TR.ok;
}
