/**
 * Settlement with callback (seed 004, center side): SETTLE_REQUEST →
 * AWAIT_CALLBACK → the center dials the terminal's registered address and
 * challenges it → verifies the records → SETTLEMENT_INSTRUCTION (provider's
 * account at the shop's bank, sealed security code, total, per-record
 * results) → SETTLEMENT_ACK → bank-POS transfer provider@B → shop@B through
 * the relay (id derived from the batch id) → batch settled. Every step is
 * durable first; a crash resumes from the batch state (README.md).
 */
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import { RECORD_STATUS, TAG } from '../../protocol/codes.js';
import type { AwaitCallback, SettleRefused, SettleRequest, SettlementInstruction } from '../../protocol/messages/types.js';
import type { TerminalKeyLookup } from '../../protocol/session/handshake.js';
import type { Ledger } from '../ledger/ledger.js';
import { dialTerminal, type CallbackSession, type TerminalAddress } from '../net/dial-terminal.js';
import type { Relay } from '../relay/relay.js';
import type { AccountRef } from '../relay/types.js';
import type { Storage, Tx } from '../storage/types.js';
import type { ValidityGate } from '../validity/gate.js';
import { UNCLAIMED } from '../kit/claims.js';
import { rowMapper, text } from '../kit/rows.js';
import { BATCH_CALLS, BATCH_ROWS, BATCH_STATES, decodeRecords, decodeResults, encodeRecords, encodeResults, loadBatch, updateBatch, type Batch } from './batch-row.js';
import type { ValidityRepository } from '../validity/repository.js';
import type { EmoneyConfig } from './config.js';
import { applyMoves, derivedId, move } from './ledger-map.js';
import { EMONEY_LIMITS } from './limits.js';
import { classifyRecord, noteDebitEvidence } from './records.js';
import type { EmoneyCode } from './errors.js';
import { resultCodeOf } from './result-codes.js';

export type SettlementStep = 'instructed' | 'acked' | 'paid';

export interface SettlementDeps {
  readonly storage: Storage;
  readonly ledger: Ledger;
  readonly relay: Relay;
  readonly config: EmoneyConfig;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  readonly lookupTerminalKey: TerminalKeyLookup;
  /** The center's general gate: a blocked shop terminal is not paid; records of blocked cards are flagged. */
  readonly gate: ValidityGate;
  /** Validity's terminal list: a shop terminal's callback address and owner, and its row lock (center/validity/repository.ts). */
  readonly terminals: Pick<ValidityRepository, 'getTerminal' | 'lockTerminal'>;
  /** Called after each durable step (tests crash the process here). */
  readonly onStep?: (step: SettlementStep, batchId: string) => void;
}

export class SettlementService {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly d: SettlementDeps) {}

  /**
   * SETTLE_REQUEST: opens (or resumes) the terminal's batch and schedules the callback. A request the
   * center does not take now is answered SETTLE_REFUSED with its code, before anything is opened or booked:
   * another terminal's id (EMONEY_TERMINAL_MISMATCH), no callback address or shop account (EMONEY_NOT_A_SHOP),
   * too many callbacks running (EMONEY_BUSY: the shop settles again later).
   */
  async settle(sessionTerminalId: string, req: SettleRequest): Promise<AwaitCallback | SettleRefused> {
    if (req.terminalId !== sessionTerminalId) return this.refuse('EMONEY_TERMINAL_MISMATCH', 'settle request names another terminal', { terminalId: sessionTerminalId });
    const terminal = await this.d.terminals.getTerminal(sessionTerminalId);
    const address = terminal?.callbackAddress ? parseAddress(terminal.callbackAddress) : undefined;
    const merchant = terminal ? await this.merchantOf(terminal.ownerId) : undefined;
    if (!terminal || !address || !merchant) return this.refuse('EMONEY_NOT_A_SHOP', 'terminal has no callback address or shop account', { terminalId: sessionTerminalId });
    // Bounded before anything is booked or opened: the shop presses settle again later.
    if (this.running.size >= EMONEY_LIMITS.callbacksInFlightMax) {
      return this.refuse('EMONEY_BUSY', 'too many settlement callbacks in flight', { terminalId: sessionTerminalId, inFlight: this.running.size, max: EMONEY_LIMITS.callbacksInFlightMax });
    }
    const batchId = await this.openBatch(sessionTerminalId, terminal.ownerId, merchant.bankCode, req);
    const token = this.d.random.bytes(16);
    this.track(this.callback(batchId, address, token));
    return { type: 'awaitCallback', token, waitMs: EMONEY_LIMITS.callbackWaitMs };
  }

  private refuse(code: EmoneyCode, message: string, details: Record<string, unknown>): SettleRefused {
    this.d.log.warn({ code, ...details }, `settle refused: ${message}`);
    return { type: 'settleRefused', resultCode: resultCodeOf(code) };
  }

  /** Waits for running callbacks (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private track(p: Promise<void>): void {
    const q = p.catch((e: unknown) => this.d.log.warn({ err: e instanceof TesseraError ? e.code : 'error' }, 'settlement callback failed')).finally(() => this.running.delete(q));
    this.running.add(q);
  }

  async merchantOf(shopId: string): Promise<AccountRef | undefined> {
    return this.d.storage.read((q) => MERCHANT_ROWS.get(q, 'WHERE shop_id = ?', [shopId]));
  }

  /** An instructed (or acked) batch of the terminal is resumed as is; a batch never instructed is replaced. */
  private async openBatch(terminalId: string, shopId: string, bankCode: string, req: SettleRequest): Promise<string> {
    const nowMs = this.d.clock.nowMs();
    return this.d.storage.transact(async (tx) => {
      // The terminal's row lock (validity's) serializes batch opening per terminal across nodes (two SETTLE_REQUESTs
      // of one terminal on two nodes must not both insert a batch); SQLite has one writer anyway.
      await this.d.terminals.lockTerminal(tx, terminalId);
      const open = await BATCH_ROWS.all(tx, `WHERE terminal_id = ? AND state IN ('awaiting_callback','instructed','acked')${tx.forUpdate}`, [terminalId]);
      const resumable = open.find((b) => b.state !== 'awaiting_callback');
      if (resumable) return resumable.id;
      for (const b of open) await updateBatch(tx, b, nowMs, { state: 'abandoned' });
      const id = this.d.random.bytes(16).toString('hex');
      BATCH_STATES.check(null, 'awaiting_callback', { id });
      await tx.run(
        `INSERT INTO emoney_batches (id, terminal_id, shop_id, bank_code, state, records, results, total, currency, code, created_ms, updated_ms)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
        [id, terminalId, shopId, bankCode, 'awaiting_callback', encodeRecords(req.records), null, 0, this.d.config.currency, 'OK', nowMs, nowMs],
      );
      return id;
    });
  }

  private async callback(batchId: string, address: TerminalAddress, token: Buffer): Promise<void> {
    const batch = await this.d.storage.read((q) => loadBatch(q, batchId));
    if (!batch) return;
    const session = await this.dial(batch.terminalId, address, token);
    try {
      const instructed = batch.state === 'awaiting_callback' ? await this.verify(batchId) : batch;
      if (instructed.state === 'instructed') await this.instruct(session, instructed);
    } finally {
      session.close();
    }
    await this.pay(batchId);
  }

  private async dial(terminalId: string, address: TerminalAddress, token: Buffer): Promise<CallbackSession> {
    const terminalKey = await this.d.lookupTerminalKey(terminalId);
    if (!terminalKey) throw new TesseraError('EMONEY_NOT_A_SHOP', 'no key for terminal', { terminalId });
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await dialTerminal(address, terminalId, { terminalKey, token, clock: this.d.clock, random: this.d.random, logger: this.d.log });
      } catch (e) {
        if (attempt >= EMONEY_LIMITS.callbackDialAttemptsMax) throw new TesseraError('EMONEY_CALLBACK_FAILED', 'could not call the terminal back', { terminalId }, { cause: e });
        await this.d.clock.sleep(EMONEY_LIMITS.callbackRetryMs * attempt);
      }
    }
  }

  /** Classifies the batch's records and books the accepted total, in one unit of work: → instructed. */
  private async verify(batchId: string): Promise<Batch> {
    const nowMs = this.d.clock.nowMs();
    const row = await this.d.storage.transact(async (tx) => {
      const b = await loadBatch(tx, batchId, tx.forUpdate);
      if (!b || b.state !== 'awaiting_callback') return b;
      return this.classifyBatch(tx, b, nowMs);
    });
    if (!row) throw new TesseraError('EMONEY_CALLBACK_FAILED', 'batch vanished', { batchId });
    this.d.onStep?.('instructed', batchId);
    return row;
  }

  private async classifyBatch(tx: Tx, b: Batch, nowMs: number): Promise<Batch> {
    const records = decodeRecords(b.records);
    const ctx = { issuerMasterKey: this.d.config.issuerMasterKey, terminalId: b.terminalId, batchId: b.id, nowMs };
    const results = [];
    let total = 0;
    for (const r of records) {
      const status = r.currency === b.currency ? await classifyRecord(tx, r, ctx) : RECORD_STATUS.ALTERED;
      if (status === RECORD_STATUS.ACCEPTED) {
        total += r.amountMinor;
        await noteDebitEvidence(tx, r.mediumId.toString('hex'), r.cardCounter, nowMs);
        await this.flagBlockedCard(tx, b, r.mediumId.toString('hex'), r.cardCounter, nowMs);
      }
      results.push({ mediumId: r.mediumId, cardCounter: r.cardCounter, status });
    }
    if (total > 0) await applyMoves(tx, this.d.ledger, [move('RECORDS_ACCEPTED', b.id, b.bankCode, total, b.currency)]);
    const set = { state: 'instructed' as const, results: encodeResults(results), totalMinor: total };
    await updateBatch(tx, b, nowMs, set);
    return { ...b, ...set };
  }

  /**
   * A verified record of a card blocked since is still settled (README.md, "Blocked cards and shops"):
   * the debit is the card's own MAC over e-money that left the card, and the shop, offline, could not
   * know. It is flagged `blocked_card` for the operator; the card itself is stopped at every online step.
   */
  private async flagBlockedCard(tx: Tx, b: Batch, cardId: string, counter: number, nowMs: number): Promise<void> {
    const j = await this.d.gate.check({ mediumId: cardId }, { capture: false });
    if (j.ok || j.reason === 'UNAVAILABLE') return;
    await tx.run('INSERT INTO emoney_flags (card_id, counter, terminal_id, kind, at_ms) VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING', [
      cardId, counter, b.terminalId, 'blocked_card', nowMs,
    ]);
  }

  private async instruct(session: CallbackSession, b: Batch): Promise<void> {
    const provider = this.d.config.providerAccounts.find((p) => p.bankCode === b.bankCode);
    if (!provider) throw new TesseraError('EMONEY_NO_PROVIDER_ACCOUNT', 'no provider account at the shop\'s bank', { bankCode: b.bankCode });
    const msg: SettlementInstruction = {
      type: 'settlementInstruction',
      bankCode: provider.bankCode,
      branchCode: provider.branchCode,
      accountNumber: provider.accountNumber,
      securityCode: session.sealer.seal(TAG.SECURITY_CODE, Buffer.from(provider.securityCode, 'ascii')),
      totalMinor: b.totalMinor,
      currency: b.currency,
      results: decodeResults(b.results ?? '[]'),
    };
    const ack = await session.request(msg, EMONEY_LIMITS.instructionTimeoutMs);
    if (ack.type !== 'settlementAck') throw new TesseraError('EMONEY_CALLBACK_FAILED', `terminal answered ${ack.type}`, { batchId: b.id });
    await this.d.storage.transact(async (tx) => {
      const cur = await loadBatch(tx, b.id, tx.forUpdate);
      if (cur?.state === 'instructed') await updateBatch(tx, cur, this.d.clock.nowMs(), { state: 'acked' });
    });
    this.d.log.info({ batch: b.id, erased: ack.erased.length, totalMinor: b.totalMinor }, 'settlement acknowledged');
    this.d.onStep?.('acked', b.id);
  }

  /**
   * The bank-POS transfer provider@B → shop@B (idempotent by the batch-derived id): acked → settled.
   * The node that claims the acked batch (BATCH_CALLS) is the only one calling the bank for it; a pay on
   * another node (its sweep) meanwhile returns without calling.
   */
  async pay(batchId: string): Promise<'settled' | 'pay_failed' | 'pending' | 'held' | 'skipped'> {
    const b = await this.d.storage.read((q) => loadBatch(q, batchId));
    if (!b || b.state !== 'acked') return 'skipped';
    // A shop whose terminal was blocked is not paid: the batch stays acked (its money stays in
    // settle-clearing) and the sweep pays it once the terminal is unblocked.
    const terminal = await this.d.gate.check({ terminalId: b.terminalId });
    if (!terminal.ok) {
      this.d.log.warn({ batch: b.id, terminalId: b.terminalId, reason: terminal.reason }, 'shop payment held: EMONEY_TERMINAL_INVALID');
      return 'held';
    }
    const provider = this.d.config.providerAccounts.find((p) => p.bankCode === b.bankCode);
    const shop = await this.merchantOf(b.shopId);
    if (!provider || !shop) return 'skipped';
    if (!(await this.d.storage.transact((tx) => BATCH_CALLS.claim(tx, b.id, ['acked'], this.d.clock.nowMs())))) return 'skipped';
    const out = b.totalMinor === 0 ? { approved: true, inDoubt: false, code: 'OK' } : await this.d.relay.transfer({
      transferId: derivedId(b.id, 'PAY'), from: provider, to: shop, amountMinor: b.totalMinor, currency: b.currency, pin: provider.securityCode,
    });
    // Unknown outcome, or the provider's account at this bank is short (it must be topped up): stay acked,
    // resumePayments() retries with the same transfer id. The shop's money is never lost, only late.
    if (out.inDoubt || out.code === 'BANK_INSUFFICIENT_FUNDS') {
      await this.d.storage.transact((tx) => BATCH_CALLS.release(tx, b.id));
      this.d.log.warn({ batch: b.id, code: out.code }, 'shop payment pending');
      return 'pending';
    }
    const done = await this.d.storage.transact(async (tx) => {
      const cur = await loadBatch(tx, b.id, tx.forUpdate);
      if (cur?.state !== 'acked') return false;
      await updateBatch(tx, cur, this.d.clock.nowMs(), { state: out.approved ? 'settled' : 'pay_failed', code: out.code, claimUntilMs: null });
      if (out.approved && b.totalMinor > 0) await applyMoves(tx, this.d.ledger, [move('SHOP_PAID', b.id, b.bankCode, b.totalMinor, b.currency)]);
      return true;
    });
    if (!done) return 'skipped';
    this.d.log.info({ batch: b.id, code: out.code }, out.approved ? 'batch settled' : 'shop payment refused');
    if (out.approved) this.d.onStep?.('paid', b.id);
    return out.approved ? 'settled' : 'pay_failed';
  }

  /** Retries the payment of every acknowledged batch no node is paying (after a restart or an unreachable bank). */
  async resumePayments(): Promise<number> {
    const rows = await this.d.storage.read((q) =>
      BATCH_IDS.all(q, `WHERE state = 'acked' AND ${UNCLAIMED} ORDER BY updated_ms LIMIT ?`, [this.d.clock.nowMs(), EMONEY_LIMITS.sweepBatchMax]),
    );
    let retried = 0;
    for (const r of rows) {
      const out = await this.pay(r.id);
      if (out !== 'skipped' && out !== 'held') retried += 1;
    }
    return retried;
  }
}

const MERCHANT_ROWS = rowMapper('emoney_merchants', { bankCode: text('bank_code'), branchCode: text('branch'), accountNumber: text('account') });
const BATCH_IDS = rowMapper('emoney_batches', { id: text('id') });

function parseAddress(text: string): TerminalAddress | undefined {
  const m = /^(.+):([0-9]{1,5})$/.exec(text);
  return m ? { host: m[1]!, port: Number(m[2]) } : undefined;
}
