import { termError } from '../../errors.js';
import type { AgentCommand, FlowOutcome, RoleContext } from '../../role.js';
import type { ShopSettlement } from './settlement.js';

/** The operator commands of a member-shop terminal: `settle` and `unsettled`. */
export function memberShopCommands(settlement: ShopSettlement): (ctx: RoleContext, cmd: AgentCommand) => Promise<FlowOutcome> {
  return async (ctx, cmd) => {
    if (cmd.name === 'settle') return settlement.settle(ctx);
    if (cmd.name === 'unsettled') return settlement.unsettled(ctx);
    throw termError('TERM_NOT_SUPPORTED', `unknown command ${cmd.name}`, { command: cmd.name, known: ['settle', 'unsettled'] });
  };
}
