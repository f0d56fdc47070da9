/**
 * The center's metrics (prom-client), one Registry per CenterMetrics, never
 * the global default: several centers run in one test process and each
 * scrape must show only its own. Everything is fed through small hooks
 * (session wrapper, handshake callback, validity-source wrapper, commit,
 * ledger and relay observers, a fastify onResponse hook) or read at scrape
 * time (security counters, validity store sizes). Names follow Prometheus
 * conventions (`tessera_center_…_total`, `_seconds`); every label value
 * comes from a fixed set (labels.ts). docs/METRICS.md lists them.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { systemClock, type Clock } from '../../core/clock.js';
import { bounded, OTHER } from '../../core/metrics/labels.js';
import { isProtocolError } from '../../protocol/errors.js';
import type { CenterResponse, TerminalRequest } from '../../protocol/messages/types.js';
import { observeTransfers } from '../ledger/observe.js';
import type { SecurityCounts, SecurityEvent } from '../net/security-log.js';
import type { OnSession } from '../net/types.js';
import type { Relay } from '../relay/relay.js';
import type { Storage } from '../storage/types.js';
import type { ValiditySource } from '../validity/types.js';
import type { ValidityStoreStats } from '../validity/validity-store.js';
import {
  BANK_CALL_CODES,
  handshakeOutcome,
  HTTP_METHODS,
  REQUEST_TYPES,
  RESPONSE_TYPES,
  responseCode,
  SECURITY_EVENT_LABELS,
  statusLabel,
  transferResultLabel,
} from './labels.js';

export interface CenterMetricsOptions {
  /** Durations of requests (default: the system clock). */
  readonly clock?: Clock;
  /** Node process metrics (CPU, memory, event loop, GC); default true. */
  readonly processMetrics?: boolean;
}

/** What the center hands over once it is built (create-center.ts). */
export interface CenterParts {
  readonly storage: Storage;
  readonly securityCounters: () => SecurityCounts;
  /** Open terminal connections: authenticated sessions and handshakes in progress. */
  readonly connectionCount?: () => number;
}

const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
const BANK_CODE = /^\d{4}$/;

export class CenterMetrics {
  readonly registry = new Registry();
  private readonly clock: Clock;
  private readonly undo: Array<() => void> = [];
  private readonly banks = new Set<string>();

  private readonly sessionsOpen: Gauge;
  private readonly sessions: Counter;
  private readonly handshakes: Counter;
  private readonly requests: Counter;
  private readonly requestSeconds: Histogram;
  private readonly validityAnswers: Counter;
  private readonly validityLookups: Counter;
  private readonly transactionsStarted: Counter;
  private readonly ledgerTransfers: Counter;
  private readonly commitBatches: Counter;
  private readonly commitUnits: Histogram;
  private readonly commitSeconds: Histogram;
  private readonly bankCalls: Counter;
  private readonly voucherEvents: Counter;
  private readonly bankSeconds: Histogram;
  private readonly httpRequests: Counter;
  private readonly httpSeconds: Histogram;

  constructor(o: CenterMetricsOptions = {}) {
    this.clock = o.clock ?? systemClock;
    const registers = [this.registry];
    const counter = (name: string, help: string, labelNames: string[] = []): Counter => new Counter({ name, help, labelNames, registers });
    const histogram = (name: string, help: string, labelNames: string[], buckets: number[]): Histogram => new Histogram({ name, help, labelNames, buckets, registers });
    this.sessionsOpen = new Gauge({ name: 'tessera_center_sessions_open', help: 'Authenticated terminal sessions open now', registers });
    this.sessions = counter('tessera_center_sessions_total', 'Authenticated terminal sessions opened');
    this.handshakes = counter('tessera_center_handshakes_total', "Terminal handshakes by outcome ('ok' or the PROTO_ code they failed with)", ['outcome']);
    this.requests = counter('tessera_center_requests_total', 'Request frames answered, by message type, response type and result code (hex wire code, NAK reason, PROTO_ code of an error, or none)', ['type', 'response', 'code']);
    this.requestSeconds = histogram('tessera_center_request_duration_seconds', 'Time from a request frame to its answer, by message type', ['type'], LATENCY_BUCKETS_S);
    this.validityAnswers = counter('tessera_center_validity_answers_total', 'Validity checks answered: ack (both lists judged before answering), early_ack (answered from memory, the other list checked before the transaction runs), nak', ['answer']);
    this.validityLookups = counter('tessera_center_validity_db_lookups_total', 'Validity records read from the database (not the prefetched store), by list and result', ['list', 'result']);
    this.transactionsStarted = counter('tessera_center_transactions_started_total', 'Transactions cleared by the validity check and started');
    this.ledgerTransfers = counter('tessera_center_ledger_transfers_total', 'Ledger transfers committed, by result (ok, exists, insufficient_funds, …)', ['result']);
    this.commitBatches = counter('tessera_center_commit_batches_total', 'Group-commit batches, by outcome', ['outcome']);
    this.commitUnits = histogram('tessera_center_commit_batch_units', 'Units of work per group-commit batch', [], BATCH_BUCKETS);
    this.commitSeconds = histogram('tessera_center_commit_duration_seconds', 'Time to run and commit one group-commit batch', [], LATENCY_BUCKETS_S);
    this.bankCalls = counter('tessera_center_bank_calls_total', 'Calls to bank hosts through the relay, by bank code, operation and outcome code', ['bank', 'op', 'code']);
    this.voucherEvents = counter('tessera_center_voucher_events_total', 'Voucher events (seed 002): pin_failure, lockout (started, refused), redemption (authorized, captured), activation (ok or its VOUCHER_ code)', ['event', 'outcome']);
    this.bankSeconds = histogram('tessera_center_bank_call_duration_seconds', 'Bank host call latency, by bank code and operation', ['bank', 'op'], LATENCY_BUCKETS_S);
    this.httpRequests = counter('tessera_center_http_requests_total', 'HTTP requests answered, by route pattern, method and status', ['route', 'method', 'status']);
    this.httpSeconds = histogram('tessera_center_http_request_duration_seconds', 'HTTP request latency, by route pattern and method', ['route', 'method'], LATENCY_BUCKETS_S);
    for (const answer of ['ack', 'early_ack', 'nak']) this.validityAnswers.inc({ answer }, 0);
    for (const outcome of ['ok', 'PROTO_AUTH_FAILED', 'PROTO_TIMEOUT']) this.handshakes.inc({ outcome }, 0);
    if (o.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      // These enumerate every open descriptor, handle or resource on each scrape (a /proc/self/fd listing,
      // process._getActiveHandles(), getActiveResourcesInfo()): with a fleet connected that is one entry per
      // terminal, synchronously, on the event loop (bench/metrics.ts: 23 ms for process_open_fds alone at
      // 1,000 terminals under load). tessera_center_connections_open says what matters in O(1).
      for (const name of O_N_PROCESS_METRICS) this.registry.removeSingleMetric(name);
    }
  }

  /** The Prometheus text exposition of this center's metrics. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  // ---- hooks the center wires (create-center.ts) ----

  /** Counts sessions, requests by type/response/code and their latency; passes everything through unchanged. */
  wrapSessions(onSession: OnSession): OnSession {
    return (info) => {
      const handler = onSession(info);
      this.sessions.inc();
      this.sessionsOpen.inc();
      return {
        onRequest: (req, ctx) => {
          const startMs = this.clock.monoMs();
          return handler.onRequest(req, ctx).then(
            (res) => {
              this.answered(req, res, startMs);
              return res;
            },
            (e: unknown) => {
              this.failed(req, e, startMs);
              throw e;
            },
          );
        },
        onClose: (reason) => {
          this.sessionsOpen.dec();
          handler.onClose(reason);
        },
      };
    };
  }

  /** For CenterServerOptions.onHandshake. */
  readonly onHandshake = (outcome: string): void => {
    this.handshakes.inc({ outcome: handshakeOutcome(outcome) });
  };

  /** For CenterDeps.onTransactionStart. */
  readonly onTransactionStart = (): void => {
    this.transactionsStarted.inc();
  };

  /** Counts the validity records read from the database (the store's prefetch and feed are not lookups). */
  wrapValiditySource(source: ValiditySource): ValiditySource {
    const count = async <T>(list: 'medium' | 'terminal', read: Promise<T | null>): Promise<T | null> => {
      try {
        const v = await read;
        this.validityLookups.inc({ list, result: v === null ? 'absent' : 'found' });
        return v;
      } catch (e) {
        this.validityLookups.inc({ list, result: 'error' });
        throw e;
      }
    };
    return Object.assign(Object.create(source) as ValiditySource, {
      getMedium: (id: string) => count('medium', source.getMedium(id)),
      getTerminal: (id: string) => count('terminal', source.getTerminal(id)),
    });
  }

  /**
   * Starts reading what the center owns: commit batches, ledger outcomes,
   * validity store sizes, security counters. detach() (the center's close)
   * undoes it, so a restarted center can attach the same metrics again.
   */
  attachCenter(p: CenterParts): void {
    const before = new Set(this.registry.getMetricsAsArray().map((m) => m.name));
    const off = p.storage.observeCommits?.((b) => {
      this.commitBatches.inc({ outcome: b.ok ? 'ok' : 'failed' });
      if (!b.ok) return;
      this.commitUnits.observe(b.units);
      this.commitSeconds.observe(b.seconds);
    });
    if (off) this.undo.push(off);
    this.undo.push(observeTransfers(p.storage, (results) => {
      for (const r of results) this.ledgerTransfers.inc({ result: transferResultLabel(r) });
    }));
    this.attachSecurity(p.securityCounters);
    const connections = p.connectionCount;
    if (connections) {
      new Gauge({
        name: 'tessera_center_connections_open',
        help: 'Terminal connections open: authenticated sessions and handshakes in progress',
        registers: [this.registry],
        collect() {
          this.set(connections());
        },
      });
    }
    // The read-at-scrape metrics belong to this center: they go with it.
    const added = this.registry.getMetricsAsArray().map((m) => m.name).filter((n) => !before.has(n));
    this.undo.push(() => {
      for (const n of added) this.registry.removeSingleMetric(n);
    });
  }

  /** The validity module's mode and prefetched store (read at scrape); undone by detach(). */
  attachValidity(mode: string, store: { stats(): ValidityStoreStats } | null): void {
    const before = new Set(this.registry.getMetricsAsArray().map((m) => m.name));
    this.attachValidityStore(mode, store);
    const added = this.registry.getMetricsAsArray().map((m) => m.name).filter((n) => !before.has(n));
    this.undo.push(() => {
      for (const n of added) this.registry.removeSingleMetric(n);
    });
  }

  /** Bank calls by bank and outcome with latency; a bank code not configured in the relay is `other`. */
  attachRelay(relay: Relay): void {
    for (const b of relay.bankCodes) if (BANK_CODE.test(b)) this.banks.add(b);
    this.undo.push(relay.observe((c) => {
      const bank = this.banks.has(c.bankCode) ? c.bankCode : OTHER;
      this.bankCalls.inc({ bank, op: c.op, code: bounded(c.code, BANK_CALL_CODES) });
      this.bankSeconds.observe({ bank, op: c.op }, c.seconds);
    }));
  }

  /** One answered HTTP request (the fastify onResponse hook calls this; see http.ts). */
  /** The voucher module's counters (its VoucherMetrics): events from a fixed set, outcomes ok/refused/started/a state or a VOUCHER_ code, else 'other'. */
  readonly voucherEvent = (event: string, outcome: string): void => {
    const e = ['pin_failure', 'lockout', 'redemption', 'activation'].includes(event) ? event : 'other';
    const o = /^(ok|refused|started|authorized|captured)$/.test(outcome) || /^VOUCHER_[A-Z_]{1,40}$/.test(outcome) ? outcome : 'other';
    this.voucherEvents.inc({ event: e, outcome: o });
  };

  observeHttp(route: string | undefined, method: string, status: number, seconds: number): void {
    const r = route ?? OTHER;
    const m = bounded(method, HTTP_METHODS);
    this.httpRequests.inc({ route: r, method: m, status: statusLabel(status) });
    this.httpSeconds.observe({ route: r, method: m }, seconds);
  }

  /** Stops observing (the center calls it on close). */
  detach(): void {
    for (const off of this.undo.splice(0)) off();
  }

  // ---- internals ----

  private answered(req: TerminalRequest, res: CenterResponse, startMs: number): void {
    const type = bounded(req.type, REQUEST_TYPES);
    this.requests.inc({ type, response: bounded(res.type, RESPONSE_TYPES), code: responseCode(res) });
    this.requestSeconds.observe({ type }, (this.clock.monoMs() - startMs) / 1000);
    if (req.type !== 'validityRequest') return;
    const answer = res.type === 'validityAck' ? 'ack' : res.type === 'validityEarlyAck' ? 'early_ack' : res.type === 'validityNak' ? 'nak' : undefined;
    if (answer) this.validityAnswers.inc({ answer });
  }

  private failed(req: TerminalRequest, e: unknown, startMs: number): void {
    const type = bounded(req.type, REQUEST_TYPES);
    // The session answers an unserved type with that code and any other failure as PROTO_HANDLER_FAILED (net/types.ts).
    const code = isProtocolError(e) && e.code === 'PROTO_UNEXPECTED_MESSAGE' ? e.code : 'PROTO_HANDLER_FAILED';
    this.requests.inc({ type, response: 'error', code });
    this.requestSeconds.observe({ type }, (this.clock.monoMs() - startMs) / 1000);
  }

  private attachValidityStore(mode: string, store: { stats(): ValidityStoreStats } | null): void {
    const registers = [this.registry];
    new Gauge({ name: 'tessera_center_validity_mode', help: 'The validity mode this center runs (1 for its mode)', labelNames: ['mode'], registers }).set({ mode: bounded(mode, MODES) }, 1);
    if (!store) return;
    new Gauge({
      name: 'tessera_center_validity_cache_entries',
      help: 'Entries in the prefetched validity store, by list',
      labelNames: ['list'],
      registers,
      collect() {
        const s = store.stats();
        this.set({ list: 'media' }, s.media);
        this.set({ list: 'terminals' }, s.terminals);
      },
    });
    new Gauge({
      name: 'tessera_center_validity_cache_bytes',
      help: 'Bytes of the media table (outside the V8 heap)',
      registers,
      collect() {
        this.set(store.stats().mediaTableBytes);
      },
    });
    new Gauge({
      name: 'tessera_center_validity_version',
      help: 'Validity data version the store has applied',
      registers,
      collect() {
        this.set(store.stats().version);
      },
    });
    monotonic(this.registry, 'tessera_center_validity_reloads_total', 'Full reloads of the validity store', () => store.stats().reloads);
    monotonic(this.registry, 'tessera_center_validity_changes_applied_total', 'Changes applied to the validity store from the change feed', () => store.stats().changesApplied);
  }

  private attachSecurity(read: () => SecurityCounts): void {
    const last: Partial<Record<SecurityEvent, number>> = {};
    new Counter({
      name: 'tessera_center_security_events_total',
      help: 'Attacks seen by the terminal listener (center/net/security-log.ts): BAD_MAC, REPLAY, AUTH_FAILED, TOO_MANY_CONNECTIONS, …',
      labelNames: ['event'],
      registers: [this.registry],
      collect() {
        const now = read();
        for (const [event, label] of Object.entries(SECURITY_EVENT_LABELS) as [SecurityEvent, string][]) {
          const n = now[event];
          this.inc({ event: label }, Math.max(0, n - (last[event] ?? 0)));
          last[event] = n;
        }
      },
    });
  }
}

/** Default process metrics whose collection grows with the number of connected terminals. */
const O_N_PROCESS_METRICS = [
  'process_open_fds',
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
];

const MODES: ReadonlySet<string> = new Set(['direct', 'cached', 'cached-medium', 'cached-terminal']);

/** A counter that mirrors a monotonic number read at scrape time. */
function monotonic(registry: Registry, name: string, help: string, read: () => number): void {
  let last = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const n = read();
      this.inc(Math.max(0, n - last));
      last = Math.max(last, n);
    },
  });
}
