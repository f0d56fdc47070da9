/**
 * The cash-card half of the charge (seed 004): read the account, take the
 * amount and the bank PIN, journal the charge, CHARGE_REQUEST (the PIN as a
 * format-2 block sealed under the session key), and record the bank's answer.
 * The PIN block lives only in this flow's memory and in the CHARGE_REQUEST it
 * is sealed for: never logged, never journalled in any form (an unanswered
 * charge is given up, never repeated, so nothing needs it later).
 */
import { isTesseraError } from '../../../../../core/errors.js';
import { STATUS, TAG } from '../../../../../protocol/codes.js';
import { pinBlockFormat2 } from '../../../../../protocol/crypto/seal.js';
import type { CashCardAccount } from '../../../../../protocol/cashcard/responses.js';
import type { CenterResponse } from '../../../../../protocol/messages/types.js';
import type { OutboxEntry } from '../../../../journal/types.js';
import type { RequestBuilder } from '../../../../link/link-client.js';
import { KIOSK_LIMITS } from '../../../../limits.js';
import { termError } from '../../../errors.js';
import type { CardSession, FlowOutcome, RecoverResult, RoleContext } from '../../../role.js';
import { baseOf, CHARGE_KIND, closeCharge, encodeCharge, openCharges, PROVIDER_KIOSK, setStage, type ChargeBase, type Stage } from './charge-entry.js';
import type { Kiosk } from './kiosk.js';
import { giveUp, sendAbandon } from './give-up.js';
import { failureCode } from './link-failure.js';
import { RESULT_IN_PROGRESS, resultCodeName } from './result-codes.js';

const PIN = new RegExp(`^[0-9]{${KIOSK_LIMITS.bankPinDigitsMin},${KIOSK_LIMITS.bankPinDigitsMax}}$`);

export async function chargeFlow(k: Kiosk, ctx: RoleContext, card: CardSession): Promise<FlowOutcome> {
  const account = await card.app('cashCard').readAccount();
  supersedeWaitingCharges(ctx);
  const amountMinor = parseAmount(await ctx.keypad.read('amount'), k.settings.amountMinorMax);
  const pin = await ctx.keypad.read('pin');
  if (!PIN.test(pin)) throw termError('TERM_CHARGE_ENTRY_INVALID', 'the bank PIN must be 4-12 digits', { prompt: 'pin' });
  // The holder took the card back before the request went out: nothing is sent.
  card.assertPresent();
  const id = ctx.random.bytes(16).toString('hex');
  const pinBlock = pinBlockFormat2(pin);
  const p: Stage<'requested'> = { stage: 'requested', account, amountMinor, currency: k.settings.currency, requestedAtMs: ctx.clock.nowMs() };
  ctx.journal.outboxAdd({ transactionId: id, role: PROVIDER_KIOSK, kind: CHARGE_KIND, payload: encodeCharge(p) });
  let answer: CenterResponse;
  try {
    answer = await ctx.link.request(chargeRequest(id, p, account, pinBlock), { onFailure: 'TERM_TX_UNANSWERED' });
  } catch (e) {
    // The customer is told the charge failed: it is given up for good, never repeated or completed later.
    giveUp(ctx, id, p, failureCode(e));
    if (!isTesseraError(e)) throw e;
    return abandonedOutcome(id, p, { cause: e.code });
  }
  return applyChargeAnswer(ctx, id, p, answer);
}

/** What the customer sees for a charge given up in their flow (ROLES.md): declined, nothing owed. */
function abandonedOutcome(id: string, p: Stage<'requested'>, more: Record<string, unknown>): FlowOutcome {
  return { result: 'declined', code: 'TERM_CHARGE_ABANDONED', transactionId: id, details: { stage: 'abandoned', amountMinor: p.amountMinor, bankCode: p.account.bankCode, ...more } };
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
 * credited to the next card); the outbox tells the center, which reverses them.
 */
function supersedeWaitingCharges(ctx: RoleContext): void {
  for (const c of openCharges(ctx.journal, ctx.log)) {
    if (c.p.stage === 'approved') giveUp(ctx, c.id, c.p, 'a new customer');
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
  if (answer.resultCode === RESULT_IN_PROGRESS) {
    // Another center node is at the bank for this charge: its outcome comes too late for this customer.
    giveUp(ctx, id, p, 'EMONEY_CHARGE_IN_PROGRESS');
    return abandonedOutcome(id, p, { resultCode: answer.resultCode });
  }
  closeCharge(ctx.journal, id, p, 'done', answer.resultCode);
  const code = resultCodeName(answer.resultCode) ?? 'TERM_CHARGE_DECLINED';
  ctx.log.info({ ...ids, code }, 'charge declined');
  return { result: 'declined', code, transactionId: id, details: { stage: 'declined', resultCode: answer.resultCode, amountMinor: p.amountMinor, bankCode: p.account.bankCode } };
}

/**
 * recover of a charge still `requested`: the agent stopped before its answer,
 * so its customer's flow is over (they were told nothing, or that it failed).
 * It is never repeated: it is given up and CHARGE_ABANDON goes out now.
 */
export async function abandonUnanswered(ctx: RoleContext, entry: OutboxEntry, p: Stage<'requested'>): Promise<RecoverResult> {
  return sendAbandon(ctx, entry, giveUp(ctx, entry.transactionId, p, 'unanswered before a restart'));
}
