import { TesseraError } from '../../core/errors.js';
import { assertNumbersIn, WIRE_RESULT_OK } from '../../core/numbers.js';
import { nameOf, TX_KIND, type TxKind } from '../../protocol/codes.js';
import type { TransactionRequest } from '../../protocol/messages/types.js';
import type { Tx } from '../storage/types.js';

/** What a transaction handler knows: who asked, with which card, what. Runs after the validity check passed. */
export interface TransactionContext {
  readonly terminalId: string;
  /** 16 lowercase hex chars. */
  readonly mediumId: string;
  /** 32 lowercase hex chars: the idempotency key. */
  readonly transactionId: string;
  readonly request: TransactionRequest;
  readonly nowMs: number;
}

/** TRANSACTION_RESULT resultCode values of the center's own transaction kinds. */
export const TX_RESULT = {
  OK: 0,
  /** A TRANSACTION_REQUEST without an accepted validity check in this session (and not a retry of one done). */
  VALIDITY_REQUIRED: 1,
  /** The id was used before with different fields. */
  EXISTS_WITH_DIFFERENT_FIELDS: 2,
  /** No handler for this transaction kind. */
  KIND_UNSUPPORTED: 3,
} as const;
assertNumbersIn('validity', 'wireResults', TX_RESULT, [WIRE_RESULT_OK]); // 0x00xx (core/numbers.ts)

export interface TransactionOutcome {
  readonly approved: boolean;
  readonly resultCode: number;
}

/**
 * Executes one kind of transaction inside a group-committed unit of work. It
 * must be idempotent by `transactionId`: a retry answers the first outcome.
 */
export type TransactionHandler = (tx: Tx, ctx: TransactionContext) => Promise<TransactionOutcome>;

/**
 * Transaction kinds the center executes after a validity check. The default
 * composition registers the validity-checked record for every kind; flows
 * built later (e-money, vouchers, …) replace the kinds they own.
 */
export class TransactionRegistry {
  private readonly handlers = new Map<TxKind, TransactionHandler>();

  register(kind: TxKind, handler: TransactionHandler, opts: { replace?: boolean } = {}): this {
    if (this.handlers.has(kind) && !opts.replace) {
      throw new TesseraError('CENTER_TX_KIND_TAKEN', `transaction kind ${nameOf(TX_KIND, kind)} already has a handler`, { kind });
    }
    this.handlers.set(kind, handler);
    return this;
  }

  /** Registers one handler for every kind not yet registered. */
  registerRemaining(handler: TransactionHandler): this {
    for (const kind of Object.values(TX_KIND)) if (!this.handlers.has(kind)) this.handlers.set(kind, handler);
    return this;
  }

  get(kind: TxKind): TransactionHandler | undefined {
    return this.handlers.get(kind);
  }
}
