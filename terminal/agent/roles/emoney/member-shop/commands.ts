import { termError } from '../../../errors.js';
import type { AgentCommand, FlowOutcome, RoleContext } from '../../../role.js';
import type { ShopSettlement } from './settlement.js';

export type CommandHandler = (ctx: RoleContext, cmd: AgentCommand) => Promise<FlowOutcome>;

/** The operator commands of a member-shop terminal: `settle`, `unsettled`, and the role's own (e.g. the shop's `clear`). */
export function memberShopCommands(settlement: ShopSettlement, own: Readonly<Record<string, CommandHandler>> = {}): CommandHandler {
  const known = ['settle', 'unsettled', ...Object.keys(own)];
  return async (ctx, cmd) => {
    if (cmd.name === 'settle') return settlement.settle(ctx);
    if (cmd.name === 'unsettled') return settlement.unsettled(ctx);
    const handler = Object.hasOwn(own, cmd.name) ? own[cmd.name] : undefined;
    if (handler) return handler(ctx, cmd);
    throw termError('TERM_NOT_SUPPORTED', `unknown command ${cmd.name}`, { command: cmd.name, known });
  };
}
