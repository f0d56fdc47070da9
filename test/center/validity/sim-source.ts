import type { Random } from '../../../core/random.js';
import type {
  ChangeCursor,
  MediumValidity,
  TerminalValidity,
  ValidityPush,
  ValiditySource,
  Versioned,
} from '../../../center/validity/types.js';

/** One write to the simulated database, for the property oracle. */
export interface HistoryEntry {
  readonly step: number;
  readonly kind: 'medium' | 'terminal';
  readonly id: string;
  readonly record: MediumValidity | TerminalValidity;
}

interface Parked {
  readonly due: number;
  readonly fire: () => void;
}

/**
 * Unit-test double of the database side for the validity engine: every read
 * and every push is parked until the test releases it at a chosen step, and
 * reads the state at release time (when a real database would answer).
 */
export class SimSource implements ValiditySource {
  readonly media = new Map<string, Versioned<MediumValidity>>();
  readonly terminals = new Map<string, Versioned<TerminalValidity>>();
  readonly history: HistoryEntry[] = [];
  step = 0;
  reads = 0;
  failReads = false;
  private version = 0;
  private outage = false;
  private parked: Parked[] = [];
  private readonly listeners = new Set<(p: ValidityPush) => void>();

  constructor(
    private readonly random: Random,
    private readonly maxLatencySteps: number,
    private readonly maxPushSteps: number,
  ) {}

  getMedium(id: string): Promise<MediumValidity | null> {
    return this.read(() => this.media.get(id) ?? null);
  }
  getTerminal(id: string): Promise<TerminalValidity | null> {
    return this.read(() => this.terminals.get(id) ?? null);
  }
  listMedia(afterId: string | null, limit: number): Promise<readonly MediumValidity[]> {
    return this.read(() => page(this.media, afterId, limit));
  }
  listTerminals(afterId: string | null, limit: number): Promise<readonly TerminalValidity[]> {
    return this.read(() => page(this.terminals, afterId, limit));
  }
  listMediaChangedSince(after: ChangeCursor, limit: number): Promise<readonly Versioned<MediumValidity>[]> {
    return this.read(() => changedSince(this.media, after, limit));
  }
  listTerminalsChangedSince(after: ChangeCursor, limit: number): Promise<readonly Versioned<TerminalValidity>[]> {
    return this.read(() => changedSince(this.terminals, after, limit));
  }
  countMedia(): Promise<number> {
    return this.read(() => this.media.size);
  }
  validityVersion(): Promise<number> {
    return this.read(() => this.version);
  }
  subscribe(listener: (p: ValidityPush) => void): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    return Promise.resolve(async () => {
      this.listeners.delete(listener);
    });
  }
  captureMedium(id: string): Promise<void> {
    return this.read(() => {
      const m = this.media.get(id);
      if (m && m.status !== 'captured') this.putMedium({ ...m, status: 'captured' });
    });
  }

  /** Writes (admin side): committed now (version bumped), pushed after a random delay. */
  putMedium(record: MediumValidity): void {
    const version = ++this.version;
    this.media.set(record.id, { ...record, version });
    this.wrote('medium', record.id, record, version);
  }
  putTerminal(record: TerminalValidity): void {
    const version = ++this.version;
    this.terminals.set(record.id, { ...record, version });
    this.wrote('terminal', record.id, record, version);
  }
  /** The listening connection drops: commits from now on are not pushed. */
  beginOutage(): void {
    this.outage = true;
  }
  /** It is back: the listener is told pushes may have been lost (full reload). */
  endOutage(): void {
    this.outage = false;
    this.park(0, () => this.emit({ version: this.version, fullReload: true }));
  }

  /** Fires everything due at or before the current step; returns how many fired. */
  release(): number {
    const due = this.parked.filter((p) => p.due <= this.step);
    this.parked = this.parked.filter((p) => p.due > this.step);
    for (const p of due) p.fire();
    return due.length;
  }

  get idle(): boolean {
    return this.parked.length === 0;
  }

  private wrote(kind: 'medium' | 'terminal', id: string, record: MediumValidity | TerminalValidity, version: number): void {
    this.history.push({ step: this.step, kind, id, record });
    if (this.outage) return;
    this.park(this.random.int(this.maxPushSteps + 1), () => this.emit({ version, fullReload: false }));
  }

  private emit(push: ValidityPush): void {
    for (const l of this.listeners) l(push);
  }

  private read<T>(answer: () => T): Promise<T> {
    this.reads++;
    return new Promise((resolve, reject) => {
      this.park(this.random.int(this.maxLatencySteps + 1), () => {
        if (this.failReads) reject(Object.assign(new Error('db down'), { code: 'STORAGE_UNAVAILABLE' }));
        else resolve(answer());
      });
    });
  }

  private park(delaySteps: number, fire: () => void): void {
    this.parked.push({ due: this.step + delaySteps, fire });
  }
}

function changedSince<T extends { id: string; version: number }>(map: Map<string, T>, after: ChangeCursor, limit: number): T[] {
  return [...map.values()]
    .filter((r) => r.version > after.version || (r.version === after.version && after.id !== null && r.id > after.id))
    .sort((a, b) => a.version - b.version || (a.id < b.id ? -1 : 1))
    .slice(0, limit);
}

function page<T extends { id: string }>(map: Map<string, T>, afterId: string | null, limit: number): T[] {
  return [...map.values()]
    .filter((r) => afterId === null || r.id > afterId)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .slice(0, limit);
}

/** Lets every pending microtask run (the engine's awaits). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
