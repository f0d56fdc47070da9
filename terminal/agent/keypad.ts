import type { Clock, TimerHandle } from '../../core/clock.js';
import { AGENT_LIMITS } from '../limits.js';
import { termError } from './errors.js';

/** What the terminal asks the person at it for. PINs are read through here and never logged. */
export type KeypadPrompt = 'amount' | 'pin' | 'confirm' | 'account' | 'menu';

/**
 * The person at the terminal: amounts, PINs, confirmations. A real terminal
 * wires its PIN pad here; the simulator and tests script the entries.
 * read() rejects with TERM_INPUT_TIMEOUT when nothing comes in time.
 */
export interface Keypad {
  read(prompt: KeypadPrompt, opts?: { readonly timeoutMs?: number }): Promise<string>;
}

interface Waiter {
  prompt: KeypadPrompt;
  resolve(v: string): void;
  timer: TimerHandle;
}

/**
 * A keypad fed by a script: entries are queued per prompt (`push('pin', '1234')`)
 * and handed out in order. Bounded: past keypadQueueMax unread entries push()
 * throws TERM_KEYPAD_FULL and the entry is dropped.
 */
export class ScriptedKeypad implements Keypad {
  private readonly queued: Array<{ prompt: KeypadPrompt; value: string }> = [];
  private waiters: Waiter[] = [];

  constructor(private readonly clock: Clock) {}

  push(prompt: KeypadPrompt, value: string): void {
    const w = this.waiters.find((x) => x.prompt === prompt);
    if (w) {
      this.waiters = this.waiters.filter((x) => x !== w);
      w.timer.cancel();
      w.resolve(value);
      return;
    }
    // Outside input (stdin control lines): a full queue is a coded refusal, never an assertion.
    if (this.queued.length >= AGENT_LIMITS.keypadQueueMax) {
      throw termError('TERM_KEYPAD_FULL', 'keypad entry refused: too many entries wait unread', { prompt, queued: this.queued.length });
    }
    this.queued.push({ prompt, value });
  }

  /** Entries not yet read (tests check a flow consumed what it should). */
  get pending(): number {
    return this.queued.length;
  }

  read(prompt: KeypadPrompt, opts: { readonly timeoutMs?: number } = {}): Promise<string> {
    const i = this.queued.findIndex((q) => q.prompt === prompt);
    if (i >= 0) return Promise.resolve(this.queued.splice(i, 1)[0]!.value);
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimer(opts.timeoutMs ?? AGENT_LIMITS.keypadInputTimeoutMs, () => {
        this.waiters = this.waiters.filter((x) => x !== waiter);
        reject(termError('TERM_INPUT_TIMEOUT', `no ${prompt} entered in time`, { prompt }));
      });
      const waiter: Waiter = { prompt, resolve, timer };
      this.waiters.push(waiter);
    });
  }
}
