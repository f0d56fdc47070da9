import { assert, unreachable } from '../../core/assert.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { deferredRead, type Settled } from './deferred.js';
import { isMediumId, isTerminalId } from './ids.js';
import { judgeBoth, judgeMedium, judgeTerminal } from './judge.js';
import { VALIDITY_LIMITS } from './limits.js';
import type { ValidityStore } from './validity-store.js';
import type { Judgement, MediumValidity, NakReason, TerminalValidity, ValidityMode, ValiditySource } from './types.js';
import { VALID } from './types.js';

export interface ValidityRequest {
  readonly mediumId: string;
  readonly terminalId: string;
}

/** Refused: send NAK with the reason (and the capture instruction) and end the session. */
export interface Refusal {
  readonly kind: 'nak';
  readonly reason: NakReason;
  readonly capture: boolean;
}

/**
 * Accepted for now: send ACK (`ack`: everything checked) or EARLY_ACK (one side
 * checked, the other still being read from the database). When the terminal's
 * transaction arrives, `confirm()` gives the final word: the transaction runs
 * only if it answers ok; otherwise NAK (with capture) and abort.
 */
export interface Admission {
  readonly kind: 'ack' | 'early-ack';
  confirm(): Promise<Judgement>;
}

export type AdmitResult = Refusal | Admission;

export interface ValidityEngineOptions {
  readonly mode: ValidityMode;
  readonly source: ValiditySource;
  /** Required by every mode but `direct`; must cache the list(s) the mode reads from memory. */
  readonly store: ValidityStore | null;
  readonly clock: Clock;
  readonly log: Logger;
  readonly deferredCheckTimeoutMs?: number;
}

/**
 * The validity information judging section (9 in the patent), in the four
 * modes: `direct` (prior art), `cached` (configuration 1), `cached-medium`
 * (configuration 2) and `cached-terminal` (configuration 3).
 */
export class ValidityEngine {
  readonly mode: ValidityMode;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ValidityEngineOptions) {
    this.mode = opts.mode;
    this.timeoutMs = opts.deferredCheckTimeoutMs ?? VALIDITY_LIMITS.deferredCheckTimeoutMsDefault;
    const s = opts.store;
    if (opts.mode === 'cached') assert(s?.cachesMedia && s.cachesTerminals, 'cached mode needs both lists in memory');
    if (opts.mode === 'cached-medium') assert(s?.cachesMedia, 'cached-medium mode needs the media list');
    if (opts.mode === 'cached-terminal') assert(s?.cachesTerminals, 'cached-terminal mode needs the terminal list');
  }

  /** Judges a validity request; never throws for bad input or a failing database. */
  async admit(req: ValidityRequest): Promise<AdmitResult> {
    if (!isMediumId(req.mediumId) || !isTerminalId(req.terminalId)) return refusal('BAD_REQUEST', false);
    switch (this.mode) {
      case 'direct':
        return this.admitDirect(req);
      case 'cached':
        return this.admitCached(req);
      case 'cached-medium':
        return this.admitCachedMedium(req);
      case 'cached-terminal':
        return this.admitCachedTerminal(req);
      default:
        return unreachable(this.mode);
    }
  }

  /** Prior art: both lists read from the database (in parallel), then ACK or NAK. */
  private async admitDirect(req: ValidityRequest): Promise<AdmitResult> {
    const { source, clock } = this.opts;
    const [medium, terminal] = await Promise.all([
      deferredRead(() => source.getMedium(req.mediumId), clock, this.timeoutMs),
      deferredRead(() => source.getTerminal(req.terminalId), clock, this.timeoutMs),
    ]);
    const judged = this.judgeRead(medium, terminal);
    if (!judged.ok) return this.refuse(req, judged);
    // Re-judging the records already read costs nothing and catches an expiry passed meanwhile.
    return admission('ack', () => this.finish(req, this.judgeRead(medium, terminal)));
  }

  /** Configuration 1: both from memory, then ACK or NAK. */
  private admitCached(req: ValidityRequest): Promise<AdmitResult> {
    const judged = this.judgeFromMemory(req);
    if (!judged.ok) return this.refuse(req, judged);
    return Promise.resolve(admission('ack', () => this.finish(req, this.judgeFromMemory(req))));
  }

  /** Configuration 2: medium from memory decides the early ACK; the terminal is read meanwhile. */
  private admitCachedMedium(req: ValidityRequest): Promise<AdmitResult> {
    const store = this.storeOf();
    const medium = store.judgeMedium(req.mediumId, this.opts.clock.nowMs());
    if (!medium.ok) return this.refuse(req, medium);
    const { source, clock } = this.opts;
    const terminal = deferredRead(() => source.getTerminal(req.terminalId), clock, this.timeoutMs);
    return Promise.resolve(
      admission('early-ack', async () => {
        const t = await terminal;
        const m = store.judgeMedium(req.mediumId, clock.nowMs());
        return this.finish(req, judgeBoth(m, t.ok ? judgeTerminal(t.value) : unavailable()));
      }),
    );
  }

  /** Configuration 3: terminal from memory decides the early ACK; the medium is read meanwhile. */
  private admitCachedTerminal(req: ValidityRequest): Promise<AdmitResult> {
    const store = this.storeOf();
    const terminal = store.judgeTerminal(req.terminalId);
    if (!terminal.ok) return this.refuse(req, terminal);
    const { source, clock } = this.opts;
    const medium = deferredRead(() => source.getMedium(req.mediumId), clock, this.timeoutMs);
    return Promise.resolve(
      admission('early-ack', async () => {
        const m = await medium;
        const t = store.judgeTerminal(req.terminalId);
        return this.finish(req, judgeBoth(m.ok ? judgeMedium(m.value, clock.nowMs()) : unavailable(), t));
      }),
    );
  }

  private judgeFromMemory(req: ValidityRequest): Judgement {
    const store = this.storeOf();
    const medium = store.judgeMedium(req.mediumId, this.opts.clock.nowMs());
    return medium.ok ? store.judgeTerminal(req.terminalId) : medium;
  }

  private judgeRead(medium: Settled<MediumValidity | null>, terminal: Settled<TerminalValidity | null>): Judgement {
    const m = medium.ok ? judgeMedium(medium.value, this.opts.clock.nowMs()) : unavailable();
    const t = terminal.ok ? judgeTerminal(terminal.value) : unavailable();
    return judgeBoth(m, t);
  }

  private async refuse(req: ValidityRequest, judged: Judgement & { ok: false }): Promise<Refusal> {
    if (judged.capture) await this.capture(req.mediumId, judged.reason);
    return refusal(judged.reason, judged.capture);
  }

  /** Final judgement at transaction time; an invalid card is captured before the NAK goes out. */
  private async finish(req: ValidityRequest, judged: Judgement): Promise<Judgement> {
    if (!judged.ok && judged.capture) await this.capture(req.mediumId, judged.reason);
    return judged;
  }

  /** Marks the medium captured: in memory at once, then in the database (a failure is logged, not fatal). */
  private async capture(mediumId: string, reason: NakReason): Promise<void> {
    if (reason === 'MEDIUM_CAPTURED') return;
    this.opts.store?.markCaptured(mediumId);
    try {
      await this.opts.source.captureMedium(mediumId);
    } catch (e) {
      this.opts.log.error({ err: e, reason }, 'capture could not be recorded in the database');
    }
  }

  private storeOf(): ValidityStore {
    const store = this.opts.store;
    assert(store !== null, `mode ${this.mode} needs a validity store`);
    return store;
  }
}

function refusal(reason: NakReason, capture: boolean): Refusal {
  return { kind: 'nak', reason, capture };
}

function unavailable(): Judgement {
  return { ok: false, reason: 'UNAVAILABLE', capture: false };
}

/** An admission whose confirm may be called once. */
function admission(kind: 'ack' | 'early-ack', confirm: () => Promise<Judgement>): Admission {
  let used = false;
  return {
    kind,
    confirm: () => {
      assert(!used, 'confirm called twice for one admission');
      used = true;
      return confirm();
    },
  };
}

