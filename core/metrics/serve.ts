/**
 * A plain node:http `/metrics` endpoint for the programs that have no HTTP
 * framework of their own (terminal agent, bank host) and for a center run
 * without the admin listener. Loopback only: the text names no secrets, but
 * a scrape port is not something to open to a network without TLS and auth.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { TesseraError } from '../errors.js';
import './errors.js';
import { isLoopbackHost } from '../loopback.js';

export { isLoopbackHost };

export interface MetricsServer {
  readonly address: AddressInfo;
  close(): Promise<void>;
}


/** A request handler answering GET/HEAD /metrics from `registry`; other paths 404, other methods 405 (coded JSON bodies). */
export function metricsRequestHandler(registry: Registry): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return sendError(res, 404, 'METRICS_NOT_FOUND', 'only /metrics is served here');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendError(res, 405, 'METRICS_METHOD_NOT_ALLOWED', 'use GET');
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => sendError(res, 500, 'METRICS_COLLECT_FAILED', 'a metric could not be collected'),
    );
  };
}

/** Serves `registry` at http://host:port/metrics; the host must be a loopback address (METRICS_NOT_LOOPBACK). */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  if (!isLoopbackHost(host)) throw new TesseraError('METRICS_NOT_LOOPBACK', 'the metrics port binds a loopback address only', { path: 'metrics.host', host });
  const server: Server = createServer(metricsRequestHandler(registry));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((e: unknown) => {
    throw new TesseraError('METRICS_LISTEN_FAILED', `cannot listen on ${host}:${port} (metrics)`, { path: 'metrics.port', host, port }, { cause: e });
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message } }));
}
