/**
 * The e-money half of the charge (seed 004): the purse card of a customer
 * whose charge the bank approved → PIN → READ PURSE (counter c) →
 * EMONEY_ISSUE_REQUEST (card, c) → host MAC → CREDIT → confirmation with the
 * card's receipt. Each step is journalled before its request goes out, so a
 * pulled card or a lost link resumes with the same charge id (the center
 * answers the same host MAC for the same card and counter).
 */
import { isTesseraError } from '../../../../../core/errors.js';
import { STATUS } from '../../../../../protocol/codes.js';
import type { CenterResponse, EmoneyIssueRequest, EmoneyIssueResult } from '../../../../../protocol/messages/types.js';
import type { OutboxEntry } from '../../../../journal/types.js';
import { errorOutcome } from '../../../outcomes.js';
import { termError } from '../../../errors.js';
import type { CardSession, FlowOutcome, RecoverResult, RoleContext } from '../../../role.js';
import { baseOf, closeCharge, setStage, type Stage } from './charge-entry.js';
import type { Kiosk } from './kiosk.js';
import { giveUp } from './give-up.js';
import { failedRepeat, failureCode } from './link-failure.js';
import { pickCharge } from './pick-charge.js';
import { RESULT_CHARGE_REVERSED, RESULT_IN_DOUBT, RESULT_MEDIUM_INVALID, resultCodeName } from './result-codes.js';

type Waiting = Stage<'approved'> | Stage<'bound'>;

/** A purse card: complete the charge waiting for it, or answer its balance. */
export async function purseFlow(k: Kiosk, ctx: RoleContext, card: CardSession): Promise<FlowOutcome> {
  await card.app('purse').select(); // a card with neither application is ejected here (TERM_FOREIGN_CARD)
  const mediumId = await card.app('purse').readId();
  const charge = pickCharge(k, ctx, mediumId);
  if (!charge) {
    const purse = await card.app('purse').readPurse();
    return { result: 'done', code: null, mediumId, details: { balanceMinor: purse.balanceMinor, currency: purse.currency } };
  }
  try {
    if (charge.p.stage === 'credited') return await confirm(ctx, charge.id, charge.p);
    if (charge.p.stage !== 'approved' && charge.p.stage !== 'bound') throw termError('TERM_ROLE_FAILED', `charge in step ${charge.p.stage}`);
    return await creditCard(ctx, card, charge.id, takenBy(ctx, charge.id, charge.p, mediumId), mediumId);
  } catch (e) {
    // The charge stays where its journal says (approved / bound): the next insertion resumes it.
    return { ...errorOutcome(e), mediumId, transactionId: charge.id };
  }
}

/**
 * The first purse card after the approval is the customer's (ROLES.md): the
 * charge is journalled as taken by it before its PIN is asked, so a refused
 * PIN or a pulled card leaves it waiting for that card only.
 */
function takenBy(ctx: RoleContext, id: string, p: Waiting, mediumId: string): Waiting {
  if (p.stage !== 'approved' || p.mediumId !== undefined) return p;
  const taken: Stage<'approved'> = { ...p, mediumId };
  setStage(ctx.journal, id, taken);
  return taken;
}

async function creditCard(ctx: RoleContext, card: CardSession, id: string, p: Waiting, mediumId: string): Promise<FlowOutcome> {
  const refused = await unlock(ctx, card);
  if (refused) return { ...refused, mediumId, transactionId: id };
  const purse = await card.app('purse').readPurse();
  if (purse.currency !== p.currency) {
    // This card can never take it: the customer's next card may (the charge is not left taken by this one).
    if (p.stage === 'approved' && p.mediumId !== undefined) setStage(ctx.journal, id, { stage: 'approved', ...baseOf(p), approvedAtMs: p.approvedAtMs });
    return { result: 'error', code: 'TERM_CHARGE_WRONG_CARD', mediumId, transactionId: id, details: { cardCurrency: purse.currency, currency: p.currency } };
  }
  // Durable before the request: from here the center may hold this charge for this card at this counter.
  const bound: Stage<'bound'> = p.stage === 'bound' ? p : { ...p, stage: 'bound', mediumId, counter: purse.counter, boundAtMs: ctx.clock.nowMs() };
  if (p.stage === 'approved') setStage(ctx.journal, id, bound);
  let answer: CenterResponse;
  try {
    answer = await ctx.link.request(issueRequest(id, bound, mediumId, purse.counter), { onFailure: 'TERM_TX_UNANSWERED' });
  } catch (e) {
    if (!isTesseraError(e)) throw e;
    return { result: 'error', code: e.code, mediumId, transactionId: id, details: { stage: 'bound', protocolCode: failureCode(e) } };
  }
  if (answer.type !== 'emoneyIssueResult') throw termError('TERM_ROLE_FAILED', `unexpected answer ${answer.type}`, { type: answer.type });
  if (answer.status === STATUS.APPROVED && answer.hostMac) return applyCredit(ctx, card, id, bound, answer.hostMac);
  // A lost, stolen, expired or captured purse card: kept, as the validity flow keeps an invalid card.
  if (answer.resultCode === RESULT_MEDIUM_INVALID && !card.removed) await card.capture();
  return closeOnIssueAnswer(ctx, id, bound, answer, purse.balanceMinor);
}

/** The card PIN: null when verified, or the declined outcome (wrong / blocked); the charge keeps waiting. */
async function unlock(ctx: RoleContext, card: CardSession): Promise<FlowOutcome | null> {
  const pin = await ctx.keypad.read('pin');
  if (!/^[0-9]{4,8}$/.test(pin)) throw termError('TERM_CHARGE_ENTRY_INVALID', 'the card PIN must be 4-8 digits', { prompt: 'pin' });
  try {
    await card.app('purse').verifyPin(pin);
    return null;
  } catch (e) {
    if (!isTesseraError(e) || (e.code !== 'DEV_PIN_WRONG' && e.code !== 'DEV_PIN_BLOCKED')) throw e;
    return { result: 'declined', code: e.code, details: { stage: 'awaiting-card', ...e.details } };
  }
}

/** CREDIT with the host MAC, then journal the receipt before confirming it. */
async function applyCredit(ctx: RoleContext, card: CardSession, id: string, p: Stage<'bound'>, hostMac: Buffer): Promise<FlowOutcome> {
  card.assertPresent();
  const receipt = await card.app('purse').credit(p.amountMinor, hostMac);
  const credited: Stage<'credited'> = { stage: 'credited', ...baseOf(p), mediumId: p.mediumId, counter: receipt.counter, balanceMinor: receipt.balanceMinor, cardMac: receipt.cardMac.toString('hex') };
  setStage(ctx.journal, id, credited);
  ctx.log.info({ transactionId: id, mediumId: p.mediumId, amountMinor: p.amountMinor }, 'e-money card credited');
  return confirm(ctx, id, credited);
}

/**
 * An issue request answered without a MAC: approved means the center already
 * counts the card credited; EMONEY_IN_DOUBT means the card moved past the
 * authorised counter without a receipt here (the center decides); any other
 * code ends the charge (reversed, not approved, another card's...).
 */
function closeOnIssueAnswer(ctx: RoleContext, id: string, p: Stage<'bound'>, answer: EmoneyIssueResult, balanceMinor: number): FlowOutcome {
  const ids = { mediumId: p.mediumId, transactionId: id };
  const details = { amountMinor: p.amountMinor, balanceMinor, resultCode: answer.resultCode };
  const code = resultCodeName(answer.resultCode) ?? 'TERM_CHARGE_DECLINED';
  const final = answer.status === STATUS.APPROVED || answer.resultCode === RESULT_IN_DOUBT || answer.resultCode === RESULT_CHARGE_REVERSED;
  if (final) closeCharge(ctx.journal, id, p, 'done', answer.resultCode);
  if (answer.status === STATUS.APPROVED) return { result: 'approved', code: null, ...ids, details: { stage: 'credited', ...details, confirmed: true } };
  if (answer.resultCode === RESULT_IN_DOUBT) {
    ctx.log.warn({ ...ids }, 'charge in doubt: the card moved on without a receipt here');
    return { result: 'error', code: 'TERM_CHARGE_IN_DOUBT', ...ids, details: { stage: 'in-doubt', ...details } };
  }
  // The customer is told the charge failed: unless the center already reversed it, give it up
  // (CHARGE_ABANDON from the outbox) so the money the bank took is reversed at once, not after
  // the center's issue timeout.
  if (!final) giveUp(ctx, id, p, code);
  return { result: 'declined', code, ...ids, details: { stage: 'declined', ...details } };
}

/**
 * The credit confirmation (EMONEY_ISSUE_REQUEST with the receipt). The card
 * holds the e-money already, so the flow reports approved even unanswered
 * (`confirmed: false`); the journal keeps the receipt and recover repeats it.
 */
async function confirm(ctx: RoleContext, id: string, p: Stage<'credited'>): Promise<FlowOutcome> {
  const ids = { mediumId: p.mediumId, transactionId: id };
  const details = { stage: 'credited', amountMinor: p.amountMinor, balanceMinor: p.balanceMinor };
  let answer: CenterResponse;
  try {
    answer = await ctx.link.request(issueRequest(id, p, p.mediumId, p.counter, p), { onFailure: 'TERM_TX_UNANSWERED' });
  } catch (e) {
    ctx.journal.outboxFailed(id, failureCode(e));
    return { result: 'approved', code: null, ...ids, details: { ...details, confirmed: false } };
  }
  if (answer.type !== 'emoneyIssueResult') throw termError('TERM_ROLE_FAILED', `unexpected answer ${answer.type}`, { type: answer.type });
  closeCharge(ctx.journal, id, p, 'done', answer.resultCode);
  if (answer.status === STATUS.APPROVED) return { result: 'approved', code: null, ...ids, details: { ...details, confirmed: true } };
  ctx.log.error({ ...ids, resultCode: answer.resultCode }, 'credit confirmation refused by the center');
  return { result: 'error', code: resultCodeName(answer.resultCode) ?? 'TERM_CHARGE_DECLINED', ...ids, details: { ...details, confirmed: false, resultCode: answer.resultCode } };
}

function issueRequest(id: string, p: Stage<'bound'> | Stage<'credited'>, mediumId: string, counter: number, receipt?: Stage<'credited'>): EmoneyIssueRequest {
  return {
    type: 'emoneyIssueRequest',
    transactionId: Buffer.from(id, 'hex'),
    mediumId: Buffer.from(mediumId, 'hex'),
    cardCounter: counter,
    amountMinor: p.amountMinor,
    currency: p.currency,
    ...(receipt && { creditReceipt: Buffer.from(receipt.cardMac, 'hex'), balanceMinor: receipt.balanceMinor }),
  };
}

/** recover: repeats an unanswered credit confirmation (the receipt is in the journal). */
export async function repeatConfirmation(ctx: RoleContext, entry: OutboxEntry, p: Stage<'credited'>): Promise<RecoverResult> {
  let answer: CenterResponse;
  try {
    answer = await ctx.link.request(issueRequest(entry.transactionId, p, p.mediumId, p.counter, p), { onFailure: 'TERM_TX_UNANSWERED', attempts: 1 });
  } catch (e) {
    return failedRepeat(ctx.journal, entry, p, e);
  }
  if (answer.type !== 'emoneyIssueResult') return failedRepeat(ctx.journal, entry, p, termError('TERM_ROLE_FAILED', `unexpected answer ${answer.type}`));
  closeCharge(ctx.journal, entry.transactionId, p, 'done', answer.resultCode);
  if (answer.status !== STATUS.APPROVED) ctx.log.error({ transactionId: entry.transactionId, resultCode: answer.resultCode }, 'credit confirmation refused by the center');
  return 'done';
}

