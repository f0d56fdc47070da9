/**
 * A DEBIT whose answer never came back (seed 004, offline purchase).
 *
 * The terminal writes the card's counter c and balance b to the journal
 * before it sends DEBIT. If the card leaves (or fails) before answering, the
 * card may or may not have debited, and the terminal has no card MAC: it
 * journals no record (the center could not verify one) and sells nothing.
 * The doubt stays in the journal, one per card, until that card is inserted
 * here again; its purse then says what happened, because a purse moves its
 * counter by exactly one per credit or debit:
 *
 *   counter c                  → the DEBIT never took place: doubt dropped.
 *   counter c+1, balance b−a   → it took place: the amount is owed to the holder
 *                                (UNRECORDED, kept aside; the provider holds it in
 *                                its float and checks the claim against its own
 *                                records at c+1 before refunding).
 *   counter c+1, other balance → the transition at c+1 was something else
 *                                (a charge, a sale elsewhere): ours never happened.
 *   anything else              → the card moved on twice or went back (a clone):
 *                                it cannot tell; kept aside UNRESOLVED for the
 *                                operator (the center's records at c+1 decide).
 */
import type { PurseState } from '../../../../../protocol/purse/responses.js';
import type { FlowOutcome, RoleContext } from '../../../role.js';

/** Resolves this card's doubt, if any. Returns the outcome to end the flow with, or null to go on with the sale. */
export function resolveDebitDoubt(ctx: RoleContext, mediumId: string, purse: PurseState): FlowOutcome | null {
  const d = ctx.journal.debitInDoubt(mediumId);
  if (!d) return null;
  const next = d.counterBefore + 1;
  if (purse.counter === d.counterBefore || (purse.counter === next && purse.balanceMinor !== d.balanceBeforeMinor - d.amountMinor)) {
    ctx.journal.debitAnswered(mediumId, null);
    ctx.log.info({ mediumId, cardCounter: purse.counter }, 'debit in doubt: the card did not debit');
    return null;
  }
  if (purse.counter === next) {
    ctx.journal.debitSetAside(mediumId, 'UNRECORDED');
    ctx.log.warn({ mediumId, cardCounter: next, amountMinor: d.amountMinor }, 'debit in doubt: the card debited without its answer; holder owed');
    const details = { amountMinor: d.amountMinor, cardCounter: next, balanceMinor: purse.balanceMinor };
    return { result: 'declined', code: 'TERM_DEBIT_UNRECORDED', mediumId, details };
  }
  ctx.journal.debitSetAside(mediumId, 'UNRESOLVED');
  ctx.log.warn({ mediumId, counterBefore: d.counterBefore, cardCounter: purse.counter }, 'debit in doubt: the card cannot tell; kept aside');
  return null;
}
