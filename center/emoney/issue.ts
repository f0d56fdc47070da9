/**
 * EMONEY_ISSUE_REQUEST on a loaded (locked) charge: authorise the credit for
 * the card's current counter, answer a retry with the same MAC, accept the
 * credit confirmation (receipt MAC), or mark the charge in doubt.
 */
import type { Logger } from '../../core/log.js';
import { creditReceiptMac, deriveCardKeys, hostCreditMac, macEquals } from '../../protocol/purse/crypto.js';
import type { EmoneyIssueRequest } from '../../protocol/messages/types.js';
import type { Ledger } from '../ledger/ledger.js';
import { int, nullable, rowMapper, text } from '../kit/rows.js';
import type { Tx } from '../storage/types.js';
import type { Answer } from './answer.js';
import type { EmoneyConfig } from './config.js';
import { updateCharge, type Charge } from './charge-row.js';
import { applyMoves, move } from './ledger-map.js';
import type { ResultCodeName } from './result-codes.js';

export interface IssueContext {
  readonly ledger: Ledger;
  readonly config: EmoneyConfig;
  readonly log: Logger;
  readonly nowMs: number;
}

/** The highest counter of a card's stored purchase records (an aggregate row). */
const MAX_COUNTER = rowMapper('emoney_records max counter', { m: nullable(int('m')) });
const CHARGE_IDS = rowMapper('emoney_charges', { id: text('id') });

const no = (code: ResultCodeName): Answer => ({ approved: false, code });

export async function applyIssue(tx: Tx, row: Charge, req: EmoneyIssueRequest, c: IssueContext): Promise<Answer> {
  if (row.amountMinor !== req.amountMinor || row.currency !== req.currency) return no('EMONEY_EXISTS_WITH_DIFFERENT_FIELDS');
  const cardId = req.mediumId.toString('hex');
  if (row.cardId !== null && row.cardId !== cardId) return no('EMONEY_CARD_MISMATCH');
  if (req.creditReceipt) return confirm(tx, row, req, cardId, c);
  switch (row.state) {
    case 'approved':
      return authorize(tx, row, req, cardId, c);
    case 'authorized':
      return reissue(tx, row, req.cardCounter, c);
    case 'issued':
      // Already credited: answer approved; the MAC only if this is a retry at the authorised counter.
      return req.cardCounter === row.authCounter && row.hostMac ? { approved: true, code: 'OK', hostMac: row.hostMac } : { approved: true, code: 'OK' };
    case 'reversing':
    case 'reversed':
      return no('EMONEY_CHARGE_REVERSED');
    default:
      return no('EMONEY_CHARGE_NOT_APPROVED');
  }
}

async function authorize(tx: Tx, row: Charge, req: EmoneyIssueRequest, cardId: string, c: IssueContext): Promise<Answer> {
  const taken = await CHARGE_IDS.get(tx, `WHERE card_id = ? AND auth_counter = ? AND state = 'authorized'`, [cardId, req.cardCounter]);
  if (taken) return no('EMONEY_COUNTER_TAKEN');
  const seen = (await MAX_COUNTER.queryOne(tx, 'SELECT MAX(counter) AS m FROM emoney_records WHERE card_id = ?', [cardId]))!; // an aggregate: always one row
  if (seen.m !== null && req.cardCounter < seen.m) return no('EMONEY_COUNTER_STALE');
  const keys = deriveCardKeys(c.config.issuerMasterKey, cardId);
  const hostMac = hostCreditMac(keys.hostMacKey, { cardId, counter: req.cardCounter, amountMinor: row.amountMinor, currency: row.currency });
  await updateCharge(tx, row, c.nowMs, { state: 'authorized', cardId, authCounter: req.cardCounter, hostMac, inDoubtMs: null });
  return { approved: true, code: 'OK', hostMac };
}

/** A retry at the authorised counter gets the same MAC (the card still accepts it); a moved counter is in doubt. */
async function reissue(tx: Tx, row: Charge, counter: number, c: IssueContext): Promise<Answer> {
  const authCounter = Number(row.authCounter);
  if (counter === authCounter && row.hostMac) return { approved: true, code: 'OK', hostMac: Buffer.from(row.hostMac) };
  if (counter < authCounter) return no('EMONEY_COUNTER_STALE');
  if (row.inDoubtMs === null) await updateCharge(tx, row, c.nowMs, { inDoubtMs: c.nowMs });
  c.log.warn({ charge: row.id, authCounter, counter }, 'charge in doubt: card moved on without a receipt');
  return no('EMONEY_IN_DOUBT');
}

/** The credit confirmation: the card's receipt MAC over (counter after, amount, currency, balance after). */
async function confirm(tx: Tx, row: Charge, req: EmoneyIssueRequest, cardId: string, c: IssueContext): Promise<Answer> {
  if (row.state === 'issued') return { approved: true, code: 'OK' };
  if (row.state !== 'authorized' || req.cardCounter !== Number(row.authCounter) + 1) return no('EMONEY_BAD_RECEIPT');
  if (req.balanceMinor === undefined || req.balanceMinor < row.amountMinor) return no('EMONEY_BAD_RECEIPT');
  const keys = deriveCardKeys(c.config.issuerMasterKey, cardId);
  const expected = creditReceiptMac(keys.cardMacKey, {
    cardId, counter: req.cardCounter, amountMinor: row.amountMinor, currency: row.currency, balanceMinor: req.balanceMinor,
  });
  if (!macEquals(expected, req.creditReceipt!)) return no('EMONEY_BAD_RECEIPT');
  await markIssued(tx, row, c);
  return { approved: true, code: 'OK' };
}

/** authorized → issued: the e-money is on the card; the charge's money becomes float. */
export async function markIssued(tx: Tx, row: Charge, c: Pick<IssueContext, 'ledger' | 'nowMs'>): Promise<void> {
  await updateCharge(tx, row, c.nowMs, { state: 'issued' });
  await applyMoves(tx, c.ledger, [move('CARD_CREDITED', row.id, row.bankCode, row.amountMinor, row.currency)]);
}
