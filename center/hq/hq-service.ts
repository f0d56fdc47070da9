/**
 * The store headquarters' work (seed 002): each till request is journalled
 * (hq_requests) before it is forwarded to the settlement center over the
 * signed link, and forwarded again until the center answers (the outbox).
 * Idempotent by the POS request id end to end.
 *
 * An activation waits at most `forwardDeadlineMs` for the center: then the
 * till is answered HQ_CENTER_UNREACHABLE and the HQ itself reverses it (the
 * till voids the sale, the customer gets the money back), so a card never
 * becomes active without the store's money behind it. After a restart every
 * activation past its deadline that was never answered is reversed the same
 * way (its till has voided it).
 */
import type { Clock } from '../../core/clock.js';
import { isTesseraError, TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { luhnValid } from '../../core/luhn.js';
import { STATUS } from '../../protocol/codes.js';
import type { VoucherActivate, VoucherResult, VoucherReversal, VoucherVoid } from '../../protocol/messages/types.js';
import { updateState } from '../kit/transitions.js';
import type { Storage, Tx } from '../storage/types.js';
import type { ValidityGate } from '../validity/gate.js';
import type { ActivationResult, ReversalResult } from '../voucher/api.js';
import type { CenterLink } from './center-link.js';
import type { HqSection } from './config-schema.js';
import type { HqCode } from './errors.js';
import { businessDayOf } from './daily-file.js';
import { HQ_LIMITS } from './limits.js';
import { voucherWireCode } from './result-codes.js';
import { REQUEST_ROWS, REQUEST_STATES, type HqRequest, type RequestState } from './schema.js';

export interface HqServiceDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly log: Logger;
  readonly section: HqSection;
  readonly link: CenterLink;
  /** The HQ's validity lists: a blocked or unknown till is refused before anything is journalled. */
  readonly gate?: ValidityGate;
}

export interface SweepCounts {
  readonly forwarded: number;
  readonly givenUp: number;
  readonly failed: number;
}

const hex = (b: Buffer): string => b.toString('hex');

export class HqService {
  private readonly stores = new Map<string, string>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly dayOf: (ms: number) => string;

  constructor(private readonly d: HqServiceDeps) {
    this.dayOf = businessDayOf(d.section.timeZone);
    for (const s of d.section.stores) {
      for (const t of s.terminals) {
        if (this.stores.has(t)) throw new TesseraError('HQ_CONFIG_INVALID', 'a terminal is listed in two stores', { path: 'hq.stores', terminalId: t });
        this.stores.set(t, s.storeId);
      }
    }
  }

  storeOf(terminalId: string): string | undefined {
    return this.stores.get(terminalId);
  }

  /** VOUCHER_ACTIVATE from a till. */
  async activate(terminalId: string, m: VoucherActivate): Promise<VoucherResult> {
    const id = hex(m.transactionId);
    const refused = (await this.refusedTill(terminalId)) ?? (luhnValid(m.serial) ? null : 'VOUCHER_SERIAL_INVALID');
    if (refused) return this.declined(m.transactionId, refused);
    if (m.currency !== this.d.section.currency) return this.declined(m.transactionId, 'VOUCHER_AMOUNT_INVALID');
    const storeId = this.stores.get(terminalId)!;
    const now = this.d.clock.nowMs();
    const row = await this.d.storage.transact(async (tx) => {
      const existing = await REQUEST_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [id]);
      if (existing) return existing;
      const fresh: HqRequest = {
        id, kind: 'activation', terminalId, storeId, serial: m.serial, amount: m.amountMinor, currency: m.currency, originalId: null,
        state: 'forwarding', code: '', expiresMs: null, outcome: '', businessDay: this.businessDay(now),
        createdMs: now, updatedMs: now, attempts: 0, nextMs: now,
      };
      await insert(tx, fresh);
      return fresh;
    });
    if (row.kind !== 'activation' || row.terminalId !== terminalId || row.serial !== m.serial || row.amount !== m.amountMinor || row.currency !== m.currency) {
      return this.declined(m.transactionId, 'HQ_REQUEST_REUSED');
    }
    const deadline = row.createdMs + this.d.section.forwardDeadlineMs;
    if (row.state === 'forwarding') await this.forwardUntil(id, deadline);
    return this.answerActivation(m.transactionId, deadline);
  }

  /** VOUCHER_REVERSAL from a till: journalled, answered at once; the outbox tells the center. */
  async reverse(terminalId: string, m: VoucherReversal): Promise<VoucherResult> {
    const id = hex(m.transactionId);
    if (!this.stores.has(terminalId)) return this.declined(m.transactionId, 'HQ_STORE_UNKNOWN');
    const now = this.d.clock.nowMs();
    const verdict = await this.d.storage.transact(async (tx): Promise<HqCode | null> => {
      const row = await REQUEST_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [id]);
      if (!row) {
        // Never journalled here (lost on the way): a tombstone the center must hear of.
        await insert(tx, {
          id, kind: 'activation', terminalId, storeId: this.stores.get(terminalId)!, serial: m.serial, amount: m.amountMinor, currency: m.currency,
          originalId: null, state: 'reversing', code: '', expiresMs: null, outcome: '', businessDay: this.businessDay(now),
          createdMs: now, updatedMs: now, attempts: 0, nextMs: now,
        });
        return null;
      }
      if (row.kind !== 'activation' || row.terminalId !== terminalId || row.serial !== m.serial || row.amount !== m.amountMinor) return 'HQ_REQUEST_REUSED';
      if (row.state === 'forwarding' || row.state === 'activated') await updateState(tx, REQUEST_ROWS, REQUEST_STATES, row, { state: 'reversing', updatedMs: now, nextMs: now, attempts: 0 });
      return null;
    });
    if (verdict) return this.declined(m.transactionId, verdict);
    this.d.log.info({ requestId: id, terminalId }, 'till reversed a sale; the HQ tells the center');
    void this.forward(id);
    return { type: 'voucherResult', transactionId: m.transactionId, status: STATUS.APPROVED, resultCode: 0 };
  }

  /** VOUCHER_VOID from a till: the activation must be this store's and active; waits for the center up to the deadline. */
  async void(terminalId: string, m: VoucherVoid): Promise<VoucherResult> {
    const id = hex(m.transactionId);
    const originalId = hex(m.originalTransactionId);
    const refused = await this.refusedTill(terminalId);
    if (refused) return this.declined(m.transactionId, refused);
    const storeId = this.stores.get(terminalId)!;
    const now = this.d.clock.nowMs();
    const row = await this.d.storage.transact(async (tx): Promise<HqRequest | HqCode> => {
      const existing = await REQUEST_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [id]);
      if (existing) return existing.kind === 'void' && existing.originalId === originalId && existing.storeId === storeId ? existing : 'HQ_REQUEST_REUSED';
      const sale = await REQUEST_ROWS.get(tx, 'WHERE id = ?', [originalId]);
      if (!sale || sale.kind !== 'activation' || sale.storeId !== storeId) return 'HQ_UNKNOWN_ACTIVATION';
      if (sale.state === 'refused' || sale.state === 'reversing' || sale.state === 'reversed') return 'HQ_REVERSED';
      if (sale.state === 'forwarding') return 'HQ_PENDING';
      const fresh: HqRequest = {
        id, kind: 'void', terminalId, storeId, serial: sale.serial, amount: sale.amount, currency: sale.currency, originalId,
        state: 'forwarding', code: '', expiresMs: null, outcome: '', businessDay: this.businessDay(now),
        createdMs: now, updatedMs: now, attempts: 0, nextMs: now,
      };
      await insert(tx, fresh);
      return fresh;
    });
    if (typeof row === 'string') return this.declined(m.transactionId, row);
    if (row.state === 'forwarding') await this.forwardUntil(id, now + this.d.section.forwardDeadlineMs);
    const after = await this.row(id);
    if (after?.state === 'done') return { type: 'voucherResult', transactionId: m.transactionId, status: STATUS.APPROVED, resultCode: 0 };
    if (after?.state === 'refused') return this.declined(m.transactionId, after.code);
    return this.declined(m.transactionId, 'HQ_PENDING');
  }

  /** The outbox: activations past their deadline are reversed; every open row is forwarded once when due. */
  async sweep(): Promise<SweepCounts> {
    const now = this.d.clock.nowMs();
    let givenUp = 0;
    const late = await this.d.storage.read((q) => REQUEST_ROWS.all(q, "WHERE state = 'forwarding' AND kind = 'activation' AND created_ms < ? LIMIT ?", [now - this.d.section.forwardDeadlineMs, HQ_LIMITS.sweepBatchMax]));
    for (const r of late) if (await this.giveUp(r.id)) givenUp++;
    const due = await this.d.storage.read((q) => REQUEST_ROWS.all(q, "WHERE state IN ('forwarding', 'reversing') AND next_ms <= ? ORDER BY next_ms LIMIT ?", [now, HQ_LIMITS.sweepBatchMax]));
    let forwarded = 0;
    let failed = 0;
    for (const r of due) {
      const before = r.state;
      await this.forward(r.id);
      const after = await this.row(r.id);
      if (after && after.state !== before) forwarded++;
      else failed++;
    }
    return { forwarded, givenUp, failed };
  }

  /** Waits for forwards in flight. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight.values()]);
  }

  /** One attempt for the row, per its state; one at a time per row. */
  forward(id: string): Promise<void> {
    const running = this.inflight.get(id);
    if (running) return running;
    const p = this.forwardOnce(id).finally(() => this.inflight.delete(id));
    this.inflight.set(id, p);
    return p;
  }

  // ---------------------------------------------------------------- inside

  private async forwardOnce(id: string): Promise<void> {
    const row = await this.row(id);
    if (!row || (row.state !== 'forwarding' && row.state !== 'reversing')) return;
    try {
      if (row.state === 'reversing') return await this.sendReversal(row);
      if (row.kind === 'activation') return await this.sendActivation(row);
      return await this.sendVoid(row);
    } catch (e) {
      const code = isTesseraError(e) ? e.code : 'INTERNAL';
      const now = this.d.clock.nowMs();
      const delay = Math.min(HQ_LIMITS.retryMsMax, HQ_LIMITS.retryMsMin * 2 ** Math.min(row.attempts, 16));
      await this.d.storage.transact((tx) => tx.run('UPDATE hq_requests SET attempts = attempts + 1, next_ms = ?, updated_ms = ? WHERE id = ? AND state = ?', [now + delay, now, id, row.state]));
      this.d.log.warn({ requestId: id, state: row.state, code, ...(isTesseraError(e) && { details: e.details }) }, 'forward to the settlement center failed; repeated later');
    }
  }

  private async sendActivation(row: HqRequest): Promise<void> {
    const a = await this.d.link.call<ActivationResult>('POST', '/hq/v1/activations', {
      requestId: row.id, storeId: row.storeId, terminalId: row.terminalId, serial: row.serial, amount: row.amount, currency: row.currency,
    });
    if (a.ok) await this.settle(row.id, 'forwarding', { state: 'activated', expiresMs: a.value.expiresAtMs });
    else {
      await this.settle(row.id, 'forwarding', { state: 'refused', code: a.code });
      this.d.log.info({ requestId: row.id, code: a.code, terminalId: row.terminalId }, 'the settlement center refused an activation');
    }
  }

  private async sendVoid(row: HqRequest): Promise<void> {
    const a = await this.d.link.call<{ requestId: string }>('POST', '/hq/v1/voids', { requestId: row.id, storeId: row.storeId, activationRequestId: row.originalId });
    if (!a.ok) return void (await this.settle(row.id, 'forwarding', { state: 'refused', code: a.code }));
    const now = this.d.clock.nowMs();
    await this.d.storage.transact(async (tx) => {
      const cur = await REQUEST_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [row.id]);
      if (cur?.state !== 'forwarding') return;
      await updateState(tx, REQUEST_ROWS, REQUEST_STATES, cur, { state: 'done', updatedMs: now });
      const sale = row.originalId === null ? undefined : await REQUEST_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [row.originalId]);
      if (sale?.state === 'activated') await updateState(tx, REQUEST_ROWS, REQUEST_STATES, sale, { state: 'voided', updatedMs: now });
    });
  }

  private async sendReversal(row: HqRequest): Promise<void> {
    const a = await this.d.link.call<ReversalResult>('POST', '/hq/v1/reversals', { activationRequestId: row.id });
    if (a.ok) return void (await this.settle(row.id, 'reversing', { state: 'reversed', outcome: a.value.outcome }));
    // Only a spent card refuses a reversal, and no card is spent before its buyer holds it: reported, kept for the operator.
    await this.settle(row.id, 'reversing', { state: 'reversed', code: a.code });
    this.d.log.error({ requestId: row.id, code: a.code, serial: row.serial }, 'the settlement center refused a reversal');
  }

  /** Moves a row on from `from` if it is still there (another path may have moved it meanwhile). */
  private async settle(id: string, from: RequestState, fields: Partial<HqRequest> & { state: RequestState }): Promise<void> {
    const now = this.d.clock.nowMs();
    await this.d.storage.transact(async (tx) => {
      const cur = await REQUEST_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [id]);
      if (cur?.state === from) await updateState(tx, REQUEST_ROWS, REQUEST_STATES, cur, { ...fields, updatedMs: now });
    });
  }

  /** Forwards until the row is answered or the deadline passes (a wait is never longer than the deadline). */
  private async forwardUntil(id: string, deadlineMs: number): Promise<void> {
    for (;;) {
      const left = deadlineMs - this.d.clock.nowMs();
      if (left <= 0) return;
      let timer: { cancel(): void } | undefined;
      const expired = new Promise<'late'>((resolve) => (timer = this.d.clock.setTimer(left, () => resolve('late'))));
      const r = await Promise.race([this.forward(id).then(() => 'done' as const), expired]);
      timer?.cancel();
      if (r === 'late') return;
      const row = await this.row(id);
      if (row?.state !== 'forwarding') return;
      await this.d.clock.sleep(Math.min(HQ_LIMITS.retryMsMin, Math.max(0, deadlineMs - this.d.clock.nowMs())));
    }
  }

  /** The till's answer once the wait is over: the center's, or (still unanswered) the HQ gives the activation up. */
  private async answerActivation(tid: Buffer, deadlineMs: number): Promise<VoucherResult> {
    const id = hex(tid);
    let row = await this.row(id);
    if (row?.state === 'forwarding' && this.d.clock.nowMs() >= deadlineMs && (await this.giveUp(id))) return this.declined(tid, 'HQ_CENTER_UNREACHABLE');
    row = await this.row(id);
    switch (row?.state) {
      case 'activated':
        return { type: 'voucherResult', transactionId: tid, status: STATUS.APPROVED, resultCode: 0, amountMinor: row.amount, ...(row.expiresMs !== null && { expiresAtMs: row.expiresMs }) };
      case 'refused':
        return this.declined(tid, row.code);
      case 'forwarding':
        return this.declined(tid, 'HQ_PENDING');
      default:
        return this.declined(tid, 'HQ_REVERSED');
    }
  }

  /** forwarding → reversing (the till was or will be told the sale failed); false if the row moved on meanwhile. */
  private async giveUp(id: string): Promise<boolean> {
    const now = this.d.clock.nowMs();
    const moved = await this.d.storage.transact(async (tx) => {
      const cur = await REQUEST_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [id]);
      if (cur?.state !== 'forwarding' || cur.kind !== 'activation') return false;
      await updateState(tx, REQUEST_ROWS, REQUEST_STATES, cur, { state: 'reversing', code: 'HQ_CENTER_UNREACHABLE', updatedMs: now, nextMs: now, attempts: 0 });
      return true;
    });
    if (moved) {
      this.d.log.warn({ requestId: id }, 'activation unanswered by the settlement center within the deadline; the HQ reverses it');
      void this.forward(id);
    }
    return moved;
  }

  /** A refusal of the till itself (unknown store, the lists refuse it), or null. */
  private async refusedTill(terminalId: string): Promise<HqCode | null> {
    if (!this.stores.has(terminalId)) return 'HQ_STORE_UNKNOWN';
    if (!this.d.gate) return null;
    const j = await this.d.gate.check({ terminalId });
    return j.ok ? null : 'HQ_TERMINAL_INVALID';
  }

  private declined(tid: Buffer, code: string): VoucherResult {
    return { type: 'voucherResult', transactionId: tid, status: STATUS.DECLINED, resultCode: voucherWireCode(code) };
  }

  private row(id: string): Promise<HqRequest | undefined> {
    return this.d.storage.read((q) => REQUEST_ROWS.get(q, 'WHERE id = ?', [id]));
  }

  /** YYYY-MM-DD of `ms` in the HQ's business time zone. */
  businessDay(ms: number): string {
    return this.dayOf(ms);
  }
}

async function insert(tx: Tx, r: HqRequest): Promise<void> {
  await tx.run(
    `INSERT INTO hq_requests (id, kind, terminal_id, store_id, serial, amount, currency, original_id, state, code, expires_ms, outcome, business_day, created_ms, updated_ms, attempts, next_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [r.id, r.kind, r.terminalId, r.storeId, r.serial, r.amount, r.currency, r.originalId, r.state, r.code, r.expiresMs, r.outcome, r.businessDay, r.createdMs, r.updatedMs, r.attempts, r.nextMs],
  );
}
