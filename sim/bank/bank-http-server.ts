/**
 * Serves one bank host over HTTP/JSON so a simulated bank can run as its own
 * process (the demo): POST /transfer, POST /reverse, GET /health. Loopback
 * only by default; a real bank link would be a leased line with TLS.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../../core/log.js';
import type { BankTransferRequest } from '../../center/relay/types.js';
import type { BankHost } from './bank-host.js';
import type { BankMetrics } from './bank-metrics.js';
import { BANK_LIMITS } from './limits.js';

export interface BankHttpServer {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

export async function serveBankHttp(bank: BankHost, o: { host?: string; port?: number; log?: Logger; metrics?: BankMetrics } = {}): Promise<BankHttpServer> {
  const log = o.log ?? silentLogger;
  const server: Server = createServer((req, res) => {
    if (o.metrics) {
      const m = o.metrics;
      res.once('finish', () => m.request(req.url, res.statusCode));
    }
    handle(bank, req, res, o.metrics).catch((e: unknown) => {
      log.error({ bank: bank.bankCode, err: e instanceof Error ? e.name : 'unknown' }, 'bank request failed');
      send(res, 500, { error: 'internal' });
    });
  });
  server.requestTimeout = BANK_LIMITS.bodyTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  return {
    address: server.address() as AddressInfo,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function handle(bank: BankHost, req: IncomingMessage, res: ServerResponse, metrics: BankMetrics | undefined): Promise<void> {
  if (req.method === 'GET' && req.url === '/health') return send(res, 200, { bankCode: bank.bankCode, name: bank.name });
  if (req.method !== 'POST') return send(res, 405, { error: 'method' });
  const body = await readJson(req);
  if (body === undefined) return send(res, 400, { code: 'BANK_BAD_REQUEST' });
  // Durations for metrics only; nothing is decided on them.
  const startMs = performance.now();
  const seconds = (): number => (performance.now() - startMs) / 1000;
  if (req.url === '/transfer') {
    const out = await bank.transfer(body as unknown as BankTransferRequest);
    metrics?.operation('transfer', out.code, seconds());
    return send(res, 200, out);
  }
  if (req.url === '/reverse' && typeof body['transferId'] === 'string') {
    const out = await bank.reverse(body['transferId']);
    metrics?.operation('reverse', out.code, seconds());
    return send(res, 200, out);
  }
  return send(res, 404, { error: 'path' });
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BANK_LIMITS.bodyBytesMax) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve(v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined);
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
