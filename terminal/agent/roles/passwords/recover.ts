/**
 * recover() of the password till: a sale still open after a restart (the
 * till died before the answer) cannot be asked again, because the password
 * was never journalled (a bearer secret): the entry is closed `abandoned`
 * and logged with its request id, so the clerk looks the outcome up in the
 * shop's statement (merchant API) and refunds a capture the customer did
 * not get goods for.
 */
import type { OutboxEntry } from '../../../journal/types.js';
import type { RecoverResult, RoleContext } from '../../role.js';

export async function recoverSale(ctx: RoleContext, entry: OutboxEntry): Promise<RecoverResult> {
  ctx.journal.outboxSet(entry.transactionId, 'abandoned');
  ctx.log.error({ transactionId: entry.transactionId, requestId: `pos:${ctx.terminalId}:${entry.transactionId}` }, 'password sale interrupted by a restart: outcome unknown, check the shop statement');
  return 'abandoned';
}
