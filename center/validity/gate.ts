/**
 * The center's general gate (seed 001's validity lists applied to every
 * flow, not only to VALIDITY_REQUEST): a flow that touches a medium or a
 * terminal asks `check()` before it acts and refuses with its own coded
 * answer when the judgement is not ok.
 *
 * Judged from the in-memory store (kept current by the change feed) for the
 * lists it caches, from the database otherwise (`direct` mode, or before a
 * center attached its store); an id memory does not know is looked up in the
 * database before it is refused as unknown. An invalid card is marked captured, as the
 * validity flow does, so the next terminal that sees it refuses it too.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { deferredRead } from './deferred.js';
import { isMediumId, isTerminalId } from './ids.js';
import { judgeBoth, judgeMedium, judgeTerminal } from './judge.js';
import { MediumKinds } from './kinds.js';
import { VALIDITY_LIMITS } from './limits.js';
import type { Judgement, NakReason, ValiditySource } from './types.js';
import { VALID } from './types.js';
import type { ValidityStore } from './validity-store.js';

export interface GateQuery {
  /** An IC card's id, 16 lowercase hex chars; absent when the flow touches no medium (a bank cash card is not ours). */
  readonly mediumId?: string;
  /** A medium of another registered kind (voucher serial, prepaid medium, …): judged from the database lists. */
  readonly medium?: { readonly kind: string; readonly id: string };
  readonly terminalId?: string;
}

export interface ValidityGateOptions {
  readonly source: ValiditySource;
  readonly clock: Clock;
  readonly log: Logger;
  /** The center's prefetched store (the validity module passes it). */
  readonly store?: ValidityStore | null;
  readonly readTimeoutMs?: number;
  /** The registered medium kinds (default: IC cards only). */
  readonly kinds?: MediumKinds;
}

export class ValidityGate {
  private store: ValidityStore | null;
  private readonly timeoutMs: number;
  private readonly kinds: MediumKinds;

  constructor(private readonly o: ValidityGateOptions) {
    this.store = o.store ?? null;
    this.timeoutMs = o.readTimeoutMs ?? VALIDITY_LIMITS.deferredCheckTimeoutMsDefault;
    this.kinds = o.kinds ?? new MediumKinds();
  }

  /** Judge from this store's lists from now on (null: the database only). */
  useStore(store: ValidityStore | null): void {
    this.store = store;
  }

  /**
   * Both sides; the medium's refusal takes precedence (it decides the capture). Never throws.
   * `capture: false` only reads (a record of the card, not the card itself, is being judged).
   */
  async check(q: GateQuery, o: { capture?: boolean } = {}): Promise<Judgement> {
    if (q.mediumId !== undefined && !isMediumId(q.mediumId)) return refused('BAD_REQUEST', false);
    if (q.terminalId !== undefined && !isTerminalId(q.terminalId)) return refused('BAD_REQUEST', false);
    if (q.mediumId !== undefined && q.medium !== undefined) return refused('BAD_REQUEST', false);
    if (q.medium !== undefined && !this.kinds.accepts(q.medium.kind, q.medium.id)) return refused('BAD_REQUEST', false);
    const mediumId = q.mediumId ?? q.medium?.id;
    const [medium, terminal] = await Promise.all([
      q.mediumId !== undefined ? this.medium(q.mediumId) : q.medium !== undefined ? this.otherMedium(q.medium.kind, q.medium.id) : VALID,
      q.terminalId === undefined ? VALID : this.terminal(q.terminalId),
    ]);
    const judged = judgeBoth(medium, terminal);
    if (!judged.ok && judged.capture && o.capture !== false && mediumId !== undefined) await this.capture(mediumId, judged.reason);
    return judged;
  }

  // Memory first. "Unknown" from memory is confirmed in the database: a medium or terminal registered a
  // moment ago may not have reached this node's store through the change feed yet.
  private async medium(id: string): Promise<Judgement> {
    const nowMs = this.o.clock.nowMs();
    if (this.store?.cachesMedia) {
      const j = this.store.judgeMedium(id, nowMs);
      if (j.ok || j.reason !== 'MEDIUM_UNKNOWN') return j;
    }
    const r = await deferredRead(() => this.o.source.getMedium(id), this.o.clock, this.timeoutMs);
    return r.ok ? judgeMedium(r.value, nowMs) : refused('UNAVAILABLE', false);
  }

  // A kind the in-memory store does not hold: the database row, which must be of that kind.
  private async otherMedium(kind: string, id: string): Promise<Judgement> {
    const r = await deferredRead(() => this.o.source.getMedium(id), this.o.clock, this.timeoutMs);
    if (!r.ok) return refused('UNAVAILABLE', false);
    return judgeMedium(r.value !== null && r.value.kind === kind ? r.value : null, this.o.clock.nowMs());
  }

  private async terminal(id: string): Promise<Judgement> {
    if (this.store?.cachesTerminals) {
      const j = this.store.judgeTerminal(id);
      if (j.ok || j.reason !== 'TERMINAL_UNKNOWN') return j;
    }
    const r = await deferredRead(() => this.o.source.getTerminal(id), this.o.clock, this.timeoutMs);
    return r.ok ? judgeTerminal(r.value) : refused('UNAVAILABLE', false);
  }

  private async capture(mediumId: string, reason: NakReason): Promise<void> {
    if (reason === 'MEDIUM_CAPTURED') return;
    this.store?.markCaptured(mediumId);
    try {
      await this.o.source.captureMedium(mediumId);
    } catch (e) {
      this.o.log.error({ err: e, reason }, 'capture could not be recorded in the database');
    }
  }
}

function refused(reason: NakReason, capture: boolean): Judgement {
  return { ok: false, reason, capture };
}
