/**
 * Ledger moves of a capability's flows: transfer ids derived from the flow's
 * own ids (so a retried step books the same transfer and the ledger answers
 * `exists`), and one way to apply a step's moves inside the flow's unit of
 * work, all or none.
 */
import { hash } from 'node:crypto';
import { assert } from '../../core/assert.js';
import { TesseraError } from '../../core/errors.js';
import type { Ledger } from '../ledger/ledger.js';
import { CreateTransferResult as TR } from '../ledger/results.js';
import type { NewTransfer } from '../ledger/types.js';
import type { Tx } from '../storage/types.js';

/**
 * A 128-bit id (32 hex) derived from its parts: `derivedId('emoney', step, chargeId)`.
 * The first part names the capability, so two capabilities never derive the same id.
 */
export function derivedId(capability: string, ...parts: string[]): string {
  assert(parts.length > 0, 'a derived id has parts besides the capability');
  return hash('sha256', [capability, ...parts].join(':'), 'hex').slice(0, 32);
}

/**
 * Applies moves inside the caller's unit of work, all or none; a retried step
 * answers `exists`. Any other outcome is a bug or a broken invariant: it
 * throws `refusedCode` (the capability's LEDGER_REFUSED code), so the whole
 * unit (state change included) rolls back.
 */
export async function applyMoves(tx: Tx, ledger: Ledger, transfers: readonly NewTransfer[], refusedCode: string): Promise<void> {
  if (transfers.length === 0) return;
  const results = await ledger.createTransfersIn(tx, transfers, true);
  const bad = results.findIndex((r) => r !== TR.ok && r !== TR.exists);
  if (bad >= 0) throw new TesseraError(refusedCode, `ledger move refused: ${TR[results[bad]!]}`, { id: transfers[bad]!.id });
}
