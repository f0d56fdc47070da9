/**
 * The offline purchase of a member shop or vending machine (seed 004): the
 * card is debited with no center contact, and the card's record (counter,
 * amount, terminal id, nonce, card MAC — the "unique authenticator") is
 * journalled durably before the sale is reported approved. A debit whose
 * answer is lost is handled in debit-doubt.ts.
 */
import { isTesseraError, type TesseraError } from '../../../../../core/errors.js';
import { swHex, SW } from '../../../../../protocol/purse/status-words.js';
import type { PurseState } from '../../../../../protocol/purse/responses.js';
import type { DebitResult } from '../../../../devices/purse-card.js';
import { AGENT_LIMITS } from '../../../../limits.js';
import { termError } from '../../../errors.js';
import type { CardSession, FlowOutcome, RoleContext } from '../../../role.js';
import { resolveDebitDoubt } from './debit-doubt.js';

export interface SaleTerms {
  readonly amountMinor: number;
  readonly currency: string;
  /** Ask the PIN before the debit; otherwise only when the card demands it. */
  readonly pinRequired: boolean;
  /** Extra outcome details (e.g. the product). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Device codes that are the card's own answer (a status word): it did not debit. */
const CARD_ANSWERED = new Set(['DEV_INSUFFICIENT_FUNDS', 'DEV_PIN_WRONG', 'DEV_PIN_BLOCKED', 'DEV_CARD_REFUSED']);

/**
 * Selects the purse and reads the card id: done first in every flow, before
 * anything is asked at the keypad. A card without the purse application is
 * DEV_NOT_OUR_CARD (status word in details; reported TERM_FOREIGN_CARD).
 */
export async function identifyPurse(card: CardSession): Promise<string> {
  await card.app('purse').select();
  return card.app('purse').readId();
}

/**
 * Sells on the inserted card, identified first (identifyPurse). Declines
 * (balance, currency, an earlier unrecorded debit) are outcomes; failures
 * throw coded errors.
 */
export async function sellOnCard(ctx: RoleContext, card: CardSession, mediumId: string, terms: SaleTerms): Promise<FlowOutcome> {
  const purse = await card.app('purse').readPurse();
  const earlier = resolveDebitDoubt(ctx, mediumId, purse);
  if (earlier) return earlier;
  const refusal = refuse(mediumId, purse, terms);
  if (refusal) return refusal;
  assertJournalRoom(ctx, mediumId);
  if (terms.pinRequired) await card.app('purse').verifyPin(await ctx.keypad.read('pin'));
  let d: DebitResult;
  try {
    d = await debit(ctx, card, mediumId, purse, terms, terms.pinRequired);
  } catch (e) {
    if (isTesseraError(e) && e.code === 'DEV_INSUFFICIENT_FUNDS') return declined('TERM_BALANCE_INSUFFICIENT', mediumId, { amountMinor: terms.amountMinor, balanceMinor: purse.balanceMinor });
    throw e;
  }
  ctx.log.info({ mediumId, cardCounter: d.counter, amountMinor: terms.amountMinor }, 'sale recorded');
  return { result: 'approved', code: null, mediumId, details: { ...terms.details, amountMinor: terms.amountMinor, balanceMinor: d.balanceMinor, cardCounter: d.counter } };
}

function refuse(mediumId: string, purse: PurseState, terms: SaleTerms): FlowOutcome | null {
  if (purse.currency !== terms.currency) return declined('TERM_CURRENCY_MISMATCH', mediumId, { cardCurrency: purse.currency, currency: terms.currency });
  if (purse.balanceMinor < terms.amountMinor) return declined('TERM_BALANCE_INSUFFICIENT', mediumId, { amountMinor: terms.amountMinor, balanceMinor: purse.balanceMinor });
  return null;
}

function declined(code: string, mediumId: string, details: Record<string, unknown>): FlowOutcome {
  return { result: 'declined', code, mediumId, details };
}

/** A record that could not be journalled after the card debited would be lost: refuse before debiting instead. */
function assertJournalRoom(ctx: RoleContext, mediumId: string): void {
  if (ctx.journal.listUnsettled().length >= AGENT_LIMITS.journalUnsettledMax) {
    throw termError('TERM_JOURNAL_FULL', 'the journal holds the maximum of unsettled records: settle first', { mediumId, max: AGENT_LIMITS.journalUnsettledMax });
  }
}

/**
 * DEBIT with the doubt journalled first. The card's refusal (a status word)
 * clears the doubt; "PIN not verified" asks the PIN once and tries again.
 * Any other failure leaves the doubt and is TERM_DEBIT_UNCONFIRMED.
 */
async function debit(ctx: RoleContext, card: CardSession, mediumId: string, purse: PurseState, terms: SaleTerms, pinAsked: boolean): Promise<DebitResult> {
  const { amountMinor, currency } = terms;
  card.assertPresent(); // a card that left is not put in doubt: nothing is sent to it
  ctx.journal.debitSent({ mediumId, counterBefore: purse.counter, balanceBeforeMinor: purse.balanceMinor, amountMinor, currency, terminalId: ctx.terminalId });
  let d: DebitResult;
  try {
    d = await card.app('purse').debit(amountMinor, ctx.terminalId);
  } catch (e) {
    if (!isTesseraError(e) || !CARD_ANSWERED.has(e.code)) {
      const deviceCode = isTesseraError(e) ? e.code : 'UNCODED';
      throw termError('TERM_DEBIT_UNCONFIRMED', 'the card gave no answer to the debit: it may or may not have debited', { mediumId, amountMinor, deviceCode }, e);
    }
    ctx.journal.debitAnswered(mediumId, null);
    if (pinAsked || !needsPin(e)) throw e;
    await card.app('purse').verifyPin(await ctx.keypad.read('pin'));
    return debit(ctx, card, mediumId, purse, terms, true);
  }
  // One SQLite transaction: the doubt goes, the record is on disk. Only then is the sale approved.
  ctx.journal.debitAnswered(mediumId, { mediumId, cardCounter: d.counter, amountMinor, currency, terminalId: ctx.terminalId, terminalNonce: d.terminalNonce, cardMac: d.cardMac });
  return d;
}

function needsPin(e: TesseraError): boolean {
  return e.code === 'DEV_CARD_REFUSED' && e.details?.['sw'] === swHex(SW.securityNotSatisfied);
}
