import type { CreateAccountResult, CreateTransferResult } from './results.js';

export const ACCOUNT_KINDS = [
  'user_bank', // a user's account at a bank (seed 004: charged from)
  'provider_at_bank', // the e-money provider's account at bank X (seed 004)
  'merchant', // a member shop's or online shop's account
  'emoney_float', // e-money issued and not yet redeemed
  'prepaid_liability', // stored value on rewritable prepaid media (seed 000)
  'voucher_liability', // activated vouchers not yet spent (seed 002)
  'ttp', // trusted third party (seed 003)
  'credit_company', // credit / phone company paying the TTP (seed 003)
  'clearing', // in-flight settlement between institutions
  'fees', // revenue from fees
  'suspense', // unexplained or disputed amounts awaiting an operator
  'external', // the outside world (cash in, funding)
  'cash', // notes held: a terminal's cash box, or collected and in transit (center/cash)
  'cash_takings', // cash taken at a terminal, owed on to the customer it came from (center/cash)
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export interface AccountFlags {
  /** "Must not go negative": debits (posted + pending) never exceed posted credits. */
  readonly debitsMustNotExceedCredits?: boolean;
  /** "Must not go positive": credits (posted + pending) never exceed posted debits. */
  readonly creditsMustNotExceedDebits?: boolean;
}

export interface NewAccount {
  /** 1-64 chars `[A-Za-z0-9][A-Za-z0-9:._@/-]*`, chosen by the flow (e.g. `provider@0001`). */
  readonly id: string;
  /** Who the account belongs to (user, shop, provider, ...): 1-64 printable chars. */
  readonly owner: string;
  /** Bank code (4 digits) or other institution code; null when not at an institution. */
  readonly institution?: string | null;
  readonly kind: AccountKind;
  /** ISO 4217 alpha, e.g. JPY. */
  readonly currency: string;
  readonly flags?: AccountFlags;
  readonly reference?: string;
}

export interface Account {
  readonly id: string;
  readonly owner: string;
  readonly institution: string | null;
  readonly kind: AccountKind;
  readonly currency: string;
  readonly flags: Required<AccountFlags>;
  readonly reference: string;
  readonly debitsPendingMinor: number;
  readonly debitsPostedMinor: number;
  readonly creditsPendingMinor: number;
  readonly creditsPostedMinor: number;
  readonly createdAtMs: number;
}

export interface TransferFlags {
  /** First phase: reserve the amount (pending debits/credits) until posted, voided or timed out. */
  readonly pending?: boolean;
  /** Second phase: move (part of) the pending amount to posted. */
  readonly postPending?: boolean;
  /** Second phase: release the pending amount. */
  readonly voidPending?: boolean;
}

export interface NewTransfer {
  /** 16 bytes as 32 lowercase hex chars: the idempotency key. */
  readonly id: string;
  /** Required unless post/void (then taken from the pending transfer; if given, must match). */
  readonly debitAccountId?: string;
  readonly creditAccountId?: string;
  /** Integer minor units, > 0. Post: optional (default: the whole pending amount), at most the pending amount. */
  readonly amountMinor?: number;
  /** Required unless post/void (then must match the pending transfer if given). */
  readonly currency?: string;
  readonly flags?: TransferFlags;
  /** The pending transfer a post/void refers to. */
  readonly pendingId?: string;
  /** Pending only: after this many ms the sweep voids it; 0 or absent: no timeout. */
  readonly timeoutMs?: number;
  /** What kind of movement this is, chosen by the flow (0-65535). */
  readonly code?: number;
  /** Free reference text (order number, receipt id), at most CENTER_LIMITS.ledgerReferenceCharsMax. */
  readonly reference?: string;
}

export type PendingStatus = 'pending' | 'posted' | 'voided' | 'expired';

export interface Transfer {
  readonly id: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly flags: Required<TransferFlags>;
  readonly pendingId: string | null;
  readonly timeoutMs: number;
  readonly code: number;
  readonly reference: string;
  /** When the ledger applied it (injected clock). */
  readonly timestampMs: number;
  /** For pending transfers: where the two-phase transfer stands; null otherwise. */
  readonly pendingStatus: PendingStatus | null;
}

export interface AccountOutcome {
  readonly id: string;
  readonly result: CreateAccountResult;
}

export interface TransferOutcome {
  readonly id: string;
  readonly result: CreateTransferResult;
}

export interface BatchOptions {
  /** All events apply or none does (a failing one gets its result, the others linked_event_failed). */
  readonly atomic?: boolean;
}
