import type { Random } from '../../../core/random.js';
import type {
  MediumValidity,
  TerminalValidity,
  ValidityChange,
  ValiditySource,
} from '../../../center/validity/types.js';

/** One write to the simulated database, for the property oracle. */
export interface HistoryEntry {
  readonly step: number;
  readonly kind: 'medium' | 'terminal';
  readonly id: string;
  readonly record: MediumValidity | TerminalValidity | null;
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
  readonly media = new Map<string, MediumValidity>();
  readonly terminals = new Map<string, TerminalValidity>();
  readonly history: HistoryEntry[] = [];
  step = 0;
  reads = 0;
  failReads = false;
  private version = 0;
  private parked: Parked[] = [];
  private readonly listeners = new Set<(c: ValidityChange) => void>();

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
  validityVersion(): Promise<number> {
    return this.read(() => this.version);
  }
  subscribe(listener: (c: ValidityChange) => void): Promise<() => Promise<void>> {
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

  /** Writes (admin side): applied now, pushed after a random delay. */
  putMedium(record: MediumValidity): void {
    this.media.set(record.id, record);
    this.wrote('medium', record.id, record);
  }
  putTerminal(record: TerminalValidity): void {
    this.terminals.set(record.id, record);
    this.wrote('terminal', record.id, record);
  }
  deleteMedium(id: string): void {
    this.media.delete(id);
    this.wrote('medium', id, null);
  }
  /** Simulates a reconnect: pushes may have been lost. */
  reset(): void {
    this.park(0, () => this.emit({ kind: 'reset' }));
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

  private wrote(kind: 'medium' | 'terminal', id: string, record: MediumValidity | TerminalValidity | null): void {
    const version = ++this.version;
    this.history.push({ step: this.step, kind, id, record });
    this.park(this.random.int(this.maxPushSteps + 1), () => this.emit({ kind, id, version }));
  }

  private emit(change: ValidityChange): void {
    for (const l of this.listeners) l(change);
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
