/**
 * Accounts only the money flows book (e-money float, the provider's
 * accounts at banks, clearing, stored-value liabilities). A raw admin
 * transfer touching one is refused: it would rewrite the books behind the
 * flows' state (the float would no longer match the e-money outstanding).
 */
import { TesseraError } from '../../core/errors.js';
import type { Ledger } from '../ledger/ledger.js';
import type { AccountKind, NewTransfer } from '../ledger/types.js';

export const SYSTEM_ACCOUNT_KINDS: ReadonlySet<AccountKind> = new Set<AccountKind>([
  'provider_at_bank',
  'emoney_float',
  'prepaid_liability',
  'voucher_liability',
  'clearing',
]);

/** Throws ADMIN_SYSTEM_ACCOUNT when any transfer (or the pending transfer a post/void closes) names a system account. */
export async function refuseSystemTransfers(ledger: Ledger, transfers: readonly NewTransfer[]): Promise<void> {
  const ids = new Set<string>();
  for (const t of transfers) {
    if (t.debitAccountId !== undefined) ids.add(t.debitAccountId);
    if (t.creditAccountId !== undefined) ids.add(t.creditAccountId);
  }
  const pendingIds = transfers.map((t) => t.pendingId).filter((id): id is string => id !== undefined);
  if (pendingIds.length > 0) {
    for (const p of await ledger.lookupTransfers(pendingIds)) ids.add(p.debitAccountId).add(p.creditAccountId);
  }
  const system = (await ledger.lookupAccounts([...ids])).filter((a) => SYSTEM_ACCOUNT_KINDS.has(a.kind));
  if (system.length > 0) {
    throw new TesseraError('ADMIN_SYSTEM_ACCOUNT', 'raw transfers on system accounts are refused: only the money flows book them', {
      accounts: system.map((a) => ({ id: a.id, kind: a.kind })),
    });
  }
}
