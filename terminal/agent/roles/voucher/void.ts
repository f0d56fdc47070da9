/**
 * Cancelling a sale (command `void`, args.transactionId: the sale's): only a
 * sale this till's journal shows approved. The void is journalled before it
 * is sent; without a final answer it stays open and the outbox repeats it
 * (the card stays at the counter until then).
 */
import { isTesseraError } from '../../../../core/errors.js';
import { STATUS } from '../../../../protocol/codes.js';
import { termError } from '../../errors.js';
import type { AgentCommand, FlowOutcome, RoleContext } from '../../role.js';
import { failedTry, journalVoid, parsePayload, type SalePayload, type VoidPayload } from './entries.js';
import { RESULT_HQ_PENDING, voucherResultName } from './result-codes.js';
import { VOUCHER_POS_LIMITS } from '../../../limits.js';

export async function voidSale(ctx: RoleContext, cmd: AgentCommand): Promise<FlowOutcome> {
  const originalId = String(cmd.args?.['transactionId'] ?? '');
  const sale = /^[0-9a-f]{32}$/.test(originalId) ? ctx.journal.outboxGet(originalId) : undefined;
  if (!sale || sale.kind !== 'activation' || sale.state !== 'done' || sale.resultCode !== 0) {
    throw termError('TERM_VOUCHER_VOID_UNKNOWN', 'no approved sale with this id in the journal', { transactionId: originalId.slice(0, 32) });
  }
  const s = parsePayload<SalePayload>(sale.payload);
  const id = ctx.random.bytes(16).toString('hex');
  const p: VoidPayload = { originalId, serial: s.serial, amountMinor: s.amountMinor, tries: 0 };
  journalVoid(ctx.journal, id, p);
  const details = { originalTransactionId: originalId, serialLast4: s.serial.slice(-4), amountMinor: s.amountMinor };
  let answer;
  try {
    answer = await ctx.link.request({ type: 'voucherVoid', transactionId: Buffer.from(id, 'hex'), originalTransactionId: Buffer.from(originalId, 'hex') }, { onFailure: 'TERM_TX_UNANSWERED', attempts: 1, timeoutMs: VOUCHER_POS_LIMITS.voidTimeoutMs });
  } catch (e) {
    failedTry(ctx.journal, id, p, isTesseraError(e) ? String(e.details?.['protocolCode'] ?? e.code) : 'INTERNAL');
    return { result: 'error', code: 'TERM_VOUCHER_VOID_PENDING', transactionId: id, details };
  }
  if (answer.type !== 'voucherResult' || (answer.status === STATUS.DECLINED && answer.resultCode === RESULT_HQ_PENDING)) {
    failedTry(ctx.journal, id, p, answer.type === 'voucherResult' ? 'HQ_PENDING' : `UNEXPECTED_${answer.type}`);
    return { result: 'error', code: 'TERM_VOUCHER_VOID_PENDING', transactionId: id, details };
  }
  ctx.journal.outboxSet(id, 'done', answer.resultCode);
  if (answer.status === STATUS.APPROVED) return { result: 'approved', code: null, transactionId: id, details };
  return { result: 'refused', code: 'TERM_VOUCHER_REFUSED', transactionId: id, details: { ...details, reason: voucherResultName(answer.resultCode), resultCode: answer.resultCode } };
}
