/**
 * recover() of the voucher POS: a sale still `requested` after a restart
 * (the till died before the answer; the sale was never completed, the
 * customer is paid back) turns into a reversal; a reversal or a void is sent
 * once per drain, until the HQ answers (any VOUCHER_RESULT but HQ_PENDING).
 */
import { isTesseraError } from '../../../../core/errors.js';
import { STATUS } from '../../../../protocol/codes.js';
import type { CenterResponse } from '../../../../protocol/messages/types.js';
import type { OutboxEntry } from '../../../journal/types.js';
import { VOUCHER_POS_LIMITS } from '../../../limits.js';
import type { RecoverResult, RoleContext } from '../../role.js';
import { failedTry, parsePayload, toReversal, type SalePayload, type VoidPayload } from './entries.js';
import { RESULT_HQ_PENDING, voucherResultName } from './result-codes.js';

export async function recoverEntry(ctx: RoleContext, entry: OutboxEntry): Promise<RecoverResult> {
  if (entry.kind === 'void') return repeatVoid(ctx, entry);
  let sale = parsePayload<SalePayload>(entry.payload);
  if (entry.state === 'pending' || sale.stage === 'requested') sale = toReversal(ctx.journal, entry.transactionId, sale, 'RESTARTED');
  return sendReversal(ctx, entry.transactionId, sale);
}

async function sendReversal(ctx: RoleContext, id: string, sale: SalePayload): Promise<RecoverResult> {
  const answer = await attempt(ctx, id, sale, {
    type: 'voucherReversal', transactionId: Buffer.from(id, 'hex'), serial: sale.serial, amountMinor: sale.amountMinor, currency: sale.currency,
  });
  if (answer === null) return 'retry';
  ctx.journal.outboxSet(id, 'done', answer.resultCode);
  if (answer.status === STATUS.APPROVED) ctx.log.info({ transactionId: id }, 'voucher reversal taken by the HQ');
  else ctx.log.error({ transactionId: id, reason: voucherResultName(answer.resultCode) }, 'the HQ refused a voucher reversal');
  return 'done';
}

async function repeatVoid(ctx: RoleContext, entry: OutboxEntry): Promise<RecoverResult> {
  const p = parsePayload<VoidPayload>(entry.payload);
  const answer = await attempt(ctx, entry.transactionId, p, {
    type: 'voucherVoid', transactionId: Buffer.from(entry.transactionId, 'hex'), originalTransactionId: Buffer.from(p.originalId, 'hex'),
  });
  if (answer === null) return 'retry';
  ctx.journal.outboxSet(entry.transactionId, 'done', answer.resultCode);
  ctx.log.info({ transactionId: entry.transactionId, approved: answer.status === STATUS.APPROVED, reason: voucherResultName(answer.resultCode) }, 'voucher void answered');
  return 'done';
}

/** One send; null (counted, entry left open) when there is no final answer. */
async function attempt<P extends { tries: number }>(ctx: RoleContext, id: string, p: P, req: Parameters<RoleContext['link']['request']>[0]): Promise<(CenterResponse & { type: 'voucherResult' }) | null> {
  let answer: CenterResponse;
  try {
    answer = await ctx.link.request(req, { onFailure: 'TERM_TX_UNANSWERED', attempts: 1, timeoutMs: VOUCHER_POS_LIMITS.voidTimeoutMs });
  } catch (e) {
    failedTry(ctx.journal, id, p, isTesseraError(e) ? String(e.details?.['protocolCode'] ?? e.code) : 'INTERNAL');
    return null;
  }
  if (answer.type !== 'voucherResult') {
    failedTry(ctx.journal, id, p, `UNEXPECTED_${answer.type}`);
    return null;
  }
  if (answer.status === STATUS.DECLINED && answer.resultCode === RESULT_HQ_PENDING) {
    failedTry(ctx.journal, id, p, 'HQ_PENDING');
    return null;
  }
  return answer;
}
