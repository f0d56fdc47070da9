/**
 * The simulated bank host's metrics (a Registry of its own, served on an
 * optional loopback port, config `metrics`): HTTP requests by route and
 * status, transfers and reversals by outcome code with their latency.
 * Labels are fixed sets; an account, transfer id or PIN never is one.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { bounded } from '../../core/metrics/labels.js';
import { BANK_ERRORS } from '../../center/relay/bank/errors.js';

const ROUTES: ReadonlySet<string> = new Set(['/transfer', '/reverse', '/health']);
const CODES: ReadonlySet<string> = new Set(['OK', ...Object.keys(BANK_ERRORS)]);
const BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class BankMetrics {
  readonly registry = new Registry();
  private readonly http: Counter;
  private readonly calls: Counter;
  private readonly seconds: Histogram;

  constructor(o: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.http = new Counter({ name: 'tessera_bank_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers });
    this.calls = new Counter({ name: 'tessera_bank_operations_total', help: 'Transfers and reversals answered, by operation and outcome code', labelNames: ['op', 'code'], registers });
    this.seconds = new Histogram({ name: 'tessera_bank_operation_duration_seconds', help: 'Time to answer a transfer or reversal (database commit included)', labelNames: ['op'], buckets: BUCKETS_S, registers });
    for (const op of ['transfer', 'reverse']) this.calls.inc({ op, code: 'OK' }, 0);
    if (o.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  request(url: string | undefined, status: number): void {
    this.http.inc({ route: bounded((url ?? '').split('?')[0], ROUTES), status: status >= 100 && status <= 599 ? String(status) : 'other' });
  }

  operation(op: 'transfer' | 'reverse', code: string, seconds: number): void {
    this.calls.inc({ op, code: bounded(code, CODES) });
    this.seconds.observe({ op }, seconds);
  }
}
