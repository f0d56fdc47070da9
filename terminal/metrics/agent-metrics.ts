/**
 * The terminal agent's metrics (prom-client, a Registry of its own): flows
 * by role, trigger, result and code; device events by device, event and
 * code; the journal's open outbox entries; the link's state and its
 * up/down/fail events. Served on an optional loopback port (config
 * `metrics`, docs/METRICS.md). Labels come from fixed sets: no medium id,
 * transaction id, terminal id or PIN ever becomes a label.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { bounded } from '../../core/metrics/labels.js';
import { registeredCode } from '../../core/metrics/registered-code.js';
import type { MetricsServer } from '../../core/metrics/serve.js';
import { serveMetrics } from '../../core/metrics/serve.js';
import type { AgentReport } from '../agent/role.js';
import { ROLE_NAMES } from '../config/schema.js';
import type { BarcodeScanner } from '../devices/barcode-scanner.js';
import type { BillValidator } from '../devices/bill-validator.js';
import type { CardReader } from '../devices/card-reader.js';
import type { RemovableStore } from '../devices/removable-store.js';
import type { LinkClient } from '../link/link-client.js';

export interface AgentMetricsParts {
  readonly role: string;
  /** The agent (its `outcome` events). */
  readonly agent: { on(event: 'outcome', fn: (r: AgentReport) => void): unknown };
  readonly link: Pick<LinkClient, 'on'>;
  readonly journal: { outboxOpenCount(): number };
  readonly reader: CardReader;
  readonly scanner?: BarcodeScanner | null;
  readonly validator?: BillValidator | null;
  readonly store?: RemovableStore | null;
}

const ROLES: ReadonlySet<string> = new Set(ROLE_NAMES);
const TRIGGERS: ReadonlySet<string> = new Set(['card', 'scan', 'command', 'recover', 'invalid-medium', 'cash']);
const RESULTS: ReadonlySet<string> = new Set(['approved', 'declined', 'refused', 'error', 'done']);
const DEVICE_STATES: ReadonlySet<string> = new Set(['online', 'offline', 'busy', 'hardwareError']);
const CASH_BOX_STATES: ReadonlySet<string> = new Set(['ok', 'full', 'removed']);

export class AgentMetrics {
  readonly registry = new Registry();
  private readonly deviceEvents: Counter;

  constructor(p: AgentMetricsParts, o: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const role = bounded(p.role, ROLES);
    const flows = new Counter({ name: 'tessera_terminal_flows_total', help: 'Finished flows by role, trigger, result and code (a registry code, none, or other)', labelNames: ['role', 'trigger', 'result', 'code'], registers });
    this.deviceEvents = new Counter({ name: 'tessera_terminal_device_events_total', help: 'Device events by device, event and code (DEV_ code, none, or other)', labelNames: ['device', 'event', 'code'], registers });
    const linkUp = new Gauge({ name: 'tessera_terminal_link_up', help: '1 while a session to a center is open, else 0', registers });
    const linkEvents = new Counter({ name: 'tessera_terminal_link_events_total', help: 'Link sessions opened (up), ended (down) and failed to open (fail), with the PROTO_ code', labelNames: ['event', 'code'], registers });
    new Gauge({
      name: 'tessera_terminal_outbox_open',
      help: 'Journal outbox entries still to be answered (pending or to reverse)',
      registers,
      collect() {
        this.set(p.journal.outboxOpenCount());
      },
    });
    linkUp.set(0);
    for (const result of RESULTS) flows.inc({ role, trigger: 'card', result, code: 'none' }, 0);
    p.agent.on('outcome', (r) => flows.inc({ role, trigger: bounded(r.trigger, TRIGGERS), result: bounded(r.result, RESULTS), code: registeredCode(r.code) }));
    p.link.on('up', () => {
      linkUp.set(1);
      linkEvents.inc({ event: 'up', code: 'none' });
    });
    p.link.on('down', (reason) => {
      linkUp.set(0);
      linkEvents.inc({ event: 'down', code: registeredCode(reason.code) });
    });
    p.link.on('fail', (reason) => linkEvents.inc({ event: 'fail', code: registeredCode(reason.code) }));
    this.watchDevices(p);
    if (o.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  /** Serves /metrics on a loopback address; resolves with the server (its port when 0 was asked). */
  serve(host: string, port: number): Promise<MetricsServer> {
    return serveMetrics(this.registry, host, port);
  }

  private watchDevices(p: AgentMetricsParts): void {
    const count = (device: string, event: string, code?: string | null): void => {
      this.deviceEvents.inc({ device, event, code: registeredCode(code) });
    };
    p.reader.on('inserted', () => count('reader', 'inserted'));
    p.reader.on('removed', () => count('reader', 'removed'));
    p.reader.on('invalidMedium', (ev) => count('reader', 'invalid_medium', ev.code));
    p.reader.on('status', (ev) => count('reader', `status_${bounded(ev.device, DEVICE_STATES)}`));
    p.scanner?.on('scan', () => count('scanner', 'scan'));
    p.scanner?.on('rejected', (ev) => count('scanner', 'rejected', ev.code));
    p.scanner?.on('status', (ev) => count('scanner', `status_${bounded(ev.device, DEVICE_STATES)}`, ev.code));
    p.validator?.on('accepted', () => count('validator', 'accepted'));
    p.validator?.on('returned', () => count('validator', 'returned'));
    p.validator?.on('rejected', (ev) => count('validator', 'rejected', ev.code));
    p.validator?.on('fault', (ev) => count('validator', 'fault', ev.code));
    p.validator?.on('cashBox', (ev) => count('validator', `cash_box_${bounded(ev.state, CASH_BOX_STATES)}`, ev.code));
    p.validator?.on('status', (ev) => count('validator', `status_${bounded(ev.device, DEVICE_STATES)}`, ev.code));
    p.store?.on('inserted', () => count('store', 'inserted'));
    p.store?.on('removed', () => count('store', 'removed'));
  }
}
