/**
 * Settlement of a member shop's offline records (seed 004, terminal side).
 * The operator's `settle` command sends every unsettled record in a
 * SETTLE_REQUEST; the center answers AWAIT_CALLBACK (the terminal "hangs
 * up"), dials the callback listener, challenges the terminal, and sends the
 * SETTLEMENT_INSTRUCTION: the provider's account at the shop's bank, its
 * security code (sealed), the total and a verdict per record. The terminal
 * erases exactly the accepted records it still holds, keeps the rejected
 * ones aside (journal purchases_aside, with the verdict) for the operator,
 * and acknowledges. The center then makes the bank-POS transfer itself (the
 * protocol has no terminal→relay message; center/emoney/README.md).
 *
 * A SETTLE_REQUEST the center does not take now is answered SETTLE_REFUSED
 * with its e-money code (EMONEY_TERMINAL_INVALID for a blocked shop,
 * EMONEY_BUSY, EMONEY_VALIDITY_UNAVAILABLE...): the outcome is `refused`
 * with that code, and every record stays in the journal for a later settle.
 *
 * The command runs in the agent's work queue and waits; the instruction
 * arrives on the callback session, outside the queue, and completes it. An
 * instruction that comes after the terminal stopped waiting is refused
 * (TERM_SETTLE_TIMEOUT): nothing is erased, and the center re-sends the
 * same instruction on the next settle (its batch resumes), so a settle
 * outcome never hides an erasure.
 */
import type { TimerHandle } from '../../../../../core/clock.js';
import { isTesseraError } from '../../../../../core/errors.js';
import { safeEqual } from '../../../../../protocol/crypto/mac.js';
import { nameOf, RECORD_STATUS, TAG } from '../../../../../protocol/codes.js';
import type { PurchaseRecord, RecordResult, SettlementAck, SettlementInstruction } from '../../../../../protocol/messages/types.js';
import type { SessionSealer } from '../../../../../protocol/session/sealer.js';
import type { AsideReason, JournalRecordKey, StoredPurchase } from '../../../../journal/types.js';
import { termError } from '../../../errors.js';
import type { FlowOutcome, RoleContext } from '../../../role.js';
import { resultCodeName } from '../provider-kiosk/result-codes.js';
import { writeSettlementReceipt } from './receipt.js';

/** The `settle` outcome's details, as the handled instruction left them. */
export type SettlementDetails = ReturnType<typeof apply>['details'];

interface Awaiting {
  readonly token: Buffer;
  readonly timer: TimerHandle;
  resolve(details: SettlementDetails): void;
  reject(e: unknown): void;
}

export class ShopSettlement {
  private awaiting: Awaiting | null = null;

  /** @param maxWaitMs caps the center's callback wait (roleSettings.settleWaitMs). */
  constructor(private readonly maxWaitMs: number | undefined) {}

  /** `unsettled`: what the journal holds for settlement, and what is set aside or in doubt. */
  unsettled(ctx: RoleContext): FlowOutcome {
    const records = ctx.journal.listUnsettled();
    const details = {
      count: records.length,
      totalMinor: records.reduce((s, r) => s + r.amountMinor, 0),
      asideCount: ctx.journal.listAside().length,
      inDoubtCount: ctx.journal.listDebitsInDoubt().length,
    };
    return { result: 'done', code: null, details };
  }

  /**
   * `settle`: resolves once the instruction was handled, or TERM_SETTLE_TIMEOUT with nothing erased.
   * A handled settlement leaves a receipt on the removable store when a medium is in (receipt.ts);
   * details.receipt is its file name, or null.
   */
  async settle(ctx: RoleContext): Promise<FlowOutcome> {
    const callback = ctx.callback;
    if (!callback || ctx.callbackPort === null) throw termError('TERM_CONFIG_INVALID', 'settling needs a callback address (config.callback)', { problems: ['callback: required for settlement'] });
    const records = ctx.journal.listUnsettled().map(toWire);
    const res = await ctx.link.request({ type: 'settleRequest', terminalId: ctx.terminalId, records }, { onFailure: 'TERM_SETTLE_FAILED' });
    // Not taken now (shop blocked, center busy, lists unavailable...): nothing was opened and nothing is
    // erased; the records stay in the journal for the next settle.
    if (res.type === 'settleRefused') return refusedOutcome(ctx, res.resultCode, records.length);
    if (res.type !== 'awaitCallback') throw termError('TERM_SETTLE_FAILED', `the center answered ${res.type} to the settle request`, { type: res.type });
    const waitMs = Math.min(res.waitMs, this.maxWaitMs ?? res.waitMs);
    // The listener accepts the center's call only for this token, and only as long as we wait. Both
    // happen in this tick: no instruction can arrive before the waiter exists.
    callback.expect(res.token, waitMs);
    const handled = this.await(ctx, res.token, waitMs);
    ctx.log.info({ records: records.length, waitMs }, 'settle requested, awaiting the callback');
    const details = await handled;
    // The instruction is handled and its acknowledgement on its way: the receipt never delays or fails the settlement.
    const receipt = await writeSettlementReceipt(ctx, details);
    return { result: 'done', code: null, details: { ...details, receipt } };
  }

  private await(ctx: RoleContext, token: Buffer, waitMs: number): Promise<SettlementDetails> {
    if (this.awaiting) this.finish(this.awaiting).reject(termError('TERM_SETTLE_TIMEOUT', 'superseded by a new settle'));
    return new Promise((resolve, reject) => {
      const timer = ctx.clock.setTimer(waitMs, () => {
        if (this.awaiting?.token !== token) return;
        this.awaiting = null;
        reject(termError('TERM_SETTLE_TIMEOUT', 'the center did not call back in time; nothing was erased', { waitMs }));
      });
      this.awaiting = { token, timer, resolve, reject };
    });
  }

  /** The SETTLEMENT_INSTRUCTION on the callback session. Throws (nothing erased) if no settle awaits it. */
  async onInstruction(ctx: RoleContext, msg: SettlementInstruction, session: { sealer: SessionSealer; token: Buffer }): Promise<SettlementAck> {
    const w = this.awaiting;
    if (!w || !safeEqual(w.token, session.token)) throw termError('TERM_SETTLE_TIMEOUT', 'a settlement instruction no settle awaits; refused, nothing erased');
    try {
      checkSecurityCode(session.sealer, msg.securityCode);
      const { ack, details } = apply(ctx, msg);
      this.finish(w).resolve(details);
      ctx.log.info({ settledCount: details.settledCount, totalMinor: msg.totalMinor, rejected: details.rejected.length }, 'settlement instruction handled');
      return ack;
    } catch (e) {
      this.finish(w).reject(e);
      throw e;
    }
  }

  private finish(w: Awaiting): Awaiting {
    w.timer.cancel();
    if (this.awaiting === w) this.awaiting = null;
    return w;
  }
}

/** SETTLE_REFUSED as the command's outcome: `refused` with the center's code (0, or a number this build does not name: TERM_SETTLE_FAILED). */
function refusedOutcome(ctx: RoleContext, resultCode: number, count: number): FlowOutcome {
  const code = (resultCode !== 0 && resultCodeName(resultCode)) || 'TERM_SETTLE_FAILED';
  const remainingCount = ctx.journal.listUnsettled().length;
  ctx.log.warn({ code, resultCode, records: count }, 'settle refused by the center; nothing erased');
  return { result: 'refused', code, details: { resultCode, remainingCount } };
}

/**
 * The security code of the provider's account comes sealed for this session.
 * The center makes the transfer, so the terminal only proves it can open it
 * (a code that does not open means tampering: refuse, nothing erased) and
 * wipes it; it is never logged, journalled or put in an outcome.
 */
function checkSecurityCode(sealer: SessionSealer, sealed: Buffer): void {
  let code: Buffer;
  try {
    code = sealer.open(TAG.SECURITY_CODE, sealed);
  } catch (e) {
    throw termError('TERM_SETTLE_FAILED', 'the security code in the instruction did not open', { protocolCode: isTesseraError(e) ? e.code : 'UNCODED' });
  }
  code.fill(0);
}

/** Erases the accepted records still held and sets the rejected ones aside. A re-sent instruction finds fewer held: idempotent. */
function apply(ctx: RoleContext, msg: SettlementInstruction) {
  const held = new Map(ctx.journal.listUnsettled().map((r) => [keyOf(r), r]));
  const accepted = msg.results.filter((r) => r.status === RECORD_STATUS.ACCEPTED);
  const rejected = msg.results.filter((r) => r.status !== RECORD_STATUS.ACCEPTED);
  const erase = accepted.map(toKey).filter((k) => held.has(keyOf(k)));
  const aside = rejected.map((r) => ({ ...toKey(r), reason: nameOf(RECORD_STATUS, r.status) as AsideReason })).filter((k) => held.has(keyOf(k)));
  ctx.journal.settleAndErase(erase);
  // A crash between the two steps leaves the rejected records unsettled: the re-sent instruction sets them aside.
  ctx.journal.setAside(aside);
  const details = {
    settledCount: accepted.length,
    settledMinor: erase.reduce((s, k) => s + held.get(keyOf(k))!.amountMinor, 0),
    totalMinor: msg.totalMinor,
    currency: msg.currency,
    rejected: rejected.map((r) => ({ ...toKey(r), status: nameOf(RECORD_STATUS, r.status) })),
    providerAccount: { bankCode: msg.bankCode, branchCode: msg.branchCode, accountNumber: msg.accountNumber },
    remainingCount: ctx.journal.listUnsettled().length,
  };
  // Every accepted record is gone from the journal now (erased here or by an earlier delivery).
  const ack: SettlementAck = { type: 'settlementAck', erased: accepted.map((r) => ({ mediumId: r.mediumId, cardCounter: r.cardCounter })) };
  return { ack, details };
}

function toWire(r: StoredPurchase): PurchaseRecord {
  return { mediumId: Buffer.from(r.mediumId, 'hex'), cardCounter: r.cardCounter, amountMinor: r.amountMinor, currency: r.currency, terminalId: r.terminalId, terminalNonce: r.terminalNonce, cardMac: r.cardMac };
}

function toKey(r: RecordResult): JournalRecordKey {
  return { mediumId: r.mediumId.toString('hex'), cardCounter: r.cardCounter };
}

function keyOf(k: JournalRecordKey): string {
  return `${k.mediumId}/${k.cardCounter}`;
}
