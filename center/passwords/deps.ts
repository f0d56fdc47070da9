/**
 * What every step of the password flows is given, and the few helpers they
 * share: the row read under lock, the event log, and how a password whose
 * life has ended (delivery failed, revoked, expired) gives its unused value
 * back to the issuer once no reservation holds any of it.
 */
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import type { Ledger } from '../ledger/ledger.js';
import { updateState } from '../kit/transitions.js';
import type { Storage, Tx } from '../storage/types.js';
import type { TtpKeys } from './keys.js';
import { applyMoves, move } from './ledger-map.js';
import { ENDED, PASSWORD_ROWS, PASSWORD_STATES, usageState, type PasswordRow, type PasswordState } from './records.js';

export interface PasswordsDeps {
  readonly storage: Storage;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  readonly keys: TtpKeys;
  /** The issuers (credit companies) this TTP serves. */
  readonly issuers: ReadonlySet<string>;
  /** The one currency this TTP holds (the section's `currency`): its ledger accounts, passwords and payouts. */
  readonly currency: string;
}

export async function passwordForUpdate(tx: Tx, where: 'id' | 'code_hash', value: string): Promise<PasswordRow | undefined> {
  return PASSWORD_ROWS.get(tx, `WHERE ${where} = ?${tx.forUpdate}`, [value]);
}

export async function logEvent(tx: Tx, passwordId: string, atMs: number, kind: string, detail: string): Promise<void> {
  await tx.run('INSERT INTO password_events (password_id, at_ms, kind, detail) VALUES (?,?,?,?)', [passwordId, atMs, kind, detail.slice(0, 200)]);
}

/** The numbers of a password after a step; the state follows from them (or stays ended). */
export interface Numbers {
  readonly remaining: number;
  readonly reserved: number;
  readonly captured: number;
  readonly returned: number;
}

/**
 * Writes a password's new numbers and the state they imply: a live password
 * takes its usage state (delivered / partly-used / used-up); an ended one
 * with no reservation left returns its remaining value to the issuer and
 * becomes refunded (with a reservation open it returns what is not reserved
 * now, and the rest when the reservation ends). `stepId` makes the return's
 * transfer id unique.
 */
export async function settlePassword(tx: Tx, d: PasswordsDeps, p: PasswordRow, n: Numbers, stepId: string, endAs?: PasswordState): Promise<PasswordRow> {
  const nowMs = d.clock.nowMs();
  const from = p.state;
  let state: PasswordState = endAs ?? (ENDED.includes(from) || from === 'refunded' ? from : usageState({ amount: p.amount, ...n }));
  let numbers = n;
  if (ENDED.includes(state)) {
    // An ended password gives back what no reservation holds at once; it is refunded when nothing is reserved.
    await applyMoves(tx, d.ledger, [move('RETURN', `${p.id}:${stepId}`, { issuer: p.issuer }, n.remaining, p.currency, p.id)]);
    numbers = { ...n, remaining: 0, returned: n.returned + n.remaining };
    if (n.reserved > 0) {
      if (state !== from) await updateState(tx, PASSWORD_ROWS, PASSWORD_STATES, p, { state, ...numbers, updatedMs: nowMs });
      else await setNumbers(tx, p.id, numbers, nowMs);
      return { ...p, ...numbers, state };
    }
    if (state !== from) await updateState(tx, PASSWORD_ROWS, PASSWORD_STATES, p, { state, updatedMs: nowMs });
    const mid = { ...p, state };
    state = 'refunded';
    await updateState(tx, PASSWORD_ROWS, PASSWORD_STATES, mid, { state, ...numbers, updatedMs: nowMs });
    await logEvent(tx, p.id, nowMs, 'refunded', `${numbers.returned} returned to ${p.issuer} in all`);
    return { ...p, ...numbers, state };
  }
  if (state === from) {
    await setNumbers(tx, p.id, numbers, nowMs);
  } else {
    await updateState(tx, PASSWORD_ROWS, PASSWORD_STATES, p, { state, ...numbers, updatedMs: nowMs });
  }
  return { ...p, ...numbers, state };
}

async function setNumbers(tx: Tx, id: string, n: Numbers, nowMs: number): Promise<void> {
  const set = PASSWORD_ROWS.set({ ...n, updatedMs: nowMs });
  await tx.run(`UPDATE passwords SET ${set.sql} WHERE id = ?`, [...set.params, id]);
}

export const numbersOf = (p: PasswordRow): Numbers => ({ remaining: p.remaining, reserved: p.reserved, captured: p.captured, returned: p.returned });

/** A coded bad-request error naming the field. */
export const badRequest = (field: string, message: string): TesseraError => new TesseraError('PASSWORD_BAD_REQUEST', message, { field });
