/**
 * HTTPS to the provider center (PROTOCOL.md §6.4): TLS 1.3 only, the
 * certificate checked against the pinned SHA-256 of its SPKI before any
 * byte of the request is written (the pin replaces the CA chain: a provider
 * may run a self-signed certificate), JSON in and out.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { request } from 'node:http';
import { connect, type TLSSocket } from 'node:tls';
import { TesseraError } from '../../core/errors.js';
import { PREPAID_CLIENT_LIMITS } from './limits.js';

export interface ProviderLink {
  post<T>(path: string, body: unknown): Promise<T>;
  get<T>(path: string): Promise<T>;
}

export function providerLink(o: { url: string; spkiPin: string }): ProviderLink {
  const base = new URL(o.url);
  const host = base.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = base.port === '' ? 443 : Number(base.port);

  function pinned(): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port, servername: /^[0-9.:]+$/.test(host) ? undefined : host, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', rejectUnauthorized: false, timeout: PREPAID_CLIENT_LIMITS.callTimeoutMs });
      s.once('secureConnect', () => {
        const pin = spkiPinOfPeer(s);
        if (pin !== o.spkiPin) {
          s.destroy();
          reject(new TesseraError('PPCLIENT_PIN_MISMATCH', 'the provider certificate\'s key is not the pinned one', { url: o.url }));
          return;
        }
        resolve(s);
      });
      s.once('timeout', () => s.destroy(new Error('timeout')));
      s.once('error', (e) => reject(unreachable(e, o.url)));
    });
  }

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const socket = await pinned();
    const raw = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), 'utf8');
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          // No `agent` (not even false: node then makes a new Agent, which ignores createConnection and opens plain TCP to the HTTPS port).
          host, port, method, path, createConnection: () => socket, timeout: PREPAID_CLIENT_LIMITS.callTimeoutMs,
          headers: { host: base.host, accept: 'application/json', ...(raw.length > 0 && { 'content-type': 'application/json', 'content-length': String(raw.length) }) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (e) => reject(unreachable(e, o.url)));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => reject(unreachable(e, o.url)));
      req.end(raw);
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new TesseraError('PPCLIENT_PROVIDER_ANSWER', `the provider answered ${status} with something that is not JSON`, { status, path });
    }
    if (status >= 200 && status < 300) return parsed as T;
    const err = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } }).error;
    if (typeof err?.code === 'string') {
      // The provider's own coded refusal (its registry's remedy is printed by the CLI); a 503 means: nothing known, resume.
      if (status === 503 || status === 429) throw new TesseraError('PPCLIENT_PROVIDER_UNREACHABLE', `the provider answered ${status} ${err.code}`, { status, path, providerCode: err.code });
      throw new TesseraError(err.code, typeof err.message === 'string' ? err.message : `the provider refused the request (${status})`, { status, path, ...(typeof err.details === 'object' && err.details ? (err.details as object) : {}) });
    }
    throw new TesseraError('PPCLIENT_PROVIDER_ANSWER', `the provider answered ${status}`, { status, path });
  }

  /** A front shedding load (503 HTTP_OVERLOADED) is asked again after a pause: the same request, so it is safe. */
  async function calls<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call<T>(method, path, body);
      } catch (e) {
        const shed = e instanceof TesseraError && e.details?.['providerCode'] === 'HTTP_OVERLOADED';
        if (!shed || attempt >= PREPAID_CLIENT_LIMITS.overloadedAttemptsMax) throw e;
        await new Promise((r) => setTimeout(r, PREPAID_CLIENT_LIMITS.overloadedPauseMs * attempt));
      }
    }
  }

  return { post: (path, body) => calls('POST', path, body), get: (path) => calls('GET', path) };
}

/** SHA-256 (hex) of the peer certificate's SubjectPublicKeyInfo (DER); '' when there is none. */
function spkiPinOfPeer(s: TLSSocket): string {
  const raw = s.getPeerCertificate()?.raw;
  if (!raw) return '';
  try {
    return createHash('sha256').update(new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
  } catch {
    return '';
  }
}

function unreachable(e: Error, url: string): TesseraError {
  if (e instanceof TesseraError) return e;
  const reason = (e as NodeJS.ErrnoException).code ?? e.message.slice(0, 40);
  return new TesseraError('PPCLIENT_PROVIDER_UNREACHABLE', 'the provider center could not be reached', { url, reason }, { cause: e });
}
