/**
 * The charge (seed 004, center side): CHARGE_REQUEST → a sale through the
 * relay at the user's bank (user → provider at the same bank) → a durable
 * pending charge → EMONEY_ISSUE_REQUEST → the host MAC for the card's
 * counter → the credit confirmation. State machine: README.md.
 */
import type { Clock } from '../../core/clock.js';
import type { FlowOutcome } from '../server/outcomes.js';
import type { Logger } from '../../core/log.js';
import type { ChargeAbandon, ChargeRequest, EmoneyIssueRequest } from '../../protocol/messages/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Relay } from '../relay/relay.js';
import type { BankOutcome } from '../relay/types.js';
import type { Storage, Tx } from '../storage/types.js';
import type { Answer } from './answer.js';
import type { EmoneyConfig, ProviderAccount } from './config.js';
import { CHARGE_CALLS, CHARGE_STATES, loadCharge, updateCharge, type Charge } from './charge-row.js';
import { reverseCharge } from './charge-sweep.js';
import { applyIssue } from './issue.js';
import { applyMoves, move } from './ledger-map.js';
import type { ResultCodeName } from './result-codes.js';

export type { Answer };

export interface ChargeDeps {
  readonly storage: Storage;
  readonly ledger: Ledger;
  readonly relay: Relay;
  readonly config: EmoneyConfig;
  readonly clock: Clock;
  readonly log: Logger;
  /** Each charge answered by this process (approved or refused, with its code), for watchers (the admin API's SSE). */
  readonly onOutcome?: (o: FlowOutcome) => void;
}

const ok: Answer = { approved: true, code: 'OK' };
const no = (code: ResultCodeName): Answer => ({ approved: false, code });

export class ChargeService {
  /** Bank calls in flight in this process, by charge id: a concurrent retry joins the same call. */
  private readonly inflight = new Map<string, Promise<Answer>>();

  constructor(private readonly d: ChargeDeps) {}

  providerAt(bankCode: string): ProviderAccount | undefined {
    return this.d.config.providerAccounts.find((p) => p.bankCode === bankCode);
  }

  /** CHARGE_REQUEST with the PIN already unsealed (it goes to the relay only). */
  async charge(terminalId: string, req: ChargeRequest, pin: string): Promise<Answer> {
    const id = req.transactionId.toString('hex');
    const running = this.inflight.get(id);
    if (running) return running;
    const p = this.chargeOnce(terminalId, id, req, pin)
      .then((a) => {
        this.d.onOutcome?.({ flow: 'emoney', step: 'charge', outcome: a.approved ? 'approved' : 'refused', code: a.code, terminalId, subject: id, atMs: this.d.clock.nowMs() });
        return a;
      })
      .finally(() => this.inflight.delete(id));
    this.inflight.set(id, p);
    return p;
  }

  isInflight(id: string): boolean {
    return this.inflight.has(id);
  }

  private async chargeOnce(terminalId: string, id: string, req: ChargeRequest, pin: string): Promise<Answer> {
    if (req.currency !== this.d.config.currency) return no('BANK_CURRENCY_MISMATCH');
    const provider = this.providerAt(req.bankCode);
    if (!provider) return no('EMONEY_NO_PROVIDER_ACCOUNT');
    // The charge row is durable, and claimed for this bank call (CHARGE_CALLS), before the bank is called:
    // no node's sweep reverses it, and no other node's retry calls the bank, while the call runs.
    const start = await this.d.storage.transact(async (tx): Promise<Answer | 'call'> => {
      const nowMs = this.d.clock.nowMs();
      const had = await loadCharge(tx, id, tx.forUpdate);
      if (had) {
        if (!sameCharge(had, req)) return no('EMONEY_EXISTS_WITH_DIFFERENT_FIELDS');
        if (had.state !== 'requested' && had.state !== 'unknown') return answerOf(had);
      } else {
        CHARGE_STATES.check(null, 'requested', { id });
        await tx.run(
          `INSERT INTO emoney_charges (id, terminal_id, bank_code, branch, account, amount, currency, state, code, created_ms, updated_ms)
           VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
          [id, terminalId, req.bankCode, req.branchCode, req.accountNumber, req.amountMinor, req.currency, 'requested', 'OK', nowMs, nowMs],
        );
      }
      // A retry (any node) claims it the same way; a claim held elsewhere means that node is at the bank now.
      return (await CHARGE_CALLS.claim(tx, id, ['requested', 'unknown'], nowMs)) ? 'call' : no('EMONEY_CHARGE_IN_PROGRESS');
    });
    if (start !== 'call') return start;
    const outcome = await this.d.relay.transfer({
      transferId: id,
      from: { bankCode: req.bankCode, branchCode: req.branchCode, accountNumber: req.accountNumber },
      to: provider,
      amountMinor: req.amountMinor,
      currency: req.currency,
      pin,
    });
    const answer = await this.d.storage.transact((tx) => this.recordOutcome(tx, id, outcome));
    // Given up while the bank call ran (CHARGE_ABANDON): its claim is free now, reverse it at once.
    if (answer.code === 'EMONEY_CHARGE_REVERSED') await reverseCharge(this.d, id, this.d.clock.nowMs());
    return answer;
  }

  private async recordOutcome(tx: Tx, id: string, o: BankOutcome): Promise<Answer> {
    const row = await loadCharge(tx, id, tx.forUpdate);
    if (!row) return no('EMONEY_UNKNOWN_CHARGE');
    if (row.state !== 'requested' && row.state !== 'unknown') {
      // Given up meanwhile (reversing, never booked): this call's claim ends here, the reversal claims it next.
      await CHARGE_CALLS.release(tx, id);
      return answerOf(row);
    }
    const nowMs = this.d.clock.nowMs();
    if (o.approved) {
      await updateCharge(tx, row, nowMs, { state: 'approved', code: 'OK', claimUntilMs: null });
      await applyMoves(tx, this.d.ledger, [move('CHARGE_APPROVED', id, row.bankCode, row.amountMinor, row.currency)]);
      return ok;
    }
    await updateCharge(tx, row, nowMs, { state: o.inDoubt ? 'unknown' : 'declined', code: o.code, claimUntilMs: null });
    this.d.log.info({ charge: id, code: o.code }, 'charge not approved');
    return no(o.code);
  }

  /**
   * CHARGE_ABANDON: the kiosk gave the charge up (its customer was told it
   * failed, or left): the charge is made final now and never completed. No
   * row → a tombstone (a late CHARGE_REQUEST with this id is refused without a
   * bank call); requested / unknown / approved → reversing, reversed at once
   * (or, while a bank call holds the claim, as soon as that call ends); bound to
   * a card or credited → refused (EMONEY_CHARGE_CREDITED). Idempotent.
   */
  async abandon(terminalId: string, req: ChargeAbandon): Promise<Answer> {
    const id = req.transactionId.toString('hex');
    const verdict = await this.d.storage.transact(async (tx): Promise<Answer | 'reverse'> => {
      const nowMs = this.d.clock.nowMs();
      const row = await loadCharge(tx, id, tx.forUpdate);
      if (!row) {
        CHARGE_STATES.check(null, 'reversed', { id });
        await tx.run(
          `INSERT INTO emoney_charges (id, terminal_id, bank_code, branch, account, amount, currency, state, code, booked, created_ms, updated_ms)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
          [id, terminalId, req.bankCode, req.branchCode, req.accountNumber, req.amountMinor, req.currency, 'reversed', 'EMONEY_CHARGE_REVERSED', 0, nowMs, nowMs],
        );
        return ok;
      }
      if (row.terminalId !== terminalId) return no('EMONEY_TERMINAL_MISMATCH');
      if (!sameCharge(row, req)) return no('EMONEY_EXISTS_WITH_DIFFERENT_FIELDS');
      switch (row.state) {
        case 'requested':
        case 'unknown':
        case 'approved':
          await updateCharge(tx, row, nowMs, { state: 'reversing', booked: row.state === 'approved' });
          return 'reverse';
        case 'authorized':
        case 'issued':
          return no('EMONEY_CHARGE_CREDITED');
        default: // declined, reversing, reversed: nothing (more) to do
          return ok;
      }
    });
    if (verdict !== 'reverse') return verdict;
    this.d.log.info({ charge: id }, 'charge given up by the kiosk; reversing it');
    // Skipped while a bank call holds the claim (it reverses when it ends); 'pending' is retried by the sweep.
    if (!this.inflight.has(id)) await reverseCharge(this.d, id, this.d.clock.nowMs());
    return ok;
  }

  /** EMONEY_ISSUE_REQUEST: the host MAC for the card's counter, or the credit confirmation. */
  async issue(req: EmoneyIssueRequest): Promise<Answer> {
    return this.d.storage.transact(async (tx) => {
      const row = await loadCharge(tx, req.transactionId.toString('hex'), tx.forUpdate);
      if (!row) return no('EMONEY_UNKNOWN_CHARGE');
      return applyIssue(tx, row, req, { ...this.d, nowMs: this.d.clock.nowMs() });
    });
  }
}

function sameCharge(row: Charge, req: ChargeRequest | ChargeAbandon): boolean {
  return row.bankCode === req.bankCode && row.branchCode === req.branchCode && row.accountNumber === req.accountNumber && row.amountMinor === req.amountMinor && row.currency === req.currency;
}

/** What a retried CHARGE_REQUEST answers for a charge past the bank step. */
export function answerOf(row: Charge): Answer {
  switch (row.state) {
    case 'approved':
    case 'authorized':
    case 'issued':
      return ok;
    case 'reversing':
    case 'reversed':
      return no('EMONEY_CHARGE_REVERSED');
    default:
      return no(row.code === 'OK' ? 'EMONEY_CHARGE_NOT_APPROVED' : (row.code as ResultCodeName));
  }
}
