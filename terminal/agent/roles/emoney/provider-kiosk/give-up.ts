/**
 * Giving a charge up (ROLES.md, "Provider kiosk": a charge belongs to the
 * customer who made it). A charge its customer was told failed, or that its
 * customer left waiting, is moved to `abandoning` (durable, before anything
 * is sent) and is never completed by any card; the outbox then sends
 * CHARGE_ABANDON until the center answers, so the center reverses it at once
 * (and a kiosk restart still tells it).
 */
import { STATUS } from '../../../../../protocol/codes.js';
import type { ChargeAbandon, CenterResponse } from '../../../../../protocol/messages/types.js';
import type { OutboxEntry } from '../../../../journal/types.js';
import { termError } from '../../../errors.js';
import type { RecoverResult, RoleContext } from '../../../role.js';
import { baseOf, closeCharge, setStage, type Stage } from './charge-entry.js';
import { failedRepeat } from './link-failure.js';
import { resultCodeName } from './result-codes.js';

export type GivenUp = Stage<'abandoning'>;

/** Journals the give-up (the CHARGE_ABANDON to send) and returns the new payload. */
export function giveUp(ctx: RoleContext, id: string, p: Stage<'requested'> | Stage<'approved'> | Stage<'bound'>, why: string): GivenUp {
  const given: GivenUp = { stage: 'abandoning', ...baseOf(p), from: p.stage, givenUpAtMs: ctx.clock.nowMs() };
  setStage(ctx.journal, id, given);
  ctx.log.info({ transactionId: id, from: p.stage, why }, 'charge given up; the center is told to reverse it');
  return given;
}

/** recover: sends CHARGE_ABANDON once; the center's answer closes the entry (abandoned, with its result code). */
export async function sendAbandon(ctx: RoleContext, entry: OutboxEntry, p: GivenUp): Promise<RecoverResult> {
  const id = entry.transactionId;
  let answer: CenterResponse;
  try {
    answer = await ctx.link.request(abandonRequest(id, p), { onFailure: 'TERM_TX_UNANSWERED', attempts: 1 });
  } catch (e) {
    return failedRepeat(ctx.journal, entry, p, e);
  }
  if (answer.type !== 'chargeResult') return failedRepeat(ctx.journal, entry, p, termError('TERM_ROLE_FAILED', `unexpected answer ${answer.type}`));
  closeCharge(ctx.journal, id, p, 'abandoned', answer.resultCode);
  if (answer.status === STATUS.APPROVED) ctx.log.info({ transactionId: id }, 'the center gave the charge up');
  else ctx.log.error({ transactionId: id, resultCode: answer.resultCode, code: resultCodeName(answer.resultCode) }, 'the center refused to give the charge up');
  return 'abandoned';
}

function abandonRequest(id: string, p: GivenUp): ChargeAbandon {
  return { type: 'chargeAbandon', transactionId: Buffer.from(id, 'hex'), amountMinor: p.amountMinor, currency: p.currency, ...p.account };
}
