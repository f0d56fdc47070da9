/**
 * The provider kiosk (seed 004, JP 9-147043): a bank POS terminal with an
 * issuing function. A bank cash card starts a charge (account, amount, bank
 * PIN → CHARGE_REQUEST through the relay to the user's bank); the customer's
 * e-money card then takes it (card PIN → EMONEY_ISSUE_REQUEST → host MAC →
 * CREDIT → confirmation). A purse card with no charge waiting gets its
 * balance. The state machine is in ../ROLES.md ("Provider kiosk").
 */
import type { TerminalConfig } from '../../../config/schema.js';
import type { OutboxEntry } from '../../../journal/types.js';
import type { CardSession, FlowOutcome, RecoverResult, Role, RoleContext } from '../../role.js';
import { abandonUnanswered, chargeFlow } from './provider-kiosk/charge.js';
import { abandonUnreadable, decodeCharge, PROVIDER_KIOSK } from './provider-kiosk/charge-entry.js';
import { purseFlow, repeatConfirmation } from './provider-kiosk/credit.js';
import { sendAbandon } from './provider-kiosk/give-up.js';
import type { Kiosk } from './provider-kiosk/kiosk.js';
import { expireIfDue } from './provider-kiosk/pick-charge.js';
import { parseKioskSettings } from './provider-kiosk/settings.js';

export { PROVIDER_KIOSK };

export function providerKioskRole(config: TerminalConfig): Role {
  const k: Kiosk = { settings: parseKioskSettings(config.roleSettings) };
  return {
    name: PROVIDER_KIOSK,
    apps: ['cashCard', 'purse'],
    onCardInserted: (ctx, card) => cardFlow(k, ctx, card),
    recover: (ctx, entry) => recover(k, ctx, entry),
  };
}

/** A cash card is probed first: probing never ejects, the purse's select() ejects a card that has neither. */
async function cardFlow(k: Kiosk, ctx: RoleContext, card: CardSession): Promise<FlowOutcome> {
  return (await card.app('cashCard').probe()) ? chargeFlow(k, ctx, card) : purseFlow(k, ctx, card);
}

/** The outbox repeat (at start, on reconnect, periodically) of one open charge, by its step. */
async function recover(k: Kiosk, ctx: RoleContext, entry: OutboxEntry): Promise<RecoverResult> {
  const p = decodeCharge(entry.payload);
  if (!p) {
    abandonUnreadable(ctx.journal, ctx.log, entry);
    return 'abandoned';
  }
  const c = { id: entry.transactionId, entry, p };
  switch (p.stage) {
    case 'requested':
      // Never repeated: its customer's flow ended without the answer (ROLES.md, "a charge belongs to its customer").
      return abandonUnanswered(ctx, entry, p);
    case 'abandoning':
      return sendAbandon(ctx, entry, p);
    case 'credited':
      return repeatConfirmation(ctx, entry, p);
    case 'approved':
    case 'bound': {
      // Nothing to send without the card; only the wait can run out (then the center is told at once).
      const given = expireIfDue(k, ctx, c);
      return given ? sendAbandon(ctx, entry, given) : 'waiting';
    }
    default:
      return 'done';
  }
}
