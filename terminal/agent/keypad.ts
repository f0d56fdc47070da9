import type { Clock, TimerHandle } from '../../core/clock.js';
import { AGENT_LIMITS } from '../limits.js';
import { termError } from './errors.js';

/** What the terminal asks the person at it for. PINs are read through here and never logged. */
export type KeypadPrompt = 'amount' | 'pin' | 'confirm' | 'account' | 'menu' | 'code';

export interface KeypadReadOptions {
  readonly timeoutMs?: number;
  /**
   * Ends the wait: read() rejects with the signal's reason at once and the
   * entry, when it comes, is not given to this read (the agent passes the
   * card session's signal: a card that leaves ends every wait of its flow).
   */
  readonly signal?: AbortSignal;
}

/**
 * The person at the terminal: amounts, PINs, confirmations. A real terminal
 * wires its PIN pad here; the simulator and tests script the entries.
 * read() rejects with TERM_INPUT_TIMEOUT when nothing comes in time, and
 * with the abort reason when opts.signal aborts.
 */
export interface Keypad {
  read(prompt: KeypadPrompt, opts?: KeypadReadOptions): Promise<string>;
}

/**
 * The keypad as one card flow sees it: every read ends when `signal` aborts
 * (the card left, the flow timed out), whether or not the keypad itself
 * honours the signal. The agent gives this to card flows in place of the
 * terminal's keypad.
 */
export function keypadUntil(keypad: Keypad, signal: AbortSignal): Keypad {
  return {
    read(prompt, opts = {}) {
      if (signal.aborted) return Promise.reject(signal.reason);
      const inner = keypad.read(prompt, { ...opts, signal: opts.signal ? AbortSignal.any([signal, opts.signal]) : signal });
      return new Promise<string>((resolve, reject) => {
        const onAbort = (): void => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        inner.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    },
  };
}

interface Waiter {
  prompt: KeypadPrompt;
  resolve(v: string): void;
  timer: TimerHandle;
  /** Detaches the abort listener. */
  detach(): void;
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
      w.detach();
      w.resolve(value);
      return;
    }
    // Outside input (stdin control lines): a full queue is a coded refusal, never an assertion.
    if (this.queued.length >= AGENT_LIMITS.keypadQueueMax) {
      throw termError('TERM_KEYPAD_FULL', 'keypad entry refused: too many entries wait unread', { prompt, queued: this.queued.length });
    }
    this.queued.push({ prompt, value });
  }

  /** The prompts reads are waiting for now, oldest first (tests key an entry once a flow asks for it). */
  get waiting(): KeypadPrompt[] {
    return this.waiters.map((w) => w.prompt);
  }

  /** Entries not yet read (tests check a flow consumed what it should). */
  get pending(): number {
    return this.queued.length;
  }

  read(prompt: KeypadPrompt, opts: KeypadReadOptions = {}): Promise<string> {
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const i = this.queued.findIndex((q) => q.prompt === prompt);
    if (i >= 0) return Promise.resolve(this.queued.splice(i, 1)[0]!.value);
    return new Promise((resolve, reject) => {
      const end = (reason: unknown): void => {
        this.waiters = this.waiters.filter((x) => x !== waiter);
        timer.cancel();
        waiter.detach();
        reject(reason);
      };
      const timer = this.clock.setTimer(opts.timeoutMs ?? AGENT_LIMITS.keypadInputTimeoutMs, () => end(termError('TERM_INPUT_TIMEOUT', `no ${prompt} entered in time`, { prompt })));
      // An aborted wait leaves the list at once: a later entry goes to the next read, never to this one.
      const onAbort = (): void => end(signal!.reason);
      const waiter: Waiter = { prompt, resolve, timer, detach: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }
}
