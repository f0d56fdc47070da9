/**
 * Selling a card at the till (ROLES.md, "Voucher POS"): scan → serial →
 * amount (the product's, or keyed for a variable-load card) → journalled
 * BEFORE VOUCHER_ACTIVATE leaves → the HQ's answer. No answer in time: the
 * sale is voided at the till (the customer gets the money back) and the
 * entry turns into a reversal the outbox sends until the HQ answers, so a
 * card is never active without the store's money behind it.
 */
import { isTesseraError } from '../../../../core/errors.js';
import { STATUS } from '../../../../protocol/codes.js';
import type { VoucherActivate } from '../../../../protocol/messages/types.js';
import type { Scan } from '../../../devices/barcode-scanner.js';
import { termError } from '../../errors.js';
import type { FlowOutcome, RoleContext } from '../../role.js';
import { journalSale, toReversal, type SalePayload } from './entries.js';
import { voucherResultName } from './result-codes.js';
import { serialOfScan } from './scan.js';
import type { VoucherPosSettings } from './settings.js';

export async function sellCard(ctx: RoleContext, s: VoucherPosSettings, scan: Scan): Promise<FlowOutcome> {
  const serial = serialOfScan(scan);
  const amountMinor = await amountFor(ctx, s, serial);
  const transactionId = ctx.random.bytes(16).toString('hex');
  const sale: SalePayload = { stage: 'requested', serial, amountMinor, currency: s.currency, tries: 0 };
  journalSale(ctx.journal, transactionId, sale);
  const req: VoucherActivate = { type: 'voucherActivate', transactionId: Buffer.from(transactionId, 'hex'), serial, amountMinor, currency: s.currency };
  let answer;
  try {
    answer = await ctx.link.request(req, { onFailure: 'TERM_TX_UNANSWERED', timeoutMs: s.answerTimeoutMs, attempts: 1 });
  } catch (e) {
    return voidSale(ctx, transactionId, sale, isTesseraError(e) ? String(e.details?.['protocolCode'] ?? e.code) : 'INTERNAL');
  }
  if (answer.type !== 'voucherResult') return voidSale(ctx, transactionId, sale, `UNEXPECTED_${answer.type}`);
  ctx.journal.outboxSet(transactionId, 'done', answer.resultCode);
  const ids = { transactionId, details: { serialLast4: serial.slice(-4), amountMinor } };
  if (answer.status === STATUS.APPROVED) {
    ctx.log.info({ transactionId, serialLast4: serial.slice(-4), amountMinor }, 'voucher sold and activated');
    return { result: 'approved', code: null, ...ids, details: { ...ids.details, ...(answer.expiresAtMs !== undefined && { expiresAtMs: answer.expiresAtMs }) } };
  }
  const reason = voucherResultName(answer.resultCode);
  ctx.log.info({ transactionId, reason, resultCode: answer.resultCode }, 'voucher sale refused');
  return { result: 'refused', code: 'TERM_VOUCHER_REFUSED', ...ids, details: { ...ids.details, reason, resultCode: answer.resultCode } };
}

/** The sale's answer never came: voided at the till, the reversal journalled (the outbox sends it). */
function voidSale(ctx: RoleContext, transactionId: string, sale: SalePayload, cause: string): FlowOutcome {
  toReversal(ctx.journal, transactionId, sale, cause);
  ctx.log.warn({ transactionId, cause }, 'voucher activation unanswered: sale voided, reversal owed');
  return { result: 'declined', code: 'TERM_VOUCHER_SALE_VOIDED', transactionId, details: { serialLast4: sale.serial.slice(-4), amountMinor: sale.amountMinor, cause } };
}

async function amountFor(ctx: RoleContext, s: VoucherPosSettings, serial: string): Promise<number> {
  const product = s.products.find((p) => serial.startsWith(p.serialPrefix));
  if (product) return product.amountMinor;
  const text = await ctx.keypad.read('amount');
  const n = /^[0-9]{1,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < s.keyedAmountMinorMin || n > s.keyedAmountMinorMax) {
    throw termError('TERM_VOUCHER_AMOUNT_INVALID', 'the keyed amount is not valid', { min: s.keyedAmountMinorMin, max: s.keyedAmountMinorMax });
  }
  return n;
}
