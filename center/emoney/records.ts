/**
 * Verification of offline purchase records (seed 004): each record is the
 * card's debit MAC over (card id, counter after, amount, currency, terminal
 * id, nonce), re-derived here from the issuer master key.
 *
 *   MAC fails, (card, counter) never seen          → FORGED
 *   MAC fails, (card, counter) stored (uploaded or settled with other fields),
 *     or the record names another terminal         → ALTERED
 *   MAC good, (card, counter) already settled      → DUPLICATE
 *   MAC good, (card, counter) stored with other fields (a cloned card reusing
 *     a counter)                                   → DUPLICATE, flagged 'clone'
 *   otherwise                                      → ACCEPTED
 */
import { RECORD_STATUS, type RecordStatus } from '../../protocol/codes.js';
import type { PurchaseRecord } from '../../protocol/messages/types.js';
import { debitMac, deriveCardKeys, macEquals } from '../../protocol/purse/crypto.js';
import { bytes, int, nullable, oneOf, rowMapper, text, type MappedRow } from '../kit/rows.js';
import type { Tx } from '../storage/types.js';
import { CHARGE_STATES } from './charge-row.js';

const RECORD_ROWS = rowMapper('emoney_records', {
  amountMinor: int('amount'),
  currency: text('currency'),
  terminalId: text('terminal_id'),
  nonce: bytes('nonce'),
  mac: bytes('mac'),
  state: oneOf('state', ['uploaded', 'settled']),
  batchId: nullable(text('batch_id')),
});
type StoredRecord = MappedRow<typeof RECORD_ROWS>;

export function cardMacValid(issuerMasterKey: Buffer, r: PurchaseRecord): boolean {
  const cardId = r.mediumId.toString('hex');
  const { cardMacKey } = deriveCardKeys(issuerMasterKey, cardId);
  const mac = debitMac(cardMacKey, {
    cardId, counter: r.cardCounter, amountMinor: r.amountMinor, currency: r.currency, terminalId: r.terminalId, terminalNonce: r.terminalNonce,
  });
  return macEquals(mac, r.cardMac);
}

function sameFields(s: StoredRecord, r: PurchaseRecord): boolean {
  return s.amountMinor === r.amountMinor && s.currency === r.currency && s.terminalId === r.terminalId
    && s.nonce.equals(r.terminalNonce) && s.mac.equals(r.cardMac);
}

export interface ClassifyContext {
  readonly issuerMasterKey: Buffer;
  /** The authenticated terminal submitting the records. */
  readonly terminalId: string;
  /** The settlement batch taking accepted records; null for a PURCHASE_UPLOAD. */
  readonly batchId: string | null;
  readonly nowMs: number;
}

/** Classifies one record and records its effect (upload or settle) in the unit of work. */
export async function classifyRecord(tx: Tx, r: PurchaseRecord, c: ClassifyContext): Promise<RecordStatus> {
  const cardId = r.mediumId.toString('hex');
  const stored = await RECORD_ROWS.get(tx, `WHERE card_id = ? AND counter = ?${tx.forUpdate}`, [cardId, r.cardCounter]);
  const macOk = cardMacValid(c.issuerMasterKey, r);
  if (!macOk) return stored ? RECORD_STATUS.ALTERED : RECORD_STATUS.FORGED;
  if (r.terminalId !== c.terminalId) return RECORD_STATUS.ALTERED;
  if (stored && !sameFields(stored, r)) {
    await flag(tx, cardId, r.cardCounter, c, 'clone');
    return RECORD_STATUS.DUPLICATE;
  }
  if (stored?.state === 'settled') return stored.batchId === c.batchId ? RECORD_STATUS.ACCEPTED : RECORD_STATUS.DUPLICATE;
  if (c.batchId === null) {
    if (!stored) await insert(tx, cardId, r, 'uploaded', null);
    return RECORD_STATUS.ACCEPTED;
  }
  if (stored) await tx.run(`UPDATE emoney_records SET state = 'settled', batch_id = ? WHERE card_id = ? AND counter = ?`, [c.batchId, cardId, r.cardCounter]);
  else await insert(tx, cardId, r, 'settled', c.batchId);
  return RECORD_STATUS.ACCEPTED;
}

async function insert(tx: Tx, cardId: string, r: PurchaseRecord, state: string, batchId: string | null): Promise<void> {
  await tx.run('INSERT INTO emoney_records (card_id, counter, amount, currency, terminal_id, nonce, mac, state, batch_id) VALUES (?,?,?,?,?,?,?,?,?)', [
    cardId, r.cardCounter, r.amountMinor, r.currency, r.terminalId, r.terminalNonce, r.cardMac, state, batchId,
  ]);
}

async function flag(tx: Tx, cardId: string, counter: number, c: ClassifyContext, kind: string): Promise<void> {
  await tx.run('INSERT INTO emoney_flags (card_id, counter, terminal_id, kind, at_ms) VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING', [
    cardId, counter, c.terminalId, kind, c.nowMs,
  ]);
}

/**
 * A verified debit at `counter` tells what happened to the card's counter
 * transition counter-1 → counter: a credit authorised at counter-1 was NOT
 * applied (its MAC is dead), so that charge goes back to `approved` (next
 * attempt re-authorises, or the timeout reverses it). An authorisation
 * further back is now in doubt (the card moved past it).
 */
export async function noteDebitEvidence(tx: Tx, cardId: string, counter: number, nowMs: number): Promise<void> {
  CHARGE_STATES.check('authorized', 'approved', { cardId, counter: counter - 1 }); // set-wise: every charge this UPDATE matches is authorized
  await tx.run(
    `UPDATE emoney_charges SET state = 'approved', card_id = NULL, auth_counter = NULL, host_mac = NULL, in_doubt_ms = NULL, updated_ms = ?
      WHERE state = 'authorized' AND card_id = ? AND auth_counter = ?`,
    [nowMs, cardId, counter - 1],
  );
  await tx.run(
    `UPDATE emoney_charges SET in_doubt_ms = ?, updated_ms = ? WHERE state = 'authorized' AND card_id = ? AND auth_counter < ? AND in_doubt_ms IS NULL`,
    [nowMs, nowMs, cardId, counter - 1],
  );
}
