/**
 * A purse debit record paying at another capability's online terminal (the
 * prepaid issuer, seed 000): an e-money payment to that terminal as the
 * merchant, verified and booked inside the caller's unit of work, so the
 * caller's own booking (the prepaid medium) and this one commit together or
 * not at all. The record is the card's own debit MAC (records.ts): it is
 * stored like a settled record (state `settled`, batch id `payment:<ref>`),
 * so the same record in a later settlement batch or upload is a DUPLICATE,
 * and one record pays once.
 *
 *   purse payment   emoney-float → purse-takings@T    (PURSE_PAID: the e-money left the card for terminal T;
 *                                                      the caller moves it on from purse-takings@T in the same unit)
 *
 * The money behind the float stays where it is (the provider's accounts at
 * its banks): only the liability changes hands, from the card holders (the
 * float) to what the caller books (a prepaid medium's balance).
 */
import type { Clock } from '../../core/clock.js';
import { RECORD_STATUS, type RecordStatus } from '../../protocol/codes.js';
import type { PurchaseRecord } from '../../protocol/messages/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Tx } from '../storage/types.js';
import type { ValidityGate } from '../validity/gate.js';
import type { EmoneyConfig } from './config.js';
import { applyMoves, derivedId, FLOAT, MOVE } from './ledger-map.js';
import { cardMacValid, classifyRecord, noteDebitEvidence } from './records.js';

/** The account a purse payment at terminal T is booked to (owed on by the capability that took it). */
export const purseTakings = (terminalId: string): string => `purse-takings@${terminalId}`;

/** The batch id a purse payment's record is stored under (emoney_records.batch_id). */
export const PAYMENT_BATCH_PREFIX = 'payment:';

/**
 * Why a record cannot pay, before anything is booked: MISMATCH (amount, currency or terminal not the
 * caller's), FORGED (the card MAC does not verify), CARD_INVALID (the card is blocked, lost, expired or
 * unknown on the validity lists, or they could not be read).
 */
export type PurseRefusal = 'MISMATCH' | 'FORGED' | 'CARD_INVALID';

export type PurseBooking = { readonly ok: true; readonly account: string } | { readonly ok: false; readonly status: RecordStatus };

export class PursePayments {
  constructor(
    private readonly d: { readonly ledger: Ledger; readonly config: EmoneyConfig; readonly gate: ValidityGate; readonly clock: Clock },
  ) {}

  get currency(): string {
    return this.d.config.currency;
  }

  /** The checks that need no unit of work: the record's fields, its MAC, the card on the lists (read only: no capture). */
  async check(terminalId: string, r: PurchaseRecord, amountMinor: number, currency: string): Promise<{ ok: true } | { ok: false; refusal: PurseRefusal; reason?: string }> {
    if (r.amountMinor !== amountMinor || r.currency !== currency || r.currency !== this.d.config.currency || r.terminalId !== terminalId) return { ok: false, refusal: 'MISMATCH' };
    if (!cardMacValid(this.d.config.issuerMasterKey, r)) return { ok: false, refusal: 'FORGED' };
    const card = await this.d.gate.check({ mediumId: r.mediumId.toString('hex') }, { capture: false });
    if (!card.ok) return { ok: false, refusal: 'CARD_INVALID', reason: card.reason };
    return { ok: true };
  }

  /**
   * Verifies and stores the record and books emoney-float → purse-takings@T in the caller's unit. A record
   * that e-money holds already (settled in a batch, paid for something else, or a clone's) is not booked:
   * its status says why, and the caller refuses (rolling its unit back).
   */
  async bookWithin(tx: Tx, terminalId: string, r: PurchaseRecord, reference: string): Promise<PurseBooking> {
    const nowMs = this.d.clock.nowMs();
    const cardId = r.mediumId.toString('hex');
    const status = await classifyRecord(tx, r, { issuerMasterKey: this.d.config.issuerMasterKey, terminalId, batchId: `${PAYMENT_BATCH_PREFIX}${reference}`, nowMs });
    if (status !== RECORD_STATUS.ACCEPTED) return { ok: false, status };
    // The debit at this counter is evidence for a charge authorised just before it (records.ts).
    await noteDebitEvidence(tx, cardId, r.cardCounter, nowMs);
    const account = purseTakings(terminalId);
    await this.d.ledger.createAccountsIn(tx, [{ id: account, owner: `terminal ${terminalId}`, kind: 'clearing', currency: r.currency }], false);
    await applyMoves(tx, this.d.ledger, [{
      id: derivedId(`${cardId}/${r.cardCounter}`, 'PURSE_PAID'), debitAccountId: FLOAT, creditAccountId: account,
      amountMinor: r.amountMinor, currency: r.currency, code: MOVE.PURSE_PAID, reference: `purse ${cardId}/${r.cardCounter}`,
    }]);
    return { ok: true, account };
  }
}
