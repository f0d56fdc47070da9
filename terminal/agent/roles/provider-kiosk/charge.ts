/**
 * The cash-card half of the charge (seed 004): read the account, take the
 * amount and the bank PIN, journal the charge, CHARGE_REQUEST (the PIN sealed
 * into a format-2 block for the session), and record the bank's answer. The
 * PIN is never logged or journalled in clear (pin-vault.ts).
 */
import { isTesseraError } from '../../../../core/errors.js';
import { STATUS, TAG } from '../../../../protocol/codes.js';
import { pinBlockFormat2 } from '../../../../protocol/crypto/seal.js';
import type { CashCardAccount } from '../../../../protocol/cashcard/responses.js';
import type { CenterResponse } from '../../../../protocol/messages/types.js';
import type { OutboxEntry } from '../../../journal/types.js';
import type { RequestBuilder } from '../../../link/link-client.js';
import { KIOSK_LIMITS } from '../../../limits.js';
import { termError } from '../../errors.js';
import type { CardSession, FlowOutcome, RecoverResult, RoleContext } from '../../role.js';
import { baseOf, CHARGE_KIND, closeCharge, encodeCharge, openCharges, PROVIDER_KIOSK, setStage, type ChargeBase, type Stage } from './charge-entry.js';
import type { Kiosk } from './kiosk.js';
import { failedRepeat, failureCode } from './link-failure.js';
import { resultCodeName } from './result-codes.js';

const PIN = new RegExp(`^[0-9]{${KIOSK_LIMITS.bankPinDigitsMin},${KIOSK_LIMITS.bankPinDigitsMax}}$`);

export async function chargeFlow(k: Kiosk, ctx: RoleContext, card: CardSession): Promise<FlowOutcome> {
  const account = await card.cashCard.readAccount();
  supersedeWaitingCharges(ctx);
  const amountMinor = parseAmount(await ctx.keypad.read('amount'), k.settings.amountMinorMax);
  const pin = await ctx.keypad.read('pin');
  if (!PIN.test(pin)) throw termError('TERM_CHARGE_ENTRY_INVALID', 'the bank PIN must be 4-12 digits', { prompt: 'pin' });
  // The holder took the card back before the request went out: nothing is sent.
  card.assertPresent();
  const id = ctx.random.bytes(16).toString('hex');
  const pinBlock = pinBlockFormat2(pin);
  const p: Stage<'requested'> = { stage: 'requested', account, amountMinor, currency: k.settings.currency, requestedAtMs: ctx.clock.nowMs(), pinSealed: k.vault.seal(id, pinBlock, ctx.random) };
  ctx.journal.outboxAdd({ transactionId: id, role: PROVIDER_KIOSK, kind: CHARGE_KIND, payload: encodeCharge(p) });
  let answer: CenterResponse;
  try {
    answer = await ctx.link.request(chargeRequest(id, p, account, pinBlock), { onFailure: 'TERM_TX_UNANSWERED' });
  } catch (e) {
    ctx.journal.outboxFailed(id, failureCode(e));
    if (!isTesseraError(e)) throw e;
    return { result: 'error', code: e.code, transactionId: id, details: { stage: 'requested', amountMinor, bankCode: account.bankCode } };
  }
  return applyChargeAnswer(ctx, id, p, answer);
}

/** The amount as typed: a whole number of minor units, 1..max. */
function parseAmount(text: string, maxMinor: number): number {
  const n = /^[0-9]{1,16}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > maxMinor) throw termError('TERM_CHARGE_ENTRY_INVALID', 'the amount must be a whole number of minor units', { prompt: 'amount', maxMinor });
  return n;
}

/**
 * A new customer's cash card: approved charges still waiting for a card and
 * not bound to one belong to someone who left. They are given up here (never
 * credited to the next card); the center reverses them after its issue timeout.
 */
function supersedeWaitingCharges(ctx: RoleContext): void {
  for (const c of openCharges(ctx.journal, ctx.log)) {
    if (c.p.stage !== 'approved') continue;
    closeCharge(ctx.journal, c.id, c.p, 'abandoned');
    ctx.log.info({ transactionId: c.id }, 'approved charge left without its card: given up, the center reverses it');
  }
}

function chargeRequest(id: string, p: ChargeBase, account: CashCardAccount, pinBlock: Buffer): RequestBuilder {
  // A builder: a retry on a new session seals the PIN block again under that session's key.
  return (s) => ({
    type: 'chargeRequest',
    transactionId: Buffer.from(id, 'hex'),
    amountMinor: p.amountMinor,
    currency: p.currency,
    bankCode: account.bankCode,
    branchCode: account.branchCode,
    accountNumber: account.accountNumber,
    pinBlock: s.sealer.seal(TAG.PIN_BLOCK, pinBlock),
  });
}

/** CHARGE_RESULT: approved → the charge waits for its e-money card; declined → closed with the bank's or center's code. */
function applyChargeAnswer(ctx: RoleContext, id: string, p: Stage<'requested'>, answer: CenterResponse): FlowOutcome {
  if (answer.type !== 'chargeResult') throw termError('TERM_ROLE_FAILED', `unexpected answer ${answer.type}`, { type: answer.type, transactionId: id });
  const ids = { transactionId: id, bankCode: p.account.bankCode, amountMinor: p.amountMinor };
  if (answer.status === STATUS.APPROVED) {
    setStage(ctx.journal, id, { stage: 'approved', ...baseOf(p), approvedAtMs: ctx.clock.nowMs() });
    ctx.log.info(ids, 'charge approved by the bank; waiting for the e-money card');
    return { result: 'approved', code: null, transactionId: id, details: { stage: 'charged', amountMinor: p.amountMinor, bankCode: p.account.bankCode } };
  }
  closeCharge(ctx.journal, id, p, 'done', answer.resultCode);
  const code = resultCodeName(answer.resultCode) ?? 'TERM_CHARGE_DECLINED';
  ctx.log.info({ ...ids, code }, 'charge declined');
  return { result: 'declined', code, transactionId: id, details: { stage: 'declined', resultCode: answer.resultCode, amountMinor: p.amountMinor, bankCode: p.account.bankCode } };
}

/**
 * Repeats an unanswered CHARGE_REQUEST with its id and the same PIN (sealed
 * for this session). Past the repeat window, or when the PIN block no longer
 * opens, the charge is given up: the center reverses an outcome it holds.
 */
export async function repeatCharge(k: Kiosk, ctx: RoleContext, entry: OutboxEntry, p: Stage<'requested'>): Promise<RecoverResult> {
  const id = entry.transactionId;
  const inWindow = ctx.clock.nowMs() - p.requestedAtMs <= k.settings.chargeRepeatWindowMs;
  const pinBlock = inWindow ? k.vault.open(id, p.pinSealed) : null;
  if (!pinBlock) {
    closeCharge(ctx.journal, id, p, 'abandoned');
    ctx.log.warn({ transactionId: id }, 'unanswered charge given up; the center reverses it if the bank took the money');
    return 'abandoned';
  }
  let answer: CenterResponse;
  try {
    answer = await ctx.link.request(chargeRequest(id, p, p.account, pinBlock), { onFailure: 'TERM_TX_UNANSWERED', attempts: 1 });
  } catch (e) {
    return failedRepeat(ctx.journal, entry, p, e);
  }
  if (answer.type !== 'chargeResult') return failedRepeat(ctx.journal, entry, p, termError('TERM_ROLE_FAILED', `unexpected answer ${answer.type}`));
  applyChargeAnswer(ctx, id, p, answer);
  return 'done';
}
