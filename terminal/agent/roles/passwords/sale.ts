/**
 * A sale on a settlement password at the till (ROLES.md, "Password POS"):
 * amount keyed → password scanned off the phone (QR, checked offline) or
 * keyed (the keypad code) → the sale journalled BEFORE
 * PASSWORD_SALE_REQUEST leaves → the TTP's answer, shown with the value left
 * on the password. A lost answer is asked again with the same
 * TRANSACTION_ID (the TTP answers the first outcome, never books twice).
 *
 * The password itself is a bearer secret: it lives in memory for the
 * flow's retries and is never written to the journal or a log (the entry
 * holds amount, currency and kind). After the last attempt, or a restart
 * mid-sale, the outcome is unknown to the till: the entry is closed
 * `abandoned` and the clerk is told to look the request id up in the shop's
 * statement (merchant API) before handing goods over.
 */
import { isTesseraError } from '../../../../core/errors.js';
import { STATUS } from '../../../../protocol/codes.js';
import type { CenterResponse, PasswordSaleRequest } from '../../../../protocol/messages/types.js';
import type { Scan } from '../../../devices/barcode-scanner.js';
import { termError } from '../../errors.js';
import type { FlowOutcome, RoleContext } from '../../role.js';
import { PASSWORD_POS } from './names.js';
import { passwordResultName } from './result-codes.js';
import { qrOfScan } from './scan.js';
import type { PasswordPosSettings } from './settings.js';

type Presented = { readonly kind: 'qr'; readonly text: string } | { readonly kind: 'code'; readonly code: string };

export interface SalePayload {
  readonly kind: Presented['kind'];
  readonly amountMinor: number;
  readonly currency: string;
}

/** A scanned QR: the amount first (keypad `amount`), then the offline check. */
export async function sellByScan(ctx: RoleContext, s: PasswordPosSettings, scan: Scan): Promise<FlowOutcome> {
  const amountMinor = await amountOf(ctx, s);
  return sell(ctx, s, { kind: 'qr', text: qrOfScan(scan, s, ctx.clock, amountMinor) }, amountMinor);
}

/** Command `code`: the keypad code (keypad `code`; dashes and spaces dropped), then the amount. */
export async function sellByCode(ctx: RoleContext, s: PasswordPosSettings): Promise<FlowOutcome> {
  const code = (await ctx.keypad.read('code')).replace(/[\s-]/g, '').toUpperCase();
  if (!/^[0-9A-Z]{16}$/.test(code)) throw termError('TERM_PASSWORD_SCAN_INVALID', 'a password code is 16 characters (digits or letters)', { reason: 'format', length: code.length });
  return sell(ctx, s, { kind: 'code', code }, await amountOf(ctx, s));
}

async function sell(ctx: RoleContext, s: PasswordPosSettings, p: Presented, amountMinor: number): Promise<FlowOutcome> {
  const transactionId = ctx.random.bytes(16).toString('hex');
  const payload: SalePayload = { kind: p.kind, amountMinor, currency: s.currency };
  ctx.journal.outboxAdd({ transactionId, role: PASSWORD_POS, kind: 'sale', payload: Buffer.from(JSON.stringify(payload)) });
  const req: PasswordSaleRequest = {
    type: 'passwordSaleRequest', transactionId: Buffer.from(transactionId, 'hex'), amountMinor, currency: s.currency,
    ...(p.kind === 'qr' ? { passwordQr: p.text } : { password: p.code }), goodsClasses: [...s.goodsClasses],
  };
  let answer: CenterResponse | null = null;
  let lastError = 'INTERNAL';
  for (let i = 0; i < s.answerAttempts && answer === null; i++) {
    try {
      answer = await ctx.link.request(req, { onFailure: 'TERM_TX_UNANSWERED', timeoutMs: s.answerTimeoutMs, attempts: 1 });
    } catch (e) {
      lastError = isTesseraError(e) ? String(e.details?.['protocolCode'] ?? e.code) : 'INTERNAL';
      ctx.log.info({ transactionId, attempt: i + 1, code: lastError }, 'password sale unanswered: asking again with the same id');
    }
  }
  const ids = { transactionId, details: { amountMinor, presented: p.kind } };
  if (answer === null || answer.type !== 'passwordSaleResult') {
    ctx.journal.outboxSet(transactionId, 'abandoned');
    const cause = answer === null ? lastError : `UNEXPECTED_${answer.type}`;
    ctx.log.error({ transactionId, cause }, 'password sale outcome unknown: check the shop statement before handing goods over');
    return { result: 'error', code: 'TERM_PASSWORD_UNANSWERED', ...ids, details: { ...ids.details, cause } };
  }
  ctx.journal.outboxSet(transactionId, 'done', answer.resultCode);
  const shown = { ...(answer.balanceMinor !== undefined && { balanceMinor: answer.balanceMinor }), ...(answer.expiresAtMs !== undefined && { expiresAtMs: answer.expiresAtMs }) };
  if (answer.status === STATUS.APPROVED) {
    ctx.log.info({ transactionId, amountMinor: answer.amountMinor, ...shown }, 'password sale approved');
    return { result: 'approved', code: null, ...ids, details: { ...ids.details, amountMinor: answer.amountMinor ?? amountMinor, ...shown, receipt: receipt(answer.amountMinor ?? amountMinor, s.currency, answer.balanceMinor) } };
  }
  const reason = passwordResultName(answer.resultCode);
  ctx.log.info({ transactionId, reason, resultCode: answer.resultCode }, 'password sale declined');
  return { result: 'declined', code: 'TERM_PASSWORD_DECLINED', ...ids, details: { ...ids.details, reason, resultCode: answer.resultCode, ...shown } };
}

/** The receipt line the till prints and shows. */
function receipt(amountMinor: number, currency: string, balanceMinor: number | undefined): string {
  return `PAID ${amountMinor} ${currency} BY SETTLEMENT PASSWORD${balanceMinor === undefined ? '' : `; LEFT ${balanceMinor} ${currency}`}`;
}

async function amountOf(ctx: RoleContext, s: PasswordPosSettings): Promise<number> {
  const text = await ctx.keypad.read('amount');
  const n = /^[0-9]{1,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < s.amountMinorMin || n > s.amountMinorMax) {
    throw termError('TERM_PASSWORD_AMOUNT_INVALID', 'the keyed amount is not valid', { min: s.amountMinorMin, max: s.amountMinorMax });
  }
  return n;
}
