import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { NAK_REASON, STATUS } from '../../protocol/codes.js';
import { protoError } from '../../protocol/errors.js';
import type { CenterResponse, TerminalRequest, TransactionRequest, ValidityRequest } from '../../protocol/messages/types.js';
import type { SessionHandler, SessionInfo } from '../net/types.js';
import type { FlowOutcome } from '../server/outcomes.js';
import type { Storage } from '../storage/types.js';
import type { Admission, ValidityEngine } from './engine.js';
import { earlierOutcome } from './checked-transactions.js';
import { pendingCheckOf, WIRE_NAK_REASON } from './nak-codes.js';
import { TX_RESULT, type TransactionContext, type TransactionRegistry } from './transaction-registry.js';

export interface ValidityFlowDeps {
  readonly engine: ValidityEngine;
  readonly storage: Storage;
  readonly transactions: TransactionRegistry;
  readonly clock: Clock;
  readonly log: Logger;
  /** Called when a transaction is cleared to execute (both sides valid), before it runs (metrics, benchmarks). */
  readonly onTransactionStart?: (ctx: TransactionContext) => void;
  /** Each validity decision (admit, then the transaction's final word), for watchers (the admin API's SSE). */
  readonly onOutcome?: (o: FlowOutcome) => void;
}

interface Admitted {
  readonly mediumId: string;
  readonly admission: Admission;
}

/**
 * One terminal session of seed 001: VALIDITY_REQUEST → ACK / EARLY_ACK / NAK,
 * then TRANSACTION_REQUEST → the final validity word → TRANSACTION_RESULT, or
 * VALIDITY_NAK (capture) and the session ends. The transaction executes only
 * when `confirm()` says both sides are valid.
 */
export class ValidityFlow implements SessionHandler {
  /** The latest validity request of this session (a new card replaces it). */
  private admitting: Promise<Admitted | undefined> = Promise.resolve(undefined);

  constructor(
    private readonly info: SessionInfo,
    private readonly deps: ValidityFlowDeps,
  ) {}

  onRequest(req: TerminalRequest): Promise<CenterResponse> {
    if (req.type === 'validityRequest') return this.onValidity(req);
    if (req.type === 'transactionRequest') return this.onTransaction(req);
    return Promise.reject(protoError('PROTO_UNEXPECTED_MESSAGE', 'request not served by the validity flow', { request: req.type }));
  }

  onClose(): void {
    this.admitting = Promise.resolve(undefined);
  }

  private async onValidity(req: ValidityRequest): Promise<CenterResponse> {
    if (req.terminalId !== this.info.terminalId) {
      this.admitting = Promise.resolve(undefined);
      return { type: 'validityNak', reason: NAK_REASON.TERMINAL_MISMATCH, capture: false };
    }
    const mediumId = req.mediumId.toString('hex');
    const result = this.deps.engine.admit({ mediumId, terminalId: req.terminalId });
    this.admitting = result.then(
      (r) => (r.kind === 'nak' ? undefined : { mediumId, admission: r }),
      () => undefined,
    );
    const r = await result;
    this.outcome('admit', r.kind, r.kind === 'nak' ? r.reason : null, mediumId);
    if (r.kind === 'nak') return { type: 'validityNak', reason: WIRE_NAK_REASON[r.reason], capture: r.capture };
    if (r.kind === 'ack') return { type: 'validityAck' };
    return { type: 'validityEarlyAck', pending: pendingCheckOf(this.deps.engine.mode) };
  }

  private async onTransaction(req: TransactionRequest): Promise<CenterResponse> {
    const admitted = await this.admitting;
    // One transaction per validity check.
    this.admitting = Promise.resolve(undefined);
    if (!admitted) return this.replayOrRefuse(req);
    const verdict = await admitted.admission.confirm();
    this.outcome('transaction', verdict.ok ? 'cleared' : 'nak', verdict.ok ? null : verdict.reason, admitted.mediumId);
    if (!verdict.ok) return { type: 'validityNak', reason: WIRE_NAK_REASON[verdict.reason], capture: verdict.capture };
    const ctx = this.contextOf(req, admitted.mediumId);
    this.deps.onTransactionStart?.(ctx);
    const handler = this.deps.transactions.get(req.kind);
    if (!handler) return this.result(req, { approved: false, resultCode: TX_RESULT.KIND_UNSUPPORTED });
    return this.result(req, await this.deps.storage.transact((tx) => handler(tx, ctx)));
  }

  /** No check in this session: a retry of a transaction already executed gets its result again. */
  private async replayOrRefuse(req: TransactionRequest): Promise<CenterResponse> {
    const ctx = this.contextOf(req, '');
    const earlier = await this.deps.storage.read((q) => earlierOutcome(q, ctx, '', { anyMedium: true }));
    return this.result(req, earlier ?? { approved: false, resultCode: TX_RESULT.VALIDITY_REQUIRED });
  }

  private outcome(step: string, outcome: string, code: string | null, mediumId: string): void {
    this.deps.onOutcome?.({ flow: 'validity', step, outcome, code, terminalId: this.info.terminalId, subject: mediumId, atMs: this.deps.clock.nowMs() });
  }

  private contextOf(req: TransactionRequest, mediumId: string): TransactionContext {
    return {
      terminalId: this.info.terminalId,
      mediumId,
      transactionId: req.transactionId.toString('hex'),
      request: req,
      nowMs: this.deps.clock.nowMs(),
    };
  }

  private result(req: TransactionRequest, o: { approved: boolean; resultCode: number }): CenterResponse {
    return {
      type: 'transactionResult',
      transactionId: req.transactionId,
      status: o.approved ? STATUS.APPROVED : STATUS.DECLINED,
      resultCode: o.resultCode,
    };
  }
}
