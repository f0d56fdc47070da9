import { toSafeInt } from '../storage/ints.js';
import type { ModuleMigrations, Row } from '../storage/types.js';
import type { Account, AccountKind, PendingStatus, Transfer } from './types.js';

/** Account flag bits. */
export const AF_DEBITS_MUST_NOT_EXCEED_CREDITS = 1;
export const AF_CREDITS_MUST_NOT_EXCEED_DEBITS = 2;
/** Transfer flag bits. */
export const TF_PENDING = 1;
export const TF_POST_PENDING = 2;
export const TF_VOID_PENDING = 4;

const schema = (text: string): string => `
CREATE TABLE ledger_accounts (
  id ${text} PRIMARY KEY,
  owner TEXT NOT NULL,
  institution TEXT,
  kind TEXT NOT NULL,
  currency TEXT NOT NULL,
  flags INTEGER NOT NULL,
  reference TEXT NOT NULL,
  debits_pending BIGINT NOT NULL CHECK (debits_pending >= 0),
  debits_posted BIGINT NOT NULL CHECK (debits_posted >= 0),
  credits_pending BIGINT NOT NULL CHECK (credits_pending >= 0),
  credits_posted BIGINT NOT NULL CHECK (credits_posted >= 0),
  created_at_ms BIGINT NOT NULL
);
CREATE TABLE ledger_transfers (
  id ${text} PRIMARY KEY,
  debit_account_id ${text} NOT NULL,
  credit_account_id ${text} NOT NULL,
  amount BIGINT NOT NULL CHECK (amount >= 0),
  currency TEXT NOT NULL,
  flags INTEGER NOT NULL,
  pending_id ${text},
  timeout_ms BIGINT NOT NULL,
  code INTEGER NOT NULL,
  reference TEXT NOT NULL,
  timestamp_ms BIGINT NOT NULL,
  pending_status TEXT CHECK (pending_status IN ('pending','posted','voided','expired')),
  expires_at_ms BIGINT
);
CREATE INDEX ledger_transfers_by_debit ON ledger_transfers (debit_account_id, timestamp_ms);
CREATE INDEX ledger_transfers_by_credit ON ledger_transfers (credit_account_id, timestamp_ms);
CREATE INDEX ledger_pending_by_expiry ON ledger_transfers (expires_at_ms) WHERE pending_status = 'pending';
`;

/**
 * No foreign keys on purpose: the ledger checks account existence itself, and
 * the audit verifies it independently (a constraint would hide a bug the
 * audit is meant to catch in a database edited by hand).
 */
export const ledgerMigrations: ModuleMigrations = {
  module: 'ledger',
  migrations: [{ version: 1, name: 'accounts and transfers', sql: { sqlite: schema('TEXT'), postgres: schema('TEXT COLLATE "C"') } }],
};

export const ACCOUNT_COLUMNS =
  'id, owner, institution, kind, currency, flags, reference, debits_pending, debits_posted, credits_pending, credits_posted, created_at_ms';
export const TRANSFER_COLUMNS =
  'id, debit_account_id, credit_account_id, amount, currency, flags, pending_id, timeout_ms, code, reference, timestamp_ms, pending_status, expires_at_ms';

/** An account row with balances as mutable numbers (the ledger edits them in memory, then writes). */
export interface AccountRow {
  id: string;
  owner: string;
  institution: string | null;
  kind: AccountKind;
  currency: string;
  flags: number;
  reference: string;
  debitsPending: number;
  debitsPosted: number;
  creditsPending: number;
  creditsPosted: number;
  createdAtMs: number;
}

export interface TransferRow {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: number;
  currency: string;
  flags: number;
  pendingId: string | null;
  timeoutMs: number;
  code: number;
  reference: string;
  timestampMs: number;
  pendingStatus: PendingStatus | null;
  expiresAtMs: number | null;
}

export function accountRowFrom(r: Row): AccountRow {
  return {
    id: String(r['id']),
    owner: String(r['owner']),
    institution: r['institution'] === null ? null : String(r['institution']),
    kind: r['kind'] as AccountKind,
    currency: String(r['currency']),
    flags: toSafeInt(r['flags'], 'flags'),
    reference: String(r['reference']),
    debitsPending: toSafeInt(r['debits_pending'], 'debits_pending'),
    debitsPosted: toSafeInt(r['debits_posted'], 'debits_posted'),
    creditsPending: toSafeInt(r['credits_pending'], 'credits_pending'),
    creditsPosted: toSafeInt(r['credits_posted'], 'credits_posted'),
    createdAtMs: toSafeInt(r['created_at_ms'], 'created_at_ms'),
  };
}

export function transferRowFrom(r: Row): TransferRow {
  return {
    id: String(r['id']),
    debitAccountId: String(r['debit_account_id']),
    creditAccountId: String(r['credit_account_id']),
    amount: toSafeInt(r['amount'], 'amount'),
    currency: String(r['currency']),
    flags: toSafeInt(r['flags'], 'flags'),
    pendingId: r['pending_id'] === null ? null : String(r['pending_id']),
    timeoutMs: toSafeInt(r['timeout_ms'], 'timeout_ms'),
    code: toSafeInt(r['code'], 'code'),
    reference: String(r['reference']),
    timestampMs: toSafeInt(r['timestamp_ms'], 'timestamp_ms'),
    pendingStatus: (r['pending_status'] ?? null) as PendingStatus | null,
    expiresAtMs: r['expires_at_ms'] === null ? null : toSafeInt(r['expires_at_ms'], 'expires_at_ms'),
  };
}

export function accountFromRow(a: AccountRow): Account {
  return {
    id: a.id,
    owner: a.owner,
    institution: a.institution,
    kind: a.kind,
    currency: a.currency,
    flags: {
      debitsMustNotExceedCredits: (a.flags & AF_DEBITS_MUST_NOT_EXCEED_CREDITS) !== 0,
      creditsMustNotExceedDebits: (a.flags & AF_CREDITS_MUST_NOT_EXCEED_DEBITS) !== 0,
    },
    reference: a.reference,
    debitsPendingMinor: a.debitsPending,
    debitsPostedMinor: a.debitsPosted,
    creditsPendingMinor: a.creditsPending,
    creditsPostedMinor: a.creditsPosted,
    createdAtMs: a.createdAtMs,
  };
}

export function transferFromRow(t: TransferRow): Transfer {
  return {
    id: t.id,
    debitAccountId: t.debitAccountId,
    creditAccountId: t.creditAccountId,
    amountMinor: t.amount,
    currency: t.currency,
    flags: {
      pending: (t.flags & TF_PENDING) !== 0,
      postPending: (t.flags & TF_POST_PENDING) !== 0,
      voidPending: (t.flags & TF_VOID_PENDING) !== 0,
    },
    pendingId: t.pendingId,
    timeoutMs: t.timeoutMs,
    code: t.code,
    reference: t.reference,
    timestampMs: t.timestampMs,
    pendingStatus: t.pendingStatus,
  };
}
