import { assert } from '../../core/assert.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { mediumHi, mediumLo } from './ids.js';
import { expirySecOf, judgeMediumFields, judgeTerminal } from './judge.js';
import { ValidityLimits } from './limits.js';
import { loadMedia, loadTerminals } from './load.js';
import { MediaTable } from './media-table.js';
import type { Judgement, MediumValidity, TerminalStatus, TerminalValidity, ValidityChange, ValiditySource } from './types.js';

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
  readonly version: number;
  readonly reloads: number;
  readonly changesApplied: number;
}

/** Bounds one drain call; a longer backlog continues in a fresh call. */
const DRAIN_ROUNDS_MAX = 1_000;

interface Building {
  readonly media: MediaTable | null;
  readonly terminals: Map<string, TerminalStatus> | null;
}

/**
 * The "validity information store section" (8 in the patent): validity lists
 * prefetched from the database before any request, refreshed periodically,
 * and updated on push. Lookups are synchronous and allocate nothing.
 */
export class ValidityStore {
  private media: MediaTable | null = null;
  private terminals: Map<string, TerminalStatus> | null = null;
  private building: Building | null = null;
  private version = 0;
  private started = false;
  private stopped = false;
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  private readonly changedDuringReload = new Set<string>();
  private readonly pendingKeys = new Set<string>();
  private draining: Promise<void> | null = null;
  private timer: TimerHandle | null = null;
  private unsubscribe: (() => Promise<void>) | null = null;
  private reloads = 0;
  private changesApplied = 0;

  constructor(private readonly opts: ValidityStoreOptions) {
    assert(opts.cacheMedia || opts.cacheTerminals, 'a validity store caches at least one list');
  }

  /** Subscribes first (so nothing committed during the load is missed), then prefetches. */
  async start(): Promise<void> {
    assert(!this.started, 'ValidityStore.start called twice');
    this.unsubscribe = await this.opts.source.subscribe((change) => this.onChange(change));
    await this.reload();
    this.started = true;
    this.armRefresh();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    if (unsubscribe) await unsubscribe();
    await this.reloading;
    await this.draining;
  }

  get cachesMedia(): boolean {
    return this.opts.cacheMedia;
  }
  get cachesTerminals(): boolean {
    return this.opts.cacheTerminals;
  }

  /** Judges a (well-formed) medium id from memory. */
  judgeMedium(id: string, nowMs: number): Judgement {
    const table = this.media;
    if (table === null) throw new TesseraError('VALIDITY_NOT_STARTED', 'media list not loaded');
    const slot = table.find(mediumHi(id), mediumLo(id));
    if (slot < 0) return judgeMediumFields(undefined, 0, nowMs);
    return judgeMediumFields(table.statusAt(slot), table.expirySecAt(slot), nowMs);
  }

  /** Judges a (well-formed) terminal id from memory. */
  judgeTerminal(id: string): Judgement {
    const map = this.terminals;
    if (map === null) throw new TesseraError('VALIDITY_NOT_STARTED', 'terminal list not loaded');
    const status = map.get(id);
    return judgeTerminal(status === undefined ? null : { id, status });
  }

  /** The center's own capture: memory first, so this node refuses the card at once. */
  markCaptured(id: string): void {
    const table = this.media;
    if (table === null) return;
    const hi = mediumHi(id);
    const lo = mediumLo(id);
    for (const t of [table, this.building?.media ?? null]) {
      const slot = t?.find(hi, lo) ?? -1;
      if (slot >= 0) t?.set(hi, lo, 'captured', t.expirySecAt(slot));
    }
  }

  stats(): ValidityStoreStats {
    return {
      media: this.media?.size ?? 0,
      terminals: this.terminals?.size ?? 0,
      mediaTableBytes: this.media?.byteLength ?? 0,
      mediaSlots: this.media?.capacity ?? 0,
      version: this.version,
      reloads: this.reloads,
      changesApplied: this.changesApplied,
    };
  }

  /** Full reload into fresh structures, swapped in at the end; changes seen meanwhile are re-read after. */
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

  /** Resolves when every change pushed so far has been applied (tests, benchmarks). */
  async settled(): Promise<void> {
    for (let i = 0; i < 4; i++) {
      await this.reloading;
      await this.draining;
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
    this.changedDuringReload.clear();
    const version = await source.validityVersion();
    const building: Building = {
      media: this.opts.cacheMedia ? new MediaTable(this.media?.size ?? 0) : null,
      terminals: this.opts.cacheTerminals ? new Map() : null,
    };
    // Changes read while the pages load go into the new lists too (see applyMedium).
    this.building = building;
    try {
      if (building.media) await loadMedia(source, building.media);
      if (building.terminals) await loadTerminals(source, building.terminals);
    } finally {
      this.building = null;
    }
    this.media = building.media;
    this.terminals = building.terminals;
    this.version = Math.max(this.version, version);
    this.reloads++;
    // A page read on another connection may be older than a change read meanwhile: read those again.
    for (const key of this.changedDuringReload) this.enqueue(key);
    this.changedDuringReload.clear();
  }

  private onChange(change: ValidityChange): void {
    if (this.stopped) return;
    if (change.kind === 'reset') {
      this.opts.log.warn('validity push reset: full reload');
      this.reloadSafely();
      return;
    }
    if (change.kind === 'medium' && !this.opts.cacheMedia) return;
    if (change.kind === 'terminal' && !this.opts.cacheTerminals) return;
    const key = `${change.kind === 'medium' ? 'm' : 't'}:${change.id}`;
    if (this.reloading) {
      if (this.changedDuringReload.size >= ValidityLimits.changesBufferedMax) this.reloadAgain = true;
      else this.changedDuringReload.add(key);
    }
    this.version = Math.max(this.version, change.version);
    this.enqueue(key);
  }

  /** Queues a re-read of one id. An id already waiting is read once, later, so it sees this change too. */
  private enqueue(key: string): void {
    this.pendingKeys.add(key);
    if (this.draining === null) this.draining = this.drain();
  }

  /**
   * Reads waiting ids in batches: the ids of one batch are distinct and read
   * in parallel; batches run one after another, so two reads of the same id
   * are applied in the order they were made.
   */
  private async drain(): Promise<void> {
    try {
      await Promise.resolve();
      for (let round = 0; this.pendingKeys.size > 0 && round < DRAIN_ROUNDS_MAX; round++) {
        const batch = [...this.pendingKeys].slice(0, ValidityLimits.changeBatchMax);
        for (const key of batch) this.pendingKeys.delete(key);
        await Promise.all(batch.map((key) => this.applyKey(key)));
      }
    } finally {
      this.draining = null;
    }
    if (this.pendingKeys.size > 0 && !this.stopped) this.draining = this.drain();
  }

  /** Reads the current record of one changed id and writes it into memory (never throws). */
  private async applyKey(key: string): Promise<void> {
    const id = key.slice(2);
    try {
      if (key.startsWith('m:')) this.applyMedium(id, await this.opts.source.getMedium(id));
      else this.applyTerminal(id, await this.opts.source.getTerminal(id));
      this.changesApplied++;
    } catch (e) {
      this.opts.log.error({ err: e, kind: key[0] }, 'validity change could not be read: full reload');
      this.reloadSafely();
    }
  }

  private applyMedium(id: string, record: MediumValidity | null): void {
    for (const table of [this.media, this.building?.media ?? null]) {
      if (table === null) continue;
      if (record === null) table.delete(mediumHi(id), mediumLo(id));
      else table.set(mediumHi(id), mediumLo(id), record.status, expirySecOf(record.expiresAtMs));
    }
  }

  private applyTerminal(id: string, record: TerminalValidity | null): void {
    for (const map of [this.terminals, this.building?.terminals ?? null]) {
      if (map === null) continue;
      if (record === null) map.delete(id);
      else if (map.has(id) || map.size < ValidityLimits.terminalsMax) map.set(id, record.status);
      else this.opts.log.error({ terminalsMax: ValidityLimits.terminalsMax }, 'VALIDITY_STORE_FULL: terminal not cached');
    }
  }

  /** Reload in the background; on failure keep the old lists and retry shortly. */
  private reloadSafely(): void {
    if (this.stopped) return;
    this.reload().catch((e: unknown) => {
      this.opts.log.error({ err: e }, 'VALIDITY_LOAD_FAILED: retrying');
      if (!this.stopped) this.opts.clock.setTimer(ValidityLimits.reloadRetryMs, () => this.reloadSafely());
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
