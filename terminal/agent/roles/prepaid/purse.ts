/**
 * A medium paid by the customer's seed-004 purse card (ROLES.md, "Prepaid
 * issuer"): the card is identified (a foreign card is refused before
 * anything), judged online by validity (VALIDITY_REQUEST: a NAK refuses it,
 * and keeps it when the center says so, before it is debited), the amount
 * keyed, the purse read (an earlier debit of this card in doubt is resolved
 * first, debit-doubt.ts), and debited the way the member shop debits it
 * (doubt journalled before the DEBIT, member-shop/purchase.ts). The card's
 * answer, its signed record, goes into the issue's outbox entry in the same
 * journal transaction that drops the doubt; then PREPAID_ISSUE carries the
 * record (RECORD) and the medium is written as for cash (issue.ts complete).
 *
 * So the customer's value is never lost: the card pulled before the DEBIT →
 * nothing debited; during it → the doubt stays and the card's next insertion
 * here tells (UNRECORDED: set aside, owed); after it → the record is in the
 * journal and the entry is repeated with its id until the center answers
 * (idempotent by the id: one medium, booked once).
 */
import { isTesseraError, type TesseraError } from '../../../../core/errors.js';
import { nameOf, NAK_REASON } from '../../../../protocol/codes.js';
import { swHex, SW } from '../../../../protocol/purse/status-words.js';
import type { PurseState } from '../../../../protocol/purse/responses.js';
import type { DebitResult } from '../../../devices/purse-card.js';
import { AGENT_LIMITS } from '../../../limits.js';
import { termError } from '../../errors.js';
import type { CardSession, FlowOutcome, RoleContext } from '../../role.js';
import { resolveDebitDoubt } from '../emoney/member-shop/debit-doubt.js';
import { identifyPurse } from '../emoney/member-shop/purchase.js';
import { parseAmount } from '../emoney/shop.js';
import { encodeEntry, ISSUE_KIND, PREPAID_ISSUER, type IssueEntry } from './entry.js';
import { complete } from './issue.js';
import type { PrepaidIssuerSettings } from './settings.js';

/** Device codes that are the card's own answer (a status word): it did not debit. */
const CARD_ANSWERED = new Set(['DEV_INSUFFICIENT_FUNDS', 'DEV_PIN_WRONG', 'DEV_PIN_BLOCKED', 'DEV_CARD_REFUSED']);

const declined = (code: string, mediumId: string, details: Record<string, unknown>): FlowOutcome => ({ result: 'declined', code, mediumId, details: { payment: 'purse', ...details } });

export async function issueForPurse(ctx: RoleContext, card: CardSession, s: PrepaidIssuerSettings): Promise<FlowOutcome> {
  const mediumId = await identifyPurse(card);
  const nak = await judgeCard(ctx, card, mediumId);
  if (nak) return nak;
  const amountMinor = parseAmount(await ctx.keypad.read('amount'), mediumId);
  if (amountMinor > s.amountMinorMax) throw termError('TERM_ENTRY_INVALID', 'the amount is more than one medium is issued for', { prompt: 'amount', mediumId, max: s.amountMinorMax });
  const purse = await card.app('purse').readPurse();
  const earlier = resolveDebitDoubt(ctx, mediumId, purse);
  if (earlier) return earlier;
  if (purse.currency !== s.currency) return declined('TERM_CURRENCY_MISMATCH', mediumId, { cardCurrency: purse.currency, currency: s.currency });
  if (purse.balanceMinor < amountMinor) return declined('TERM_BALANCE_INSUFFICIENT', mediumId, { amountMinor, balanceMinor: purse.balanceMinor });
  // The record must have a place in the journal once the card has debited: refuse before the debit instead.
  if (ctx.journal.outboxOpenCount() >= AGENT_LIMITS.outboxOpenMax) throw termError('TERM_JOURNAL_FULL', 'the outbox holds the maximum of open entries', { mediumId, max: AGENT_LIMITS.outboxOpenMax });
  if (s.pinRequired) await card.app('purse').verifyPin(await ctx.keypad.read('pin'));
  let d: DebitResult;
  try {
    d = await debit(ctx, card, mediumId, purse, amountMinor, s.currency, s.pinRequired);
  } catch (e) {
    if (isTesseraError(e) && e.code === 'DEV_INSUFFICIENT_FUNDS') return declined('TERM_BALANCE_INSUFFICIENT', mediumId, { amountMinor, balanceMinor: purse.balanceMinor });
    throw e;
  }
  const transactionId = ctx.random.bytes(16).toString('hex');
  const entry: IssueEntry = {
    v: 1, amountMinor, currency: s.currency, notes: [], stage: 'requested',
    purse: { cardId: mediumId, cardCounter: d.counter, amountMinor, currency: s.currency, terminalId: ctx.terminalId, terminalNonce: d.terminalNonce.toString('hex'), cardMac: d.cardMac.toString('hex') },
  };
  // One SQLite transaction: the doubt goes, the record is on disk in the issue's entry. Only then is the issue sent.
  const journalled = ctx.journal.debitAnsweredToOutbox(mediumId, { transactionId, role: PREPAID_ISSUER, kind: ISSUE_KIND, payload: encodeEntry(entry) });
  ctx.log.info({ transactionId, mediumId, cardCounter: d.counter, amountMinor }, 'prepaid issue paid by purse journalled');
  const out = await complete(ctx, journalled);
  return { ...out, details: { ...out.details, purseBalanceMinor: d.balanceMinor } };
}

/** VALIDITY_REQUEST for the card before it is debited: a NAK refuses it (kept when the center says so); an ACK or EARLY_ACK goes on (the center judges the card again with the record). */
async function judgeCard(ctx: RoleContext, card: CardSession, mediumId: string): Promise<FlowOutcome | null> {
  const verdict = await ctx.link.request({ type: 'validityRequest', terminalId: ctx.terminalId, mediumId: Buffer.from(mediumId, 'hex') });
  if (verdict.type === 'validityAck' || verdict.type === 'validityEarlyAck') return null;
  if (verdict.type !== 'validityNak') throw termError('TERM_ROLE_FAILED', `unexpected answer ${verdict.type}`, { type: verdict.type });
  const reason = nameOf(NAK_REASON, verdict.reason);
  let captured = false;
  if (verdict.capture && !card.removed) {
    await card.capture();
    captured = true;
  }
  ctx.log.info({ mediumId, reason, captured }, 'purse card refused by validity: nothing debited');
  return { result: 'refused', code: 'TERM_CARD_NAK', mediumId, details: { payment: 'purse', reason, capture: verdict.capture, captured } };
}

/**
 * DEBIT with the doubt journalled first (as member-shop/purchase.ts). The card's refusal (a status word)
 * clears the doubt; "PIN not verified" asks the PIN once and tries again. Any other failure (the card
 * pulled during the DEBIT) leaves the doubt and is TERM_DEBIT_UNCONFIRMED.
 */
async function debit(ctx: RoleContext, card: CardSession, mediumId: string, purse: PurseState, amountMinor: number, currency: string, pinAsked: boolean): Promise<DebitResult> {
  card.assertPresent(); // a card that left is not put in doubt: nothing is sent to it
  ctx.journal.debitSent({ mediumId, counterBefore: purse.counter, balanceBeforeMinor: purse.balanceMinor, amountMinor, currency, terminalId: ctx.terminalId });
  try {
    return await card.app('purse').debit(amountMinor, ctx.terminalId);
  } catch (e) {
    if (!isTesseraError(e) || !CARD_ANSWERED.has(e.code)) {
      const deviceCode = isTesseraError(e) ? e.code : 'UNCODED';
      throw termError('TERM_DEBIT_UNCONFIRMED', 'the card gave no answer to the debit: it may or may not have debited', { mediumId, amountMinor, deviceCode }, e);
    }
    ctx.journal.debitAnswered(mediumId, null);
    if (pinAsked || !needsPin(e)) throw e;
    await card.app('purse').verifyPin(await ctx.keypad.read('pin'));
    return debit(ctx, card, mediumId, purse, amountMinor, currency, true);
  }
}

function needsPin(e: TesseraError): boolean {
  return e.code === 'DEV_CARD_REFUSED' && e.details?.['sw'] === swHex(SW.securityNotSatisfied);
}
