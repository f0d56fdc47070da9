import type { RoleContext } from '../../../role.js';
import { openCharges, type OpenCharge } from './charge-entry.js';
import { giveUp, type GivenUp } from './give-up.js';
import type { Kiosk } from './kiosk.js';

/**
 * Which open charge a purse card takes: first one already taken by or bound
 * to this card (PIN refused, pulled before its credit, or credited but not
 * confirmed), else the newest approved charge no card has taken yet. Charges past their wait are given
 * up on the way (the outbox tells the center, which reverses them); a charge
 * bound to another card is never taken by this one.
 */
export function pickCharge(k: Kiosk, ctx: RoleContext, mediumId: string): OpenCharge | null {
  const live = openCharges(ctx.journal, ctx.log).filter((c) => expireIfDue(k, ctx, c) === null);
  const mine = live.find((c) => (c.p.stage === 'bound' || c.p.stage === 'credited' || c.p.stage === 'approved') && c.p.mediumId === mediumId);
  if (mine) return mine;
  return live.filter((c) => c.p.stage === 'approved' && c.p.mediumId === undefined).at(-1) ?? null;
}

/** Gives up a charge whose card did not come in time: its give-up payload (CHARGE_ABANDON to send), or null. */
export function expireIfDue(k: Kiosk, ctx: RoleContext, c: OpenCharge): GivenUp | null {
  const now = ctx.clock.nowMs();
  if (c.p.stage === 'approved' && now - c.p.approvedAtMs > k.settings.awaitCardMs) return giveUp(ctx, c.id, c.p, 'no card in time');
  if (c.p.stage === 'bound' && now - c.p.boundAtMs > k.settings.boundKeepMs) return giveUp(ctx, c.id, c.p, 'its card did not come back');
  return null;
}
