/**
 * What a terminal role is and what it gets to work with. The agent owns the
 * devices, the link and the journal; a role is the business flow that runs
 * when a card is inserted, a code is scanned, or an operator command comes
 * (e.g. "settle"). Roles: validity-pos (seed 001, roles/validity/),
 * provider-kiosk, shop, vending (seed 004, roles/emoney/) — each capability's
 * folder exports its roles, roles/builtin.ts lists the capabilities
 * (ROLES.md, "Seams").
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import type { SettlementAck, SettlementInstruction } from '../../protocol/messages/types.js';
import type { SessionSealer } from '../../protocol/session/sealer.js';
import type { TerminalConfig } from '../config/schema.js';
import type { BarcodeScanner, Scan } from '../devices/barcode-scanner.js';
import type { BillValidator, Note } from '../devices/bill-validator.js';
import type { CaptureResult, CardReader } from '../devices/card-reader.js';
import type { RemovableStore } from '../devices/removable-store.js';
import type { Journal } from '../journal/journal.js';
import type { OutboxEntry } from '../journal/types.js';
import type { CallbackListener } from '../link/callback-listener.js';
import type { AgentLink } from './agent-link.js';
import type { CardAppKind, CardApps } from './card-apps.js';
import type { Keypad } from './keypad.js';

/**
 * The card in the reader, for the length of one flow. The flow belongs to
 * this card (ROLES.md, "A flow belongs to its card"): its applications
 * (`app(kind)`) are bound to it (refused once it left, never reaching another
 * card), and the flow's keypad waits end when it leaves.
 */
export interface CardSession {
  readonly readerName: string;
  readonly atr: Buffer;
  /** Monotonic ms (agent clock) when the reader reported the card usable. */
  readonly insertedAtMs: number;
  /**
   * One of the card applications the role declared (`Role.apps`), built once
   * per flow over this card's channel (card-apps.ts): `app('purse')`,
   * `app('cashCard')`, and the kinds capabilities register. A kind the role did
   * not declare is TERM_ROLE_COMPOSITION.
   */
  app<K extends CardAppKind>(kind: K): CardApps[K];
  /** True once the card left the reader (flows stop; see `assertPresent`). */
  readonly removed: boolean;
  /** Aborted when the card is removed or the flow times out. */
  readonly signal: AbortSignal;
  /** Throws TERM_CARD_REMOVED (or TERM_FLOW_TIMEOUT) if the flow must stop. */
  assertPresent(): void;
  /** Keeps the card (PC/SC: locked, reported retained). */
  capture(): Promise<CaptureResult>;
  /** Releases the card to the holder. Idempotent; a no-op once removed or captured. */
  release(): Promise<void>;
  readonly disposition: CardDisposition;
}

export type CardDisposition = 'held' | 'returned' | 'captured' | 'removed';

/** How a flow ended, reported by the agent as an `outcome` event. */
export interface FlowOutcome {
  readonly result: 'approved' | 'declined' | 'refused' | 'error' | 'done';
  /** A registry code (TERM_, DEV_, PROTO_) for everything but approved/done. */
  readonly code: string | null;
  readonly mediumId?: string;
  /** 32 hex chars. */
  readonly transactionId?: string;
  /** Monotonic ms (agent clock) when the center's validity answer arrived. */
  readonly ackAtMs?: number;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AgentReport extends FlowOutcome {
  readonly trigger: 'card' | 'scan' | 'command' | 'recover' | 'invalid-medium' | 'cash';
  /** What happened to the card (card flows). */
  readonly card?: CardDisposition;
  readonly insertedAtMs?: number;
}

/** An operator or till command (e.g. `{ name: 'settle' }`, `{ name: 'sell', args: { amountMinor: 120 } }`). */
export interface AgentCommand {
  readonly name: string;
  readonly args?: Readonly<Record<string, unknown>>;
}

/**
 * What a role repeating an outbox entry decided. `waiting`: nothing to send
 * now, the entry waits for something only a card flow brings (e.g. an
 * approved charge waiting for its e-money card); kept open, not reported.
 */
export type RecoverResult = 'done' | 'retry' | 'abandoned' | 'waiting';

export interface RoleDevices {
  readonly reader: CardReader;
  readonly scanner: BarcodeScanner | null;
  readonly store: RemovableStore | null;
  /** The bill validator, when configured: a role taking cash enables it for as long as it takes notes. */
  readonly validator?: BillValidator | null;
}

export interface RoleContext {
  readonly terminalId: string;
  readonly config: TerminalConfig;
  readonly link: AgentLink;
  readonly journal: Journal;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  readonly keypad: Keypad;
  readonly devices: RoleDevices;
  /** The callback listener (settlement, seed 004) when the config has a callback address. */
  readonly callback: CallbackListener | null;
  /** Where the center reaches the callback listener (for settle requests), or null. */
  readonly callbackPort: number | null;
}

/**
 * A terminal role. Every handler but the center-message ones runs inside the agent's single work queue
 * (one flow at a time: card flows, scans, commands and outbox repeats never
 * overlap, so a validity check's session state is never shared). Handlers
 * return an outcome; coded errors they throw become `error` outcomes. The
 * agent releases the card after onCardInserted unless the role captured it.
 */
export interface Role {
  readonly name: string;
  onCardInserted?(ctx: RoleContext, card: CardSession): Promise<FlowOutcome>;
  onScan?(ctx: RoleContext, scan: Scan): Promise<FlowOutcome>;
  onCommand?(ctx: RoleContext, cmd: AgentCommand): Promise<FlowOutcome>;
  /**
   * A note is held in the bill validator's escrow: stack it (the money is
   * taken; the agent journals it when the validator reports it stacked) or
   * return it. A role without this handler takes no cash: notes are returned.
   */
  onNoteInEscrow?(ctx: RoleContext, note: Note): Promise<'stack' | 'return'>;
  /** Repeats or reverses one of this role's open outbox entries (at start, then periodically). */
  recover?(ctx: RoleContext, entry: OutboxEntry): Promise<RecoverResult>;
  /** The card applications its card flows use (`card.app(kind)`); the agent refuses to start with one this build does not register. */
  readonly apps?: readonly CardAppKind[];
  /**
   * Its handlers of center-initiated messages, by message type (e.g. the
   * settlement instruction on a callback session, seed 004; `onCenterMessage`
   * in center-messages.ts). Two for one type: the agent refuses to start
   * (TERM_ROLE_COMPOSITION); a type no handler serves is refused on the wire
   * with PROTO_UNEXPECTED_MESSAGE. They run outside the work queue (a command
   * inside it may be waiting for them).
   */
  readonly centerMessages?: readonly CenterMessageHandler[];
  /** Called once after the agent started (devices open, link started). */
  start?(ctx: RoleContext): Promise<void>;
  stop?(): Promise<void>;
}

/**
 * The requests a center sends to a terminal (protocol CALLBACK_REQUESTS but
 * ping), each with its answer. A capability adds its own by declaration
 * merging (`declare module '../../role.js' { interface CenterRequests { … } }`).
 */
export interface CenterRequests {
  settlementInstruction: { request: SettlementInstruction; answer: SettlementAck };
}

export type CenterRequestType = keyof CenterRequests & string;

/** The callback session a center-initiated request arrived on. */
export interface CenterMessageSession {
  /** Seals and opens fields under this session's keys (e.g. the provider's security code). */
  readonly sealer: SessionSealer;
  /** The callback token the center presented (the one the terminal awaited). */
  readonly token: Buffer;
}

/** One handler of one center message type; build it with `onCenterMessage(type, handle)` for the types to line up. */
export interface CenterMessageHandler<T extends CenterRequestType = CenterRequestType> {
  readonly type: T;
  handle(ctx: RoleContext, msg: CenterRequests[T]['request'], session: CenterMessageSession): Promise<CenterRequests[T]['answer']>;
}

/** Builds a role from the validated config (roles read their own `roleSettings`). */
export type RoleFactory = (config: TerminalConfig) => Role;
