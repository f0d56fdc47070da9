/**
 * How a capability plugs into the center: one {@link CenterModule} per
 * folder under `center/` (validity, cash, emoney, …), listed once in
 * `center/modules.ts` and started by `startCenter(config, modules, deps?)`
 * (`center/server/start-center.ts`). The core (this folder, `center/net`,
 * `center/storage`, `center/ledger`) imports no module; a module reaches
 * another only through `ctx.module(name)` after naming it in `requires`.
 *
 * A module brings:
 * - `config`: its section of the center config (a zod schema under its own
 *   key; `center/server/config.ts` composes the whole schema from the list);
 * - `migrations`: its tables, applied before `open` (versioned per module);
 * - `check(section)`: what `tessera center --check` reads for it before a
 *   start (secret files), throwing coded errors;
 * - `auditChecks`: checks of its books against the ledger, run by `/audit`
 *   and `tessera audit` wherever its migrations ran (so they are declared on
 *   the module, not on an opened instance: the offline audit opens nothing);
 * - `open(ctx)`: its running part ({@link OpenedModule}): an API for other
 *   modules and callers, its protocol flows, its HTTP routes (issue 11), its
 *   timers, `idle()` and `close()`.
 *
 * Worked example: `center/emoney/module.ts`.
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import type { AuditExtension } from '../ledger/audit.js';
import type { SecurityCounts } from '../net/security-log.js';
import type { OnSession, TerminalKeyLookup } from '../net/types.js';
import type { ModuleMigrations, Storage } from '../storage/types.js';
import type { CenterConfig } from './config.js';
import type { OutcomeFeed } from './outcomes.js';
import type { CenterFlow } from './session-router.js';

/**
 * What the core reports to an observer (center/metrics' CenterMetrics; the
 * modules take their own instruments through their options). Structural, so
 * the core imports no observer.
 */
export interface CenterInstruments {
  /** Wraps the session router (requests by type, answers, latency). */
  wrapSessions(onSession: OnSession): OnSession;
  /** Every finished handshake: 'ok' or the protocol code it failed with. */
  readonly onHandshake: (outcome: string) => void;
  /** Starts reading what the core owns (commit batches, ledger outcomes, security counters, connections). */
  attachCenter(p: { storage: Storage; securityCounters: () => SecurityCounts; connectionCount?: () => number }): void;
  /** Stops observing (close). */
  detach(): void;
}

/** A module's HTTP surface: registers its routes on the center's fastify app (the admin listener). */
export type ModuleRoutes = (app: FastifyInstance) => void | Promise<void>;

/** One /readyz check of a module (the validity store loaded, a bank reachable): throws a coded error when not ready. */
export interface ReadinessProbe {
  readonly name: string;
  check(): Promise<void>;
}

/** Something a module started that runs by itself (a sweep on a timer). */
export interface CenterTimer {
  /** Cancels the next run and waits for a running one. */
  stop(): Promise<void>;
}

/**
 * Where the handshake finds a terminal's key reference (the key itself is
 * the master key diversified by it, center/server/terminal-keys.ts). Exactly
 * one opened module provides it (validity: the terminal list).
 */
export interface TerminalDirectory {
  /** The terminal's keyRef if it is registered (any status), else undefined. */
  keyRefOf(terminalId: string): Promise<string | undefined>;
}

export interface ModuleContext<Section> {
  /** The module's config section, parsed (undefined when the module has none or it is absent). */
  readonly section: Section;
  /** The whole parsed center config (core fields: listen, db, terminalKeys, tls, admin). */
  readonly config: CenterConfig;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  /** The handshake's terminal key lookup (for calling a terminal back). */
  readonly terminalKey: TerminalKeyLookup;
  /** The api of a module named in `requires` (opened before this one); CENTER_MODULE_MISSING otherwise. */
  module<Api>(name: string): Api;
  /** The api of a module named in `uses` if it runs (opened before this one), else undefined. */
  optionalModule<Api>(name: string): Api | undefined;
  /** Where the module's flows publish their outcomes (watched by the admin API's Server-Sent Events). */
  readonly outcomes: OutcomeFeed;
}

/** A module's running part, returned by {@link CenterModule.open}. Every field but `api` is optional. */
export interface OpenedModule<Api> {
  /** What other modules (`ctx.module(name)`), tests and the demo use. */
  readonly api: Api;
  /** Protocol flows: each serves some request types of every terminal session. */
  readonly flows?: readonly CenterFlow[];
  /** HTTP routes, handed to the admin server (issue 11 fills them). */
  readonly routes?: ModuleRoutes;
  /** What /readyz asks of the module besides the database and its migrations. */
  readonly readiness?: readonly ReadinessProbe[];
  /**
   * Called once every module has opened, in opening order, before the terminal
   * listener opens: a module that serves what others contributed in their
   * open() (the merchant API's listener, with their routes) starts it here.
   */
  start?(): Promise<void>;
  /** Started by open; stopped first on close, before idle(). */
  readonly timers?: readonly CenterTimer[];
  /** The terminal list the handshake reads (one module provides it). */
  readonly terminals?: TerminalDirectory;
  /** Waits for work in flight that outlives a request (settlement callbacks). */
  idle?(): Promise<void>;
  /** Releases what open took (after the listener closed); modules close in reverse order of opening. */
  close?(): Promise<void>;
}

export interface ModuleConfigSection<Section> {
  /** The key of the section in the center config (`validity`, `emoney`). */
  readonly key: string;
  /** Its schema; `.optional()` for a module that runs only when configured, `.default(…)` for one always on. */
  readonly schema: z.ZodType<Section, unknown>;
}

export interface CenterModule<Section = undefined, Api = unknown> {
  /** Short name; also the name under which `ctx.module()` and `center.module()` find its api. */
  readonly name: string;
  readonly config?: ModuleConfigSection<Section>;
  /** Tables the module owns, applied in order before open (each list is versioned by its own module name). */
  readonly migrations?: readonly ModuleMigrations[];
  /** Names of modules whose api this one uses; they are opened first (CENTER_MODULE_MISSING if absent). */
  readonly requires?: readonly string[];
  /** Modules this one uses when they run (`ctx.optionalModule`): opened first if enabled, no error if not. */
  readonly uses?: readonly string[];
  readonly auditChecks?: readonly AuditExtension[];
  /** Whether the module runs with this section (default: always). E-money runs only when configured. */
  enabled?(section: Section): boolean;
  /** What `tessera center --check` reads for the module (secret files); throws a coded error. Enabled modules only. */
  check?(section: Section): void;
  open(ctx: ModuleContext<Section>): Promise<OpenedModule<Api>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of modules of any section and api
export type AnyCenterModule = CenterModule<any, any>;

/** Every audit check of a list of modules (what `/audit` and `tessera audit` run). */
export function auditChecksOf(modules: readonly AnyCenterModule[]): AuditExtension[] {
  return modules.flatMap((m) => m.auditChecks ?? []);
}
