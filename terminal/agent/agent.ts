import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import type { RequestMessage, ResponseMessage } from '../../protocol/messages/types.js';
import type { TerminalConfig } from '../config/schema.js';
import type { BarcodeScanner, Scan } from '../devices/barcode-scanner.js';
import type { BillValidator, Note } from '../devices/bill-validator.js';
import type { CardInserted, CardReader, InvalidMedium } from '../devices/card-reader.js';
import type { RemovableStore } from '../devices/removable-store.js';
import type { Journal } from '../journal/journal.js';
import type { CallbackListener } from '../link/callback-listener.js';
import { AGENT_LIMITS } from '../limits.js';
import type { AgentLink } from './agent-link.js';
import type { CardAppRegistry } from './card-apps.js';
import { AgentCardSession } from './card-session.js';
import { CenterMessageRouter } from './center-messages.js';
import { bookCash, CASH_COLLECT, collectCash, escrowFlow, watchValidator } from './cash-box.js';
import { termError } from './errors.js';
import { keypadUntil, type Keypad } from './keypad.js';
import { errorOutcome } from './outcomes.js';
import type { AgentCommand, AgentReport, CenterMessageSession, FlowOutcome, Role, RoleContext } from './role.js';
import { StatusReporter } from './status-reporter.js';
import { WorkQueue } from './work-queue.js';

export interface AgentDeps {
  readonly config: TerminalConfig;
  readonly role: Role;
  /** The build's card applications; the role's declared ones (Role.apps) must all be here. */
  readonly cardApps: CardAppRegistry;
  readonly reader: CardReader;
  readonly scanner?: BarcodeScanner | null;
  readonly store?: RemovableStore | null;
  readonly validator?: BillValidator | null;
  readonly link: AgentLink;
  readonly journal: Journal;
  readonly keypad: Keypad;
  readonly callback?: CallbackListener | null;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  /** The /metrics endpoint (config `metrics`): opened first by start(), closed last by stop(). */
  readonly metrics?: { open(): Promise<number>; close(): Promise<void> } | null;
}

export interface AgentEvents {
  /** Every finished flow: card, scan, command, outbox repeat, unusable card. */
  outcome: [AgentReport];
}

/**
 * The terminal agent: owns the devices, the link and the journal, and runs
 * the configured role's flows one at a time. Card insertion → the role's
 * onCardInserted with a CardSession; the agent releases the card afterwards
 * unless the role captured it. Open outbox entries are handed back to the
 * role to repeat (at start and every outboxDrainIntervalMs). Coded failures
 * become `outcome` events; the agent keeps serving the next card.
 */
export class Agent extends EventEmitter<AgentEvents> {
  private readonly queue = new WorkQueue(AGENT_LIMITS.cardQueueMax + 2);
  private current: AgentCardSession | null = null;
  private drainTimer: TimerHandle | null = null;
  private draining = false;
  private running = false;
  private ctx: RoleContext | null = null;
  private readonly centerMessages: CenterMessageRouter;
  private status: StatusReporter | null = null;
  private metricsPortNow: number | null = null;

  /** TERM_ROLE_COMPOSITION: see composeRole. */
  constructor(private readonly d: AgentDeps) {
    super();
    this.centerMessages = composeRole(d.role, d.cardApps);
  }

  get context(): RoleContext {
    if (!this.ctx) throw new Error('agent not started');
    return this.ctx;
  }

  /** The port /metrics is served on (config `metrics`), once started; null when off. */
  get metricsPort(): number | null {
    return this.metricsPortNow;
  }

  /** Opens the devices, starts the link and the callback listener, the role, and the first outbox drain. */
  async start(): Promise<void> {
    if (this.d.metrics) this.metricsPortNow = await this.d.metrics.open();
    const port = this.d.callback && this.d.config.callback ? (await this.d.callback.listen(this.d.config.callback.port, this.d.config.callback.host)).port : null;
    this.ctx = this.contextOf(port);
    this.d.reader.on('inserted', (ev) => this.onInserted(ev));
    this.d.reader.on('removed', () => this.onRemoved());
    this.d.reader.on('invalidMedium', (ev) => this.onInvalid(ev));
    this.d.scanner?.on('scan', (scan) => void this.onScan(scan));
    if (this.d.validator) {
      watchValidator(this.d.validator, this.d.journal, this.d.log, (r) => this.report(r), () => {
        this.drainSoon();
        this.drainIfOpen(0);
      });
      this.d.validator.on('escrow', (note) => void this.onEscrow(note));
    }
    // A scan the driver discarded is still the operator's business: a coded outcome, in scan order.
    this.d.scanner?.on('rejected', ({ code, ...details }) => void this.run('scan', async () => ({ result: 'refused', code, details })));
    this.running = true;
    this.d.link.client.on('up', () => this.drainSoon());
    this.d.link.client.start();
    await this.d.reader.open();
    await this.d.scanner?.open();
    await this.d.store?.open();
    await this.d.validator?.open();
    // TERMINAL_STATUS to the center on every session and device change (PROTOCOL.md §6.8).
    await (this.status = new StatusReporter({ ...this.d, link: this.d.link.client })).start();
    await this.d.role.start?.(this.ctx);
    this.scheduleDrain(0);
  }

  /** Stops taking work, waits for the flow in progress, closes everything. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.drainTimer?.cancel();
    await this.queue.idle();
    await this.d.role.stop?.();
    this.status?.stop();
    await this.d.link.client.close();
    await this.d.callback?.close();
    await this.d.scanner?.close();
    await this.d.store?.close();
    await this.d.validator?.close();
    await this.d.reader.close();
    this.d.journal.close();
    await this.d.metrics?.close();
  }

  /** Runs an operator/till command through the role (e.g. settle). */
  command(cmd: AgentCommand): Promise<AgentReport> {
    return this.run('command', async (ctx) => {
      if (cmd.name === CASH_COLLECT) return collectCash(ctx);
      if (!this.d.role.onCommand) throw termError('TERM_NOT_SUPPORTED', `role ${this.d.role.name} takes no commands`, { command: cmd.name });
      return this.d.role.onCommand(ctx, cmd);
    });
  }

  /** Repeats this role's open outbox entries once (also runs on a timer). Resolves with the entries still open. */
  drainOutbox(): Promise<number> {
    // A full queue: nothing repeated now; the entries stay open for the next pass.
    if (this.queue.full) return Promise.resolve(this.d.journal.outboxOpen(AGENT_LIMITS.outboxDrainBatchMax).length);
    return this.queue.push(() => this.drainOnce());
  }

  /**
   * A center-initiated request (callback session), routed by its type to the
   * role's handler; none: PROTO_UNEXPECTED_MESSAGE. Runs outside the work
   * queue: the command that awaits it (e.g. settle) is inside.
   */
  onCenterMessage(msg: RequestMessage, session: CenterMessageSession): Promise<ResponseMessage> {
    return this.centerMessages.route(this.context, msg, session);
  }

  private contextOf(callbackPort: number | null): RoleContext {
    const { config, link, journal, clock, random, log, keypad } = this.d;
    const devices = { reader: this.d.reader, scanner: this.d.scanner ?? null, store: this.d.store ?? null, validator: this.d.validator ?? null };
    return { terminalId: config.terminalId, config, link, journal, clock, random, log, keypad, devices, callback: this.d.callback ?? null, callbackPort };
  }

  // ---------------------------------------------------------------- card events

  private onInserted(ev: CardInserted): void {
    const session = new AgentCardSession(this.d.reader, ev, this.d.random, { registry: this.d.cardApps, role: this.d.role.name, declared: this.d.role.apps ?? [] });
    this.current?.removedByHolder();
    this.current = session;
    if (!this.running || this.queue.full) {
      this.d.log.warn({ reader: ev.readerName }, 'card ignored: agent busy or stopping');
      void session.release();
      return;
    }
    void this.queue.push(() => this.cardFlow(session));
  }

  private onRemoved(): void {
    this.current?.removedByHolder();
    this.current = null;
  }

  private onInvalid(ev: InvalidMedium): void {
    this.report({ trigger: 'invalid-medium', result: 'error', code: 'TERM_CARD_UNREADABLE', details: { deviceCode: ev.code } });
  }

  private async cardFlow(session: AgentCardSession): Promise<AgentReport> {
    const role = this.d.role;
    const timer = this.d.clock.setTimer(AGENT_LIMITS.cardFlowTimeoutMs, () => session.abort(termError('TERM_FLOW_TIMEOUT', 'card flow took too long')));
    let outcome: FlowOutcome;
    try {
      session.assertPresent();
      if (!role.onCardInserted) throw termError('TERM_NOT_SUPPORTED', `role ${role.name} takes no cards`);
      // The flow belongs to its card: its keypad waits end when the card leaves (the session's signal).
      const ctx: RoleContext = { ...this.context, keypad: keypadUntil(this.d.keypad, session.signal) };
      outcome = await untilAborted(role.onCardInserted(ctx, session), session.signal, 'TERM_FLOW_TIMEOUT');
    } catch (e) {
      outcome = errorOutcome(e);
    } finally {
      timer.cancel();
    }
    // A card pulled mid-APDU is reported removed even when pcscd reports it after the flow ended.
    await session.settle(this.d.clock);
    await session.release();
    if (this.current === session && session.disposition !== 'captured') this.current = null;
    // A flow that ended early (card pulled at the keypad) still names the card it belonged to.
    const mediumId = outcome.mediumId ?? session.mediumId ?? undefined;
    const report = this.report({ ...outcome, trigger: 'card', card: session.disposition, insertedAtMs: session.insertedAtMs, ...(mediumId !== undefined && { mediumId }) });
    this.drainIfOpen();
    return report;
  }

  // ---------------------------------------------------------------- scans, commands

  private async onScan(scan: Scan): Promise<void> {
    const role = this.d.role;
    await this.run('scan', (ctx) => {
      if (!role.onScan) throw termError('TERM_NOT_SUPPORTED', `role ${role.name} takes no scans`, { length: scan.data.length });
      return role.onScan(ctx, scan);
    });
  }

  /** A note in escrow: the role decides stack or return, in the work queue like any flow. */
  private async onEscrow(note: Note): Promise<void> {
    const validator = this.d.validator!;
    const report = await this.run('cash', (ctx) => escrowFlow(ctx, this.d.role, validator, note));
    // Refused (queue full) or failed before routing: the note must not stay in escrow.
    if (report.code !== null && (await validator.status()).escrow) await validator.return().catch(() => undefined);
  }

  /** Queues a flow; a full queue refuses it at once with TERM_BUSY (outside input must never trip the queue's assertion). */
  private run(trigger: AgentReport['trigger'], flow: (ctx: RoleContext) => Promise<FlowOutcome>): Promise<AgentReport> {
    if (this.queue.full) return Promise.resolve(this.report({ trigger, result: 'refused', code: 'TERM_BUSY', details: { queued: this.queue.size } }));
    return this.queue.push(async () => {
      let outcome: FlowOutcome;
      try {
        outcome = await flow(this.context);
      } catch (e) {
        outcome = errorOutcome(e);
      }
      const report = this.report({ ...outcome, trigger });
      this.drainIfOpen();
      return report;
    });
  }

  /** A flow that left an open outbox entry (a request unanswered, a step waiting for a card) has it repeated later. */
  private drainIfOpen(delayMs: number = AGENT_LIMITS.outboxDrainIntervalMs): void {
    if (this.running && (this.d.journal.outboxOpen(1).length > 0 || this.d.journal.cashUnbookedCount() > 0)) this.scheduleDrain(delayMs);
  }

  // ---------------------------------------------------------------- outbox

  /** A fresh session: repeat open entries now rather than at the next interval. */
  private drainSoon(): void {
    if (!this.drainTimer) return; // a drain is running or none is owed
    this.drainTimer.cancel();
    this.drainTimer = null;
    this.draining = false;
    this.scheduleDrain(0);
  }

  private scheduleDrain(delayMs: number): void {
    if (!this.running || this.draining) return;
    this.draining = true;
    this.drainTimer = this.d.clock.setTimer(delayMs, () => {
      this.drainTimer = null;
      void this.drainOutbox()
        .catch(() => 1)
        .then((open) => {
          this.draining = false;
          if (open > 0) this.scheduleDrain(AGENT_LIMITS.outboxDrainIntervalMs);
        });
    });
  }

  private async drainOnce(): Promise<number> {
    const role = this.d.role;
    // The cash box first (every role's): unanswered notes and collections go to the center (cash-box.ts).
    let open = await this.bookCashOnce();
    const entries = this.d.journal.outboxOpen(AGENT_LIMITS.outboxDrainBatchMax).filter((e) => e.role === role.name);
    if (!role.recover || entries.length === 0 || !this.d.link.isUp) return open + entries.length;
    for (const entry of entries) {
      let result: string;
      try {
        result = await role.recover(this.context, entry);
      } catch (e) {
        result = 'retry';
        this.d.log.warn({ transactionId: entry.transactionId, code: errorOutcome(e).code }, 'outbox repeat failed');
      }
      if (result === 'retry' || result === 'waiting') open++;
      // A waiting entry sent nothing: no flow to report (it is looked at again next pass).
      if (result === 'waiting') continue;
      this.report({ trigger: 'recover', result: result === 'retry' ? 'error' : 'done', code: result === 'retry' ? 'TERM_TX_UNANSWERED' : null, transactionId: entry.transactionId, details: { recovered: result } });
    }
    return open;
  }

  private async bookCashOnce(): Promise<number> {
    try {
      return await bookCash({ journal: this.d.journal, link: this.d.link, random: this.d.random, log: this.d.log });
    } catch (e) {
      this.d.log.warn({ code: errorOutcome(e).code }, 'cash booking not answered; repeated on the next pass');
      return Math.max(1, this.d.journal.cashUnbookedCount());
    }
  }

  private report(r: AgentReport): AgentReport {
    this.d.log.info({ trigger: r.trigger, result: r.result, code: r.code, mediumId: r.mediumId, card: r.card }, 'flow finished');
    this.emit('outcome', r);
    return r;
  }
}

/**
 * The role's seams checked against the build, and its center-message router:
 * TERM_ROLE_COMPOSITION when the role needs a card application the build does
 * not register, or registers two handlers for one center message type.
 */
export function composeRole(role: Role, cardApps: CardAppRegistry): CenterMessageRouter {
  cardApps.assertProvides(role.name, role.apps ?? []);
  const router = new CenterMessageRouter(role.name);
  for (const h of role.centerMessages ?? []) router.register(h);
  return router;
}

/** The flow's promise, or a rejection with `code` once the signal aborts with that code. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal, code: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      if ((signal.reason as { code?: string } | undefined)?.code === code) reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
