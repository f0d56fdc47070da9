import type { RoleContext } from '../../role.js';
import { closeCharge, openCharges, type OpenCharge } from './charge-entry.js';
import type { Kiosk } from './kiosk.js';

/**
 * Which open charge a purse card takes: first one already bound to this card
 * (pulled before its credit, or credited but not confirmed), else the newest
 * approved charge still waiting for a card. Charges past their wait are given
 * up on the way (the center reverses them); a charge bound to another card is
 * never taken by this one.
 */
export function pickCharge(k: Kiosk, ctx: RoleContext, mediumId: string): OpenCharge | null {
  const live = openCharges(ctx.journal, ctx.log).filter((c) => !expireIfDue(k, ctx, c));
  const mine = live.find((c) => (c.p.stage === 'bound' || c.p.stage === 'credited') && c.p.mediumId === mediumId);
  if (mine) return mine;
  return live.filter((c) => c.p.stage === 'approved').at(-1) ?? null;
}

/** Gives up a charge whose card did not come in time; true if it was closed. */
export function expireIfDue(k: Kiosk, ctx: RoleContext, c: OpenCharge): boolean {
  const now = ctx.clock.nowMs();
  const due = (c.p.stage === 'approved' && now - c.p.approvedAtMs > k.settings.awaitCardMs) || (c.p.stage === 'bound' && now - c.p.boundAtMs > k.settings.boundKeepMs);
  if (!due) return false;
  closeCharge(ctx.journal, c.id, c.p, 'abandoned');
  ctx.log.info({ transactionId: c.id, stage: c.p.stage }, 'charge gave up waiting for its card; the center reverses it');
  return true;
}
