/**
 * The simulated fleet as the demo's people meet it: each of the world's
 * terminals (sim/world/terminals.ts: an in-process agent on the real
 * drivers) serves one person at a time: they step up, have their goods
 * scanned (the till with a scanner), insert a card, answer the keypad, take
 * the card back when the flow ends.
 */
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { StoredPurchase } from '../../terminal/journal/types.js';
import type { Agent } from '../../terminal/agent/agent.js';
import type { KeypadPrompt } from '../../terminal/agent/keypad.js';
import type { AgentReport } from '../../terminal/agent/role.js';
import type { Simulator } from '../simulator.js';
import type { WorldTerminal } from '../world/terminals.js';
import { DEMO_LIMITS } from './limits.js';
import type { Answers, PersonKeypad } from './person-keypad.js';
import type { TerminalSpec } from './terminals.js';

export interface CardVisit {
  readonly report: AgentReport;
  /** Prompts the terminal asked, in order (never the values typed). */
  readonly asked: KeypadPrompt[];
}

export class DemoTerminal {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly terminal: WorldTerminal<PersonKeypad>,
    private readonly sim: Simulator,
    private readonly clock: Clock,
  ) {}

  get spec(): TerminalSpec {
    return this.terminal.spec as TerminalSpec;
  }

  get agent(): Agent {
    return this.terminal.agent;
  }

  get readerName(): string {
    return this.terminal.readerName;
  }

  private get keypad(): PersonKeypad {
    return this.terminal.keypad;
  }

  /** Runs fn when the people before have left (a terminal serves one person at a time). */
  serve<T>(fn: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(fn);
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** The person inserts a card, answers what is asked, and takes the card back when the flow ends. */
  async present(cardId: string, answers: Answers, signal: AbortSignal): Promise<CardVisit> {
    this.keypad.approach(answers);
    const outcome = this.nextReport((r) => r.trigger === 'card' || r.trigger === 'invalid-medium');
    try {
      await this.sim.insertCard(cardId, this.readerName);
      const report = await withDeadline(outcome.promise, signal, `card flow at ${this.spec.terminalId}`, this.clock);
      return { report, asked: this.keypad.leave() };
    } finally {
      outcome.cancel();
      this.keypad.leave();
      if (this.sim.info().readers.find((r) => r.name === this.readerName)?.cardId) await this.sim.removeCard(this.readerName);
    }
  }

  /** The clerk scans one barcode (the simulator's scanner on this till's serial port); resolves with the scan's report. */
  async scan(code: string, signal: AbortSignal): Promise<AgentReport> {
    const scanner = this.spec.scanner;
    if (scanner === undefined) throw new TesseraError('DEMO_SETUP_FAILED', `${this.spec.terminalId} has no scanner`, { part: 'fleet' });
    const outcome = this.nextReport((r) => r.trigger === 'scan');
    try {
      await this.sim.scan(scanner, code, { aim: ']E0' });
      return await withDeadline(outcome.promise, signal, `scan at ${this.spec.terminalId}`, this.clock);
    } finally {
      outcome.cancel();
    }
  }

  /** An operator command (settle, unsettled, clear), bounded by the step time. */
  async command(name: string, signal: AbortSignal): Promise<AgentReport> {
    return withDeadline(this.agent.command({ name }), signal, `command ${name} at ${this.spec.terminalId}`, this.clock);
  }

  /** Offline purchase records the terminal still holds. */
  unsettled(): StoredPurchase[] {
    return this.agent.context.journal.listUnsettled();
  }

  /** The next report matching pred (never rejects; cancel() stops listening). */
  private nextReport(pred: (r: AgentReport) => boolean): { promise: Promise<AgentReport>; cancel(): void } {
    let listener: ((r: AgentReport) => void) | undefined;
    const promise = new Promise<AgentReport>((resolve) => {
      listener = (r) => {
        if (pred(r)) resolve(r);
      };
      this.agent.on('outcome', listener);
    });
    return { promise, cancel: () => listener && this.agent.off('outcome', listener) };
  }
}

/** The promise, or DEMO_STEP_TIMEOUT after stepTimeoutMs, or DEMO_INTERRUPTED when the run is aborted. */
export function withDeadline<T>(p: Promise<T>, signal: AbortSignal, what: string, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimer(DEMO_LIMITS.stepTimeoutMs, () => reject(new TesseraError('DEMO_STEP_TIMEOUT', `${what} did not finish in ${DEMO_LIMITS.stepTimeoutMs} ms`)));
    const onAbort = (): void => reject(new TesseraError('DEMO_INTERRUPTED', `${what} interrupted`));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      timer.cancel();
      signal.removeEventListener('abort', onAbort);
    });
  });
}
