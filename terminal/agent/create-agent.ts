import { systemClock, type Clock } from '../../core/clock.js';
import { createLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import { readTerminalKey } from '../config/key-file.js';
import type { TerminalConfig } from '../config/schema.js';
import type { BarcodeScanner } from '../devices/barcode-scanner.js';
import type { BillValidator } from '../devices/bill-validator.js';
import type { CardReader } from '../devices/card-reader.js';
import { DirRemovableStore } from '../devices/files/dir-removable-store.js';
import { PcscCardReader } from '../devices/pcsc/pcsc-card-reader.js';
import { CcTalkBillValidator } from '../devices/serial/cctalk-bill-validator.js';
import { SerialBarcodeScanner } from '../devices/serial/serial-barcode-scanner.js';
import type { RemovableStore } from '../devices/removable-store.js';
import { Journal } from '../journal/journal.js';
import { CallbackListener } from '../link/callback-listener.js';
import { LinkClient } from '../link/link-client.js';
import { Agent, composeRole } from './agent.js';
import { AgentLink } from './agent-link.js';
import type { CardAppRegistry } from './card-apps.js';
import { ScriptedKeypad, type Keypad } from './keypad.js';
import type { RoleRegistry } from './role-registry.js';
import { builtinCardApps, builtinRoles } from './roles/builtin.js';
import type { MetricsServer } from '../../core/metrics/serve.js';
import { AgentMetrics, type AgentMetricsParts } from '../metrics/agent-metrics.js';

export interface CreateAgentDeps {
  readonly clock?: Clock;
  readonly random?: Random;
  readonly log?: Logger;
  readonly roles?: RoleRegistry;
  /** The card applications roles may ask a card session for (default: builtinCardApps()). */
  readonly cardApps?: CardAppRegistry;
  readonly keypad?: Keypad;
  /** Device drivers (defaults: PC/SC reader, serialport scanner, mount-directory store, ccTalk bill validator). */
  readonly reader?: (config: TerminalConfig, clock: Clock, log: Logger) => CardReader;
  readonly scanner?: (config: NonNullable<TerminalConfig['devices']['scanner']>, clock: Clock, log: Logger) => BarcodeScanner;
  readonly store?: (config: NonNullable<TerminalConfig['devices']['store']>, clock: Clock, log: Logger) => RemovableStore;
  readonly validator?: (config: NonNullable<TerminalConfig['devices']['validator']>, clock: Clock, log: Logger) => BillValidator;
}

/**
 * Builds an agent from a validated config: reads the key (never logged),
 * opens the journal, picks the role, and wires the PC/SC reader, the link
 * (failover over config.centers) and the callback listener. Call start().
 */
export function createAgent(config: TerminalConfig, deps: CreateAgentDeps = {}): Agent {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? systemRandom;
  const log = deps.log ?? createLogger('terminal');
  const terminalKey = readTerminalKey(config.keyFile);
  const role = (deps.roles ?? builtinRoles()).create(config);
  const cardApps = deps.cardApps ?? builtinCardApps();
  composeRole(role, cardApps); // a build whose parts do not fit stops here, before the journal is opened
  const journal = Journal.open(config.journal, { clock });
  const client = new LinkClient({
    terminalId: config.terminalId,
    terminalKey,
    centers: config.centers,
    clock,
    random,
    logger: log,
    requestTimeoutMs: config.link.requestTimeoutMs,
    maxAttempts: config.link.attempts,
  });
  let agent: Agent | undefined;
  const devices = {
    reader: (deps.reader ?? pcscReader)(config, clock, log),
    scanner: config.devices.scanner ? (deps.scanner ?? serialScanner)(config.devices.scanner, clock, log) : null,
    store: config.devices.store ? (deps.store ?? dirStore)(config.devices.store, clock, log) : null,
    validator: config.devices.validator ? (deps.validator ?? ccTalkValidator)(config.devices.validator, clock, log) : null,
  };
  const callback = config.callback
    ? new CallbackListener({ terminalId: config.terminalId, terminalKey, clock, random, logger: log, onRequest: (msg, s) => agent!.onCenterMessage(msg, s) })
    : null;
  agent = new Agent({
    config,
    role,
    cardApps,
    ...devices,
    metrics: config.metrics ? metricsEndpoint(config.metrics, () => ({ role: config.role, agent: agent!, link: client, journal, ...devices })) : null,
    link: new AgentLink(client, { timeoutMs: config.link.requestTimeoutMs, attempts: config.link.attempts }),
    journal,
    keypad: deps.keypad ?? new ScriptedKeypad(clock),
    callback,
    clock,
    random,
    log,
  });
  return agent;
}

/** The agent's /metrics endpoint: the registry is built at open() (the agent exists by then), served on loopback. */
function metricsEndpoint(at: NonNullable<TerminalConfig['metrics']>, parts: () => AgentMetricsParts): { open(): Promise<number>; close(): Promise<void> } {
  let server: MetricsServer | null = null;
  return {
    async open() {
      server = await new AgentMetrics(parts()).serve(at.host, at.port);
      return server.address.port;
    },
    async close() {
      await server?.close();
      server = null;
    },
  };
}

function pcscReader(config: TerminalConfig, clock: Clock, log: Logger): CardReader {
  const r = config.devices.reader;
  return new PcscCardReader({
    readerPattern: new RegExp(r.namePattern),
    clock,
    logger: log,
    ...(r.transmitTimeoutMs !== undefined && { transmitTimeoutMs: r.transmitTimeoutMs }),
    ...(r.openTimeoutMs !== undefined && { openTimeoutMs: r.openTimeoutMs }),
  });
}

function serialScanner(s: NonNullable<TerminalConfig['devices']['scanner']>, clock: Clock, log: Logger): BarcodeScanner {
  return new SerialBarcodeScanner(
    { path: s.port, baudRate: s.baudRate, delimiter: s.delimiter, ...(s.maxLineBytes !== undefined && { maxLineBytes: s.maxLineBytes }) },
    { clock, logger: log },
  );
}

function dirStore(s: NonNullable<TerminalConfig['devices']['store']>, clock: Clock): RemovableStore {
  return new DirRemovableStore({ mountDir: s.mountDir, clock });
}

function ccTalkValidator(v: NonNullable<TerminalConfig['devices']['validator']>, clock: Clock, log: Logger): BillValidator {
  return new CcTalkBillValidator(v, { clock, logger: log });
}
