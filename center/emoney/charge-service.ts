/**
 * The charge (seed 004, center side): CHARGE_REQUEST → a sale through the
 * relay at the user's bank (user → provider at the same bank) → a durable
 * pending charge → EMONEY_ISSUE_REQUEST → the host MAC for the card's
 * counter → the credit confirmation. State machine: README.md.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { ChargeRequest, EmoneyIssueRequest } from '../../protocol/messages/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Relay } from '../relay/relay.js';
import type { BankOutcome } from '../relay/types.js';
import type { Storage, Tx } from '../storage/types.js';
import type { EmoneyConfig, ProviderAccount } from './config.js';
import { loadCharge, updateCharge, type ChargeRow } from './charge-row.js';
import { applyIssue } from './issue.js';
import { applyMoves, move } from './ledger-map.js';
import { EMONEY_LIMITS } from './limits.js';
import type { ResultCodeName } from './result-codes.js';

export interface Answer {
  readonly approved: boolean;
  readonly code: ResultCodeName;
  readonly hostMac?: Buffer;
}

export interface ChargeDeps {
  readonly storage: Storage;
  readonly ledger: Ledger;
  readonly relay: Relay;
  readonly config: EmoneyConfig;
  readonly clock: Clock;
  readonly log: Logger;
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
    const p = this.chargeOnce(terminalId, id, req, pin).finally(() => this.inflight.delete(id));
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
    const nowMs = this.d.clock.nowMs();
    // The charge row is durable, and claimed for this bank call (claims.ts), before the bank is called:
    // no node's sweep reverses it while the call runs. A retry (any node) claims it again.
    const row = await this.d.storage.transact(async (tx) => {
      const had = await loadCharge(tx, id, tx.forUpdate);
      if (had) {
        if (sameCharge(had, req) && (had.state === 'requested' || had.state === 'unknown')) {
          await tx.run('UPDATE emoney_charges SET claim_until_ms = ? WHERE id = ?', [nowMs + EMONEY_LIMITS.BANK_CLAIM_MS, id]);
        }
        return had;
      }
      await tx.run(
        `INSERT INTO emoney_charges (id, terminal_id, bank_code, branch, account, amount, currency, state, code, claim_until_ms, created_ms, updated_ms)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
        [id, terminalId, req.bankCode, req.branchCode, req.accountNumber, req.amountMinor, req.currency, 'requested', 'OK', nowMs + EMONEY_LIMITS.BANK_CLAIM_MS, nowMs, nowMs],
      );
      return undefined;
    });
    if (row) {
      if (!sameCharge(row, req)) return no('EMONEY_EXISTS_WITH_DIFFERENT_FIELDS');
      if (row.state !== 'requested' && row.state !== 'unknown') return answerOf(row);
    }
    const outcome = await this.d.relay.transfer({
      transferId: id,
      from: { bankCode: req.bankCode, branchCode: req.branchCode, accountNumber: req.accountNumber },
      to: provider,
      amountMinor: req.amountMinor,
      currency: req.currency,
      pin,
    });
    return this.d.storage.transact((tx) => this.recordOutcome(tx, id, outcome));
  }

  private async recordOutcome(tx: Tx, id: string, o: BankOutcome): Promise<Answer> {
    const row = await loadCharge(tx, id, tx.forUpdate);
    if (!row) return no('EMONEY_UNKNOWN_CHARGE');
    if (row.state !== 'requested' && row.state !== 'unknown') return answerOf(row); // a sweep got there first
    const nowMs = this.d.clock.nowMs();
    if (o.approved) {
      await updateCharge(tx, id, nowMs, { state: 'approved', code: 'OK', claim_until_ms: null });
      await applyMoves(tx, this.d.ledger, [move('CHARGE_APPROVED', id, row.bank_code, row.amount, row.currency)]);
      return ok;
    }
    await updateCharge(tx, id, nowMs, { state: o.inDoubt ? 'unknown' : 'declined', code: o.code, claim_until_ms: null });
    this.d.log.info({ charge: id, code: o.code }, 'charge not approved');
    return no(o.code);
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

function sameCharge(row: ChargeRow, req: ChargeRequest): boolean {
  return row.bank_code === req.bankCode && row.branch === req.branchCode && row.account === req.accountNumber && row.amount === req.amountMinor && row.currency === req.currency;
}

/** What a retried CHARGE_REQUEST answers for a charge past the bank step. */
export function answerOf(row: ChargeRow): Answer {
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
