/**
 * EMONEY_ISSUE_REQUEST on a loaded (locked) charge: authorise the credit for
 * the card's current counter, answer a retry with the same MAC, accept the
 * credit confirmation (receipt MAC), or mark the charge in doubt.
 */
import type { Logger } from '../../core/log.js';
import { creditReceiptMac, deriveCardKeys, hostCreditMac, macEquals } from '../../protocol/purse/crypto.js';
import type { EmoneyIssueRequest } from '../../protocol/messages/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Tx } from '../storage/types.js';
import type { Answer } from './answer.js';
import type { EmoneyConfig } from './config.js';
import { updateCharge, type ChargeRow } from './charge-row.js';
import { applyMoves, move } from './ledger-map.js';
import type { ResultCodeName } from './result-codes.js';

export interface IssueContext {
  readonly ledger: Ledger;
  readonly config: EmoneyConfig;
  readonly log: Logger;
  readonly nowMs: number;
}

const no = (code: ResultCodeName): Answer => ({ approved: false, code });

export async function applyIssue(tx: Tx, row: ChargeRow, req: EmoneyIssueRequest, c: IssueContext): Promise<Answer> {
  if (row.amount !== req.amountMinor || row.currency !== req.currency) return no('EMONEY_EXISTS_WITH_DIFFERENT_FIELDS');
  const cardId = req.mediumId.toString('hex');
  if (row.card_id !== null && row.card_id !== cardId) return no('EMONEY_CARD_MISMATCH');
  if (req.creditReceipt) return confirm(tx, row, req, cardId, c);
  switch (row.state) {
    case 'approved':
      return authorize(tx, row, req, cardId, c);
    case 'authorized':
      return reissue(tx, row, req.cardCounter, c);
    case 'issued':
      // Already credited: answer approved; the MAC only if this is a retry at the authorised counter.
      return req.cardCounter === row.auth_counter && row.host_mac ? { approved: true, code: 'OK', hostMac: row.host_mac } : { approved: true, code: 'OK' };
    case 'reversing':
    case 'reversed':
      return no('EMONEY_CHARGE_REVERSED');
    default:
      return no('EMONEY_CHARGE_NOT_APPROVED');
  }
}

async function authorize(tx: Tx, row: ChargeRow, req: EmoneyIssueRequest, cardId: string, c: IssueContext): Promise<Answer> {
  const taken = await tx.get(`SELECT id FROM emoney_charges WHERE card_id = ? AND auth_counter = ? AND state = 'authorized'`, [cardId, req.cardCounter]);
  if (taken) return no('EMONEY_COUNTER_TAKEN');
  const seen = await tx.get<{ m: number | null }>('SELECT MAX(counter) AS m FROM emoney_records WHERE card_id = ?', [cardId]);
  if (seen?.m != null && req.cardCounter < Number(seen.m)) return no('EMONEY_COUNTER_STALE');
  const keys = deriveCardKeys(c.config.issuerMasterKey, cardId);
  const hostMac = hostCreditMac(keys.hostMacKey, { cardId, counter: req.cardCounter, amountMinor: row.amount, currency: row.currency });
  await updateCharge(tx, row.id, c.nowMs, { state: 'authorized', card_id: cardId, auth_counter: req.cardCounter, host_mac: hostMac, in_doubt_ms: null });
  return { approved: true, code: 'OK', hostMac };
}

/** A retry at the authorised counter gets the same MAC (the card still accepts it); a moved counter is in doubt. */
async function reissue(tx: Tx, row: ChargeRow, counter: number, c: IssueContext): Promise<Answer> {
  const authCounter = Number(row.auth_counter);
  if (counter === authCounter && row.host_mac) return { approved: true, code: 'OK', hostMac: Buffer.from(row.host_mac) };
  if (counter < authCounter) return no('EMONEY_COUNTER_STALE');
  if (row.in_doubt_ms === null) await updateCharge(tx, row.id, c.nowMs, { in_doubt_ms: c.nowMs });
  c.log.warn({ charge: row.id, authCounter, counter }, 'charge in doubt: card moved on without a receipt');
  return no('EMONEY_IN_DOUBT');
}

/** The credit confirmation: the card's receipt MAC over (counter after, amount, currency, balance after). */
async function confirm(tx: Tx, row: ChargeRow, req: EmoneyIssueRequest, cardId: string, c: IssueContext): Promise<Answer> {
  if (row.state === 'issued') return { approved: true, code: 'OK' };
  if (row.state !== 'authorized' || req.cardCounter !== Number(row.auth_counter) + 1) return no('EMONEY_BAD_RECEIPT');
  if (req.balanceMinor === undefined || req.balanceMinor < row.amount) return no('EMONEY_BAD_RECEIPT');
  const keys = deriveCardKeys(c.config.issuerMasterKey, cardId);
  const expected = creditReceiptMac(keys.cardMacKey, {
    cardId, counter: req.cardCounter, amountMinor: row.amount, currency: row.currency, balanceMinor: req.balanceMinor,
  });
  if (!macEquals(expected, req.creditReceipt!)) return no('EMONEY_BAD_RECEIPT');
  await markIssued(tx, row, c);
  return { approved: true, code: 'OK' };
}

/** authorized → issued: the e-money is on the card; the charge's money becomes float. */
export async function markIssued(tx: Tx, row: ChargeRow, c: Pick<IssueContext, 'ledger' | 'nowMs'>): Promise<void> {
  await updateCharge(tx, row.id, c.nowMs, { state: 'issued' });
  await applyMoves(tx, c.ledger, [move('CARD_CREDITED', row.id, row.bank_code, row.amount, row.currency)]);
}
