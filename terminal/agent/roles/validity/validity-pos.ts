/**
 * The validity-checked point of sale (seed 001, JP 11-328293): card inserted
 * → select the purse → READ ID → VALIDITY_REQUEST → on ACK / EARLY_ACK the
 * TRANSACTION_REQUEST (journalled first; a repeat carries the same id) →
 * TRANSACTION_RESULT. A NAK with capture keeps the card; without, returns it.
 */
import { isTesseraError, TesseraError } from '../../../../core/errors.js';
import { NAK_REASON, nameOf, STATUS, TX_KIND } from '../../../../protocol/codes.js';
import type { CenterResponse, TransactionRequest } from '../../../../protocol/messages/types.js';
import type { TerminalConfig } from '../../../config/schema.js';
import type { OutboxEntry } from '../../../journal/types.js';
import { termError } from '../../errors.js';
import type { CardSession, FlowOutcome, RecoverResult, Role, RoleContext } from '../../role.js';

export const VALIDITY_POS = 'validity-pos';

/** TRANSACTION_RESULT resultCode the center answers a transaction it never saw a validity check for (center TX_RESULT.VALIDITY_REQUIRED). */
const RESULT_VALIDITY_REQUIRED = 1;
/** Validity checks one flow may make for the same transaction id (the first session may die before the transaction). */
const CHECKS_PER_FLOW_MAX = 2;

interface TxPayload {
  mediumId: string;
  kind: keyof typeof TX_KIND;
  amountMinor: number;
  currency: string;
}

export function validityPosRole(config: TerminalConfig): Role {
  const tx = config.transaction;
  return {
    name: VALIDITY_POS,
    apps: ['purse'],
    onCardInserted: (ctx, card) => cardFlow(ctx, card, tx),
    recover: (ctx, entry) => recoverTransaction(ctx, entry),
  };
}

async function cardFlow(ctx: RoleContext, card: CardSession, tx: TerminalConfig['transaction']): Promise<FlowOutcome> {
  const mediumId = await readMedium(card);
  const payload: TxPayload = { mediumId, kind: tx.kind, amountMinor: tx.amountMinor, currency: tx.currency };
  const transactionId = ctx.random.bytes(16).toString('hex');
  let ackAtMs: number | undefined;
  for (let check = 0; check < CHECKS_PER_FLOW_MAX; check++) {
    const verdict = await ctx.link.request({ type: 'validityRequest', terminalId: ctx.terminalId, mediumId: Buffer.from(mediumId, 'hex') });
    ackAtMs ??= ctx.clock.monoMs();
    if (verdict.type === 'validityNak') return refuse(ctx, card, verdict, { mediumId, ackAtMs });
    if (verdict.type !== 'validityAck' && verdict.type !== 'validityEarlyAck') throw unexpected(verdict);
    // Nothing is sent for a card that left.
    if (card.removed) throw termError('TERM_CARD_REMOVED', 'the card left before the transaction was sent', { mediumId });
    card.assertPresent();
    ctx.journal.outboxAdd({ transactionId, role: VALIDITY_POS, kind: 'transaction', payload: Buffer.from(JSON.stringify(payload)) });
    const answer = await sendTransaction(ctx, transactionId, payload);
    if (answer.type === 'validityNak') {
      ctx.journal.outboxSet(transactionId, 'done');
      return refuse(ctx, card, answer, { mediumId, ackAtMs, transactionId });
    }
    if (answer.type !== 'transactionResult') throw unexpected(answer);
    // The session died between check and transaction and the retry found no check: check again, same id.
    if (answer.status === STATUS.DECLINED && answer.resultCode === RESULT_VALIDITY_REQUIRED && check + 1 < CHECKS_PER_FLOW_MAX) continue;
    ctx.journal.outboxSet(transactionId, 'done', answer.resultCode);
    const details = { verdict: verdict.type, resultCode: answer.resultCode };
    if (answer.status === STATUS.APPROVED) return { result: 'approved', code: null, mediumId, transactionId, ackAtMs, details };
    return { result: 'declined', code: 'TERM_TX_DECLINED', mediumId, transactionId, ackAtMs, details };
  }
  throw termError('TERM_TX_DECLINED', 'the center kept asking for a validity check', { transactionId });
}

/**
 * Select + READ ID. A foreign card (DEV_NOT_OUR_CARD, released) and a card
 * that left (DEV_CARD_REMOVED, or the session's TERM_CARD_REMOVED) keep their
 * codes: the agent reports them as every role does (TERM_FOREIGN_CARD with
 * the status word in details, TERM_CARD_REMOVED). Other device failures are
 * TERM_CARD_UNREADABLE with the device's details (status word) kept.
 */
async function readMedium(card: CardSession): Promise<string> {
  try {
    await card.app('purse').select();
    return await card.app('purse').readId();
  } catch (e) {
    if (!isTesseraError(e) || !e.code.startsWith('DEV_') || e.code === 'DEV_NOT_OUR_CARD' || e.code === 'DEV_CARD_REMOVED') throw e;
    throw termError('TERM_CARD_UNREADABLE', 'the card could not be read', { ...e.details, deviceCode: e.code }, e);
  }
}

/**
 * Sends the journalled transaction. A link failure leaves the entry pending
 * (it is repeated with the same id later) and is TERM_TX_UNANSWERED.
 */
async function sendTransaction(ctx: RoleContext, transactionId: string, p: TxPayload): Promise<CenterResponse> {
  try {
    return await ctx.link.request(transactionRequest(transactionId, p), { onFailure: 'TERM_TX_UNANSWERED' });
  } catch (e) {
    ctx.journal.outboxFailed(transactionId, isTesseraError(e) ? String(e.details?.['protocolCode'] ?? e.code) : 'INTERNAL');
    throw e;
  }
}

function transactionRequest(transactionId: string, p: TxPayload): TransactionRequest {
  return { type: 'transactionRequest', transactionId: Buffer.from(transactionId, 'hex'), kind: TX_KIND[p.kind], amountMinor: p.amountMinor, currency: p.currency, content: [] };
}

async function refuse(ctx: RoleContext, card: CardSession, nak: { reason: number; capture: boolean }, ids: { mediumId: string; ackAtMs: number; transactionId?: string }): Promise<FlowOutcome> {
  const reason = nameOf(NAK_REASON, nak.reason);
  let captured = false;
  if (nak.capture && !card.removed) {
    await card.capture();
    captured = true;
  }
  ctx.log.info({ mediumId: ids.mediumId, reason, captured }, 'validity refused');
  return { result: 'refused', code: 'TERM_CARD_NAK', ...ids, details: { reason, capture: nak.capture, captured } };
}

/**
 * Repeats an unanswered transaction with its id and no new validity check:
 * the center answers the first outcome if it executed it, or "validity
 * required" if it never did (then nothing happened and nothing is owed).
 */
async function recoverTransaction(ctx: RoleContext, entry: OutboxEntry): Promise<RecoverResult> {
  const p = JSON.parse(entry.payload.toString('utf8')) as TxPayload;
  let answer: CenterResponse;
  try {
    answer = await ctx.link.request(transactionRequest(entry.transactionId, p), { onFailure: 'TERM_TX_UNANSWERED', attempts: 1 });
  } catch (e) {
    const after = ctx.journal.outboxFailed(entry.transactionId, e instanceof TesseraError ? e.code : 'INTERNAL');
    return after.state === 'abandoned' ? 'abandoned' : 'retry';
  }
  if (answer.type !== 'transactionResult') {
    ctx.journal.outboxFailed(entry.transactionId, `UNEXPECTED_${answer.type}`);
    return 'retry';
  }
  const executed = !(answer.status === STATUS.DECLINED && answer.resultCode === RESULT_VALIDITY_REQUIRED);
  ctx.journal.outboxSet(entry.transactionId, executed ? 'done' : 'abandoned', answer.resultCode);
  return executed ? 'done' : 'abandoned';
}

function unexpected(r: CenterResponse): TesseraError {
  return termError('TERM_ROLE_FAILED', `unexpected answer ${r.type}`, { type: r.type });
}
