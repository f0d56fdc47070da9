import { assert } from '../../core/assert.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { ChangeFeed } from './change-feed.js';
import { mediumHi, mediumLo } from './ids.js';
import { expirySecOf, judgeMediumFields, judgeTerminal } from './judge.js';
import { VALIDITY_LIMITS } from './limits.js';
import { loadMedia, loadTerminals } from './load.js';
import { MediaTable } from './media-table.js';
import type { Judgement, MediumValidity, TerminalStatus, TerminalValidity, ValidityPush, ValiditySource } from './types.js';

export interface ValidityStoreOptions {
  readonly source: ValiditySource;
  readonly clock: Clock;
  readonly log: Logger;
  /** Which lists to hold (configuration 1: both; 2: media; 3: terminals). */
  readonly cacheMedia: boolean;
  readonly cacheTerminals: boolean;
  /** Full reload period (the patent's "every fixed time"); 0 disables it. */
  readonly refreshIntervalMs: number;
}

export interface ValidityStoreStats {
  readonly media: number;
  readonly terminals: number;
  readonly mediaTableBytes: number;
  readonly mediaSlots: number;
  /** Highest validity version whose changes are in memory. */
  readonly version: number;
  readonly reloads: number;
  readonly changesApplied: number;
}

/** The lists being filled by a reload; changes read meanwhile go into them too. */
interface Lists {
  readonly media: MediaTable | null;
  readonly terminals: Map<string, TerminalStatus> | null;
}

/**
 * The "validity information store section" (8 in the patent): validity lists
 * prefetched from the database before any request, reloaded periodically,
 * and kept current between reloads by the change feed, read whenever the
 * database side pushes a new version. Lookups are synchronous and allocate
 * nothing.
 */
export class ValidityStore {
  private lists: Lists = { media: null, terminals: null };
  private building: Lists | null = null;
  private readonly feed: ChangeFeed;
  private started = false;
  private stopped = false;
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  private timer: TimerHandle | null = null;
  private unsubscribe: (() => Promise<void>) | null = null;
  private reloads = 0;

  constructor(private readonly opts: ValidityStoreOptions) {
    assert(opts.cacheMedia || opts.cacheTerminals, 'a validity store caches at least one list');
    this.feed = new ChangeFeed({
      source: opts.source,
      media: opts.cacheMedia,
      terminals: opts.cacheTerminals,
      applyMedium: (r) => this.applyMedium(r),
      applyTerminal: (r) => this.applyTerminal(r),
      onError: (e) => {
        opts.log.error({ err: e }, 'validity change feed failed: full reload');
        this.reloadSafely();
      },
    });
  }

  /** Listens first (so nothing committed during the prefetch is missed), then prefetches. */
  async start(): Promise<void> {
    assert(!this.started, 'ValidityStore.start called twice');
    this.started = true;
    this.unsubscribe = await this.opts.source.subscribe((push) => this.onPush(push));
    await this.reload();
    this.armRefresh();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    if (unsubscribe) await unsubscribe();
    await this.settled();
  }

  get cachesMedia(): boolean {
    return this.opts.cacheMedia;
  }
  get cachesTerminals(): boolean {
    return this.opts.cacheTerminals;
  }

  /** Judges a (well-formed) medium id from memory. */
  judgeMedium(id: string, nowMs: number): Judgement {
    const table = this.lists.media;
    if (table === null) throw new TesseraError('VALIDITY_NOT_STARTED', 'media list not loaded');
    const slot = table.find(mediumHi(id), mediumLo(id));
    if (slot < 0) return judgeMediumFields(undefined, 0, nowMs);
    return judgeMediumFields(table.statusAt(slot), table.expirySecAt(slot), nowMs);
  }

  /** Judges a (well-formed) terminal id from memory. */
  judgeTerminal(id: string): Judgement {
    const map = this.lists.terminals;
    if (map === null) throw new TesseraError('VALIDITY_NOT_STARTED', 'terminal list not loaded');
    const status = map.get(id);
    return judgeTerminal(status === undefined ? null : { id, status });
  }

  /** The center's own capture: memory first, so this node refuses the card at once. */
  markCaptured(id: string): void {
    const hi = mediumHi(id);
    const lo = mediumLo(id);
    for (const t of [this.lists.media, this.building?.media ?? null]) {
      const slot = t === null ? -1 : t.find(hi, lo);
      if (t !== null && slot >= 0) t.set(hi, lo, 'captured', t.expirySecAt(slot));
    }
  }

  stats(): ValidityStoreStats {
    const media = this.lists.media;
    return {
      media: media?.size ?? 0,
      terminals: this.lists.terminals?.size ?? 0,
      mediaTableBytes: media?.byteLength ?? 0,
      mediaSlots: media?.capacity ?? 0,
      version: this.feed.version,
      reloads: this.reloads,
      changesApplied: this.feed.applied,
    };
  }

  /** Full reload into fresh lists, swapped in at the end. Concurrent calls share one run. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = this.runReloads().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  /** Resolves when every push received so far has been applied (tests, benchmarks, stop). */
  async settled(): Promise<void> {
    for (let i = 0; i < 4; i++) {
      await this.reloading?.catch(() => undefined);
      await this.feed.idle();
    }
  }

  private async runReloads(): Promise<void> {
    for (let round = 0; round < 3; round++) {
      this.reloadAgain = false;
      await this.reloadOnce();
      if (!this.reloadAgain || this.stopped) return;
    }
  }

  private async reloadOnce(): Promise<void> {
    const { source } = this.opts;
    // Everything committed after this version is re-read from the feed once the pages are in.
    const version = await source.validityVersion();
    const expected = this.opts.cacheMedia ? await source.countMedia() : 0;
    const building: Lists = {
      media: this.opts.cacheMedia ? new MediaTable(Math.ceil((expected * (100 + VALIDITY_LIMITS.tableHeadroomPercent)) / 100)) : null,
      terminals: this.opts.cacheTerminals ? new Map() : null,
    };
    this.building = building;
    try {
      if (building.media) await loadMedia(source, building.media);
      if (building.terminals) await loadTerminals(source, building.terminals);
    } finally {
      this.building = null;
    }
    this.lists = building;
    this.reloads++;
    this.feed.rewind(version);
  }

  private onPush(push: ValidityPush): void {
    if (this.stopped) return;
    if (push.fullReload) {
      this.opts.log.warn({ version: push.version }, 'validity pushes may have been lost: full reload');
      this.reloadSafely();
      return;
    }
    this.feed.poke(push.version);
  }

  private applyMedium(r: MediumValidity): void {
    const hi = mediumHi(r.id);
    const lo = mediumLo(r.id);
    const expirySec = expirySecOf(r.expiresAtMs);
    this.lists.media?.set(hi, lo, r.status, expirySec);
    this.building?.media?.set(hi, lo, r.status, expirySec);
  }

  private applyTerminal(r: TerminalValidity): void {
    for (const map of [this.lists.terminals, this.building?.terminals ?? null]) {
      if (map === null) continue;
      if (map.has(r.id) || map.size < VALIDITY_LIMITS.terminalsMax) map.set(r.id, r.status);
      else this.opts.log.error({ terminalsMax: VALIDITY_LIMITS.terminalsMax }, 'VALIDITY_STORE_FULL: terminal not cached');
    }
  }

  /** Reload in the background; on failure keep the old lists and retry shortly. */
  private reloadSafely(): void {
    if (this.stopped) return;
    this.reload().catch((e: unknown) => {
      this.opts.log.error({ err: e }, 'VALIDITY_LOAD_FAILED: retrying');
      if (!this.stopped) this.opts.clock.setTimer(VALIDITY_LIMITS.reloadRetryMs, () => this.reloadSafely());
    });
  }

  private armRefresh(): void {
    const every = this.opts.refreshIntervalMs;
    if (every <= 0 || this.stopped) return;
    this.timer = this.opts.clock.setTimer(every, () => {
      this.timer = null;
      this.reload()
        .catch((e: unknown) => this.opts.log.error({ err: e }, 'VALIDITY_LOAD_FAILED: periodic refresh'))
        .finally(() => this.armRefresh());
    });
  }
}
