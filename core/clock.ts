/**
 * Injected time. Protocol, device and ledger code never call Date.now() or
 * setTimeout directly, so the simulator can drive time and tests can be
 * reproduced.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch (for timestamps stored or sent). */
  nowMs(): number;
  /** Monotonic milliseconds with sub-ms precision (for durations and timeouts). */
  monoMs(): number;
  /** Calls fn once after delayMs of this clock's time. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  /** Resolves after delayMs of this clock's time. */
  sleep(delayMs: number): Promise<void>;
}

export class SystemClock implements Clock {
  nowMs(): number {
    return Date.now();
  }
  monoMs(): number {
    return performance.now();
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, delayMs);
    // Timers must never keep a process alive on their own (a closed agent exits).
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

export const systemClock: Clock = new SystemClock();

interface PendingTimer {
  atMs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told to; timers fire in (time, creation) order. */
export class ManualClock implements Clock {
  private mono: number;
  private readonly wallOffsetMs: number;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(startWallMs = 1_700_000_000_000) {
    this.mono = 0;
    this.wallOffsetMs = startWallMs;
  }

  nowMs(): number {
    return Math.floor(this.wallOffsetMs + this.mono);
  }
  monoMs(): number {
    return this.mono;
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: PendingTimer = { atMs: this.mono + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(delayMs, resolve));
  }
  /** Advances time by deltaMs, firing due timers in order. */
  advance(deltaMs: number): void {
    const target = this.mono + deltaMs;
    for (;;) {
      const due = this.timers
        .filter((t) => !t.cancelled && t.atMs <= target)
        .sort((a, b) => a.atMs - b.atMs || a.seq - b.seq)[0];
      if (!due) break;
      this.mono = Math.max(this.mono, due.atMs);
      due.cancelled = true;
      due.fn();
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.mono = target;
  }
}
