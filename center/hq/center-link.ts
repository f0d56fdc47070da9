/**
 * The HQ's side of the link to the settlement center (PROTOCOL.md §6.5.1):
 * JSON over HTTPS, every request signed with the HQ's Ed25519 key, a new
 * nonce and timestamp per attempt. A coded refusal (4xx with an error code,
 * but not a signature, rate or load refusal) is the center's final answer;
 * anything else is HQ_LINK_FAILED and the outbox repeats the request.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { isLoopbackHost } from '../../core/loopback.js';
import type { Random } from '../../core/random.js';
import { HQ_LIMITS } from './limits.js';
import { signRequest } from './signature.js';

export type LinkAnswer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: number; readonly code: string; readonly details: Record<string, unknown> };

export interface CenterLink {
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<LinkAnswer<T>>;
}

/** Refusals that are not the center's verdict on the request: repeat later (new signature). */
const RETRYABLE_STATUS = new Set([401, 408, 425, 429]);

export function httpsCenterLink(o: { url: string; ca?: Buffer; hqId: string; key: KeyObject; clock: Clock; random: Random }): CenterLink {
  const base = new URL(o.url);
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && isLoopbackHost(base.hostname.replace(/^\[(.*)\]$/, '$1')))) {
    throw new TesseraError('HQ_CONFIG_INVALID', 'the center link is HTTPS (plain HTTP only on loopback)', { path: 'hq.center.url' });
  }
  const prefix = base.pathname.replace(/\/$/, '');
  return {
    async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<LinkAnswer<T>> {
      const raw = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), 'utf8');
      const target = `${prefix}${path}`;
      const headers = signRequest(o.key, { method, path: target, hqId: o.hqId, timestampMs: o.clock.nowMs(), nonce: o.random.bytes(16).toString('hex'), body: raw });
      const { status, text } = await send(base, method, target, raw, headers, o.ca);
      let parsed: unknown;
      try {
        parsed = text.length ? JSON.parse(text) : {};
      } catch {
        throw new TesseraError('HQ_LINK_FAILED', 'the center answered something that is not JSON', { status, path });
      }
      if (status >= 200 && status < 300) return { ok: true, value: parsed as T };
      const err = (parsed as { error?: { code?: unknown; details?: unknown } }).error;
      const code = typeof err?.code === 'string' ? err.code : null;
      if (status >= 400 && status < 500 && !RETRYABLE_STATUS.has(status) && code !== null) {
        return { ok: false, status, code, details: (err?.details ?? {}) as Record<string, unknown> };
      }
      throw new TesseraError('HQ_LINK_FAILED', `the center answered ${status}`, { status, path, ...(code && { centerCode: code }) });
    },
  };
}

function send(base: URL, method: string, target: string, body: Buffer, signed: Record<string, string>, ca?: Buffer): Promise<{ status: number; text: string }> {
  const tls = base.protocol === 'https:';
  const make = tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = make(
      {
        host: base.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: base.port === '' ? (tls ? 443 : 80) : Number(base.port),
        method,
        path: target,
        headers: { ...signed, accept: 'application/json', ...(body.length > 0 && { 'content-type': 'application/json', 'content-length': String(body.length) }) },
        timeout: HQ_LIMITS.linkCallTimeoutMs,
        ...(tls && ca && { ca }),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => reject(linkFailed(e, target)));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => reject(linkFailed(e, target)));
    req.end(body);
  });
}

function linkFailed(e: Error, path: string): TesseraError {
  const reason = (e as NodeJS.ErrnoException).code ?? e.message.slice(0, 40);
  return new TesseraError('HQ_LINK_FAILED', 'the settlement center could not be reached', { path, reason }, { cause: e });
}
