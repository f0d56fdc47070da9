/**
 * The bank-host adapter contract: what the transaction relay needs from a
 * bank (seed 004's bank POS system). The simulated banks implement it
 * in-process (sim/bank/bank-host.ts) and over HTTP (http-bank-adapter.ts);
 * a real bank link (ISO 8583 over a leased line, say) would implement it too.
 */
import type { BankDeclineCode } from './bank/errors.js';
import type { RelayCode } from './errors.js';

export interface AccountRef {
  /** 4 digits. */
  readonly bankCode: string;
  /** 3 digits. */
  readonly branchCode: string;
  /** 7 digits. */
  readonly accountNumber: string;
}

export interface BankTransferRequest {
  /** 32 lowercase hex chars: the idempotency key (a retry reuses it). */
  readonly transferId: string;
  readonly from: AccountRef;
  readonly to: AccountRef;
  readonly amountMinor: number;
  readonly currency: string;
  /** The debited account's PIN or security code, clear digits: adapters carry it, never log or store it. */
  readonly pin: string;
}

export type TransferCode = 'OK' | BankDeclineCode | RelayCode;

export interface BankOutcome {
  readonly transferId: string;
  readonly approved: boolean;
  readonly code: TransferCode;
  /** True when the bank may or may not have applied it (unreachable): retry or reverse by id. */
  readonly inDoubt: boolean;
}

export interface ReversalOutcome {
  readonly transferId: string;
  /** True once the bank holds a reversal for the id (whether or not money had moved). */
  readonly done: boolean;
  /** True if this reversal (or an earlier one) moved money back. */
  readonly moved: boolean;
  readonly code: TransferCode;
}

export interface BankHostAdapter {
  readonly bankCode: string;
  /**
   * Moves money between two accounts of this bank, idempotently by id: a
   * retry answers the first outcome (declines included). Rejects only when
   * the bank cannot be reached (the relay reports RELAY_BANK_UNREACHABLE).
   */
  transfer(req: BankTransferRequest): Promise<BankOutcome>;
  /**
   * Reverses the transfer with this id (idempotent). A reversal of an id the
   * bank never saw leaves a tombstone: the transfer is refused if it arrives later.
   */
  reverse(transferId: string): Promise<ReversalOutcome>;
}
