/**
 * The shared HTTP app factory (center/http/app.ts) on a real listener, called
 * with fetch/undici: coded errors with the registry's status, field paths on
 * validation errors, 405 vs 404, body limit, bearer auth with needs, rate
 * limit with Retry-After, helmet headers, OpenAPI document that validates,
 * plain HTTP only on loopback, HTTPS with a certificate made by openssl.
 */
import fastifyHelmet from '@fastify/helmet';
import { Validator } from '@seriousme/openapi-schema-validator';
import fastify from 'fastify';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as ufetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorResponses, openObject, startHttpServer, type HttpListening } from '../../../center/http/app.js';
import '../../../center/storage/errors.js';
import { TesseraError } from '../../../core/errors.js';
import { createLogger } from '../../../core/log.js';

const TOKENS: Record<string, string> = { 'tok-viewer-0123456789': 'viewer', 'tok-admin-0123456789': 'admin' };
const logLines: string[] = [];
let server: HttpListening;
let hits = 0;

async function call(method: string, path: string, init: { body?: string; token?: string } = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  const res = await fetch(`${server.url}${path}`, { method, headers, ...(init.body !== undefined && { body: init.body }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

beforeAll(async () => {
  server = await startHttpServer({
    title: 'test', host: '127.0.0.1', port: 0,
    log: createLogger('http-test', { level: 'info' }, { write: (l: string) => void logLines.push(l) }),
    auth: {
      verify: async (token) => TOKENS[token] ?? null,
      allows: (role: string, need) => need === undefined || role === need || role === 'admin',
    },
    rateLimit: { max: 40, timeWindowMs: 60_000, keyGenerator: (req) => String(req.headers['x-client'] ?? req.ip) },
    contributors: [
      (app) => {
        app.post('/things', {
          schema: {
            body: z.object({ name: z.string().max(8), count: z.number().int() }).strict(),
            response: { 200: z.object({ made: z.string() }), ...errorResponses },
          },
          config: { need: 'admin' },
        }, async (req) => ({ made: req.body.name }));
        app.get('/things/:id', { schema: { params: z.object({ id: z.string().regex(/^[a-z]+$/) }) } }, async (req) => ({ id: req.params.id }));
        app.get('/open', { config: { public: true } }, async () => ({ ok: true }));
        app.get('/coded', { config: { public: true } }, async () => {
          throw new TesseraError('STORE_NOT_FOUND', 'nothing here', { id: 'x' });
        });
        app.get('/boom', { config: { public: true } }, async () => {
          throw new Error('secret internals at /some/file.ts:12');
        });
        app.get('/limited', { config: { public: true } }, async () => ({ hit: ++hits }));
        const shaped = z.object({ id: z.string(), n: z.number().int(), opt: z.string().optional(), nul: z.string().nullable(), loose: openObject({ a: z.string() }) });
        app.get('/shaped', { schema: { response: { 200: shaped, ...errorResponses } }, config: { public: true } }, async () =>
          ({ id: 'x', n: 3, nul: null, loose: { a: '1', b: 2 }, internalNote: 'not for clients' }) as z.infer<typeof shaped>);
        app.get('/shaped-missing', { schema: { response: { 200: shaped, ...errorResponses } }, config: { public: true } }, async () =>
          ({ n: 3, nul: 'y', loose: { a: '1' } }) as unknown as z.infer<typeof shaped>);
      },
    ],
  });
});

afterAll(async () => {
  await server.close();
});

describe('shared HTTP app', () => {
  it('answers validation errors as a coded 400 naming each field path, and unknown fields too', async () => {
    const wrong = await call('POST', '/things', { body: JSON.stringify({ name: 5, count: 'x' }), token: 'tok-admin-0123456789' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe('HTTP_INVALID_REQUEST');
    expect(wrong.json.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['count', 'name']);
    const unknown = await call('POST', '/things', { body: JSON.stringify({ name: 'a', count: 1, extra: true }), token: 'tok-admin-0123456789' });
    expect(unknown.json.error.code).toBe('HTTP_INVALID_REQUEST');
    const param = await call('GET', '/things/ABC', { token: 'tok-viewer-0123456789' });
    expect(param.status).toBe(400);
    expect(param.json.error.details).toMatchObject({ in: 'params', issues: [{ path: 'id' }] });
    const ok = await call('POST', '/things', { body: JSON.stringify({ name: 'a', count: 1 }), token: 'tok-admin-0123456789' });
    expect(ok).toMatchObject({ status: 200, json: { made: 'a' } });
  });

  it('answers malformed JSON, huge bodies, wrong methods and unknown paths with codes and their statuses', async () => {
    const admin = 'tok-admin-0123456789';
    expect((await call('POST', '/things', { body: '{"name":', token: admin })).json.error.code).toBe('HTTP_BAD_JSON');
    const huge = await call('POST', '/things', { body: 'x'.repeat(1_048_577), token: admin });
    expect({ status: huge.status, code: huge.json.error.code }).toEqual({ status: 413, code: 'HTTP_BODY_TOO_LARGE' });
    const method = await call('DELETE', '/things');
    expect({ status: method.status, code: method.json.error.code, allowed: method.json.error.details.allowed }).toEqual({ status: 405, code: 'HTTP_METHOD_NOT_ALLOWED', allowed: ['POST'] });
    expect(method.headers.get('allow')).toBe('POST');
    expect((await call('PUT', '/things/abc')).status).toBe(405);
    const none = await call('GET', '/nowhere');
    expect({ status: none.status, code: none.json.error.code }).toEqual({ status: 404, code: 'HTTP_NO_ROUTE' });
    const coded = await call('GET', '/coded');
    expect({ status: coded.status, error: coded.json.error }).toEqual({ status: 404, error: { code: 'STORE_NOT_FOUND', message: 'nothing here', details: { id: 'x' }, remedy: 'Check the id; add the medium or terminal first.' } });
  });

  it('never answers a stack or an internal message; a fault is HTTP_INTERNAL and logged', async () => {
    const r = await call('GET', '/boom');
    expect(r.status).toBe(500);
    expect(r.json.error).toEqual({ code: 'HTTP_INTERNAL', message: 'internal error', details: { cause: 'INTERNAL' }, remedy: 'Read the center log for the request; report it.' });
    expect(JSON.stringify(r.json)).not.toMatch(/file\.ts|stack|secret/);
    expect(logLines.some((l) => l.includes('http request failed'))).toBe(true);
  });

  it('answers what the response schema names (fast-json-stringify from it): other fields left out, a loose object kept whole, a missing field a coded 500', async () => {
    const r = await call('GET', '/shaped');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ id: 'x', n: 3, nul: null, loose: { a: '1', b: 2 } });
    const missing = await call('GET', '/shaped-missing');
    expect(missing.status).toBe(500);
    expect(missing.json.error.code).toBe('HTTP_INTERNAL');
    expect(JSON.stringify(missing.json)).not.toMatch(/required|stack/);
  });

  it('needs a bearer token unless the route is public, and the role the route needs; the token is never echoed or logged', async () => {
    const none = await call('GET', '/things/abc');
    expect({ status: none.status, code: none.json.error.code }).toEqual({ status: 401, code: 'HTTP_UNAUTHORIZED' });
    const bad = await call('GET', '/things/abc', { token: 'tok-nobody-0123456789' });
    expect({ status: bad.status, code: bad.json.error.code }).toEqual({ status: 401, code: 'HTTP_UNAUTHORIZED' });
    const viewer = await call('POST', '/things', { body: JSON.stringify({ name: 'a', count: 1 }), token: 'tok-viewer-0123456789' });
    expect({ status: viewer.status, code: viewer.json.error.code, need: viewer.json.error.details.need }).toEqual({ status: 403, code: 'HTTP_FORBIDDEN', need: 'admin' });
    expect((await call('GET', '/things/abc', { token: 'tok-viewer-0123456789' })).json).toEqual({ id: 'abc' });
    expect((await call('GET', '/open')).json).toEqual({ ok: true });
    // The scheme's name is case-insensitive (RFC 9110 §11.1).
    for (const scheme of ['bearer', 'BEARER']) {
      const r = await fetch(`${server.url}/things/abc`, { headers: { authorization: `${scheme} tok-viewer-0123456789` } });
      expect({ scheme, status: r.status }).toEqual({ scheme, status: 200 });
    }
    expect(JSON.stringify([none.json, bad.json, viewer.json])).not.toContain('tok-');
    expect(logLines.join('\n')).not.toContain('tok-');
  });

  it('sets every header @fastify/helmet sets (taken once, not rebuilt per request), on answers, coded errors and unknown paths', async () => {
    const reference = fastify({ logger: false });
    await reference.register(fastifyHelmet, { global: true });
    reference.get('/', async () => ({ ok: true }));
    const ref = await reference.inject({ method: 'GET', url: '/' });
    await reference.close();
    const helmetNames = Object.keys(ref.headers).filter((n) => !['content-type', 'content-length', 'date', 'connection', 'keep-alive'].includes(n));
    expect(helmetNames).toEqual(expect.arrayContaining(['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options']));
    for (const path of ['/open', '/coded', '/no/such/path']) {
      const r = await call('GET', path);
      for (const name of helmetNames) expect([path, name, r.headers.get(name)]).toEqual([path, name, ref.headers[name]]);
    }
  });

  it('limits the request rate per client with a coded 429 and Retry-After, and sets helmet headers', async () => {
    const get = (): Promise<Response> => fetch(`${server.url}/limited`, { headers: { 'x-client': 'flooder' } });
    const first = await get();
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.headers.get('strict-transport-security')).toBeTruthy();
    let limited: Response | undefined;
    for (let i = 0; i < 60 && !limited; i++) {
      const r = await get();
      if (r.status === 429) limited = r;
      else await r.arrayBuffer();
    }
    expect(limited).toBeDefined();
    expect(((await limited!.json()) as { error: { code: string } }).error.code).toBe('HTTP_RATE_LIMITED');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client is not limited.
    expect((await fetch(`${server.url}/limited`, { headers: { 'x-client': 'other' } })).status).toBe(200);
  });

  it('serves an OpenAPI 3 document that validates and covers every route, and a reference page', async () => {
    // The reference page first: the validator's schema compilation below blocks this process's event loop
    // for a while, which under-pressure (rightly) answers with 503 until its next sample.
    const page = await fetch(`${server.url}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const doc = (await call('GET', '/openapi.json')).json;
    const v = new Validator();
    const res = await v.validate(doc);
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(Object.keys(doc.paths).sort()).toEqual(['/boom', '/coded', '/limited', '/open', '/shaped', '/shaped-missing', '/things', '/things/{id}']);
    expect(doc.paths['/things'].post.requestBody.content['application/json'].schema.required).toEqual(['name', 'count']);
  });
});

describe('listeners', () => {
  it('refuses plain HTTP off loopback (HTTP_PLAIN_NOT_LOOPBACK)', async () => {
    await expect(startHttpServer({ title: 't', host: '0.0.0.0', port: 0 })).rejects.toMatchObject({ code: 'HTTP_PLAIN_NOT_LOOPBACK' });
  });

  it('serves HTTPS with a certificate and key from files, on any address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-http-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      const cert = readFileSync(join(dir, 'cert.pem'));
      const tls = await startHttpServer({
        title: 't', host: '0.0.0.0', port: 0, tls: { cert, key: readFileSync(join(dir, 'key.pem')) },
        contributors: [(app) => void app.get('/hello', async () => ({ hello: true }))],
      });
      try {
        expect(tls.url.startsWith('https://')).toBe(true);
        const dispatcher = new Agent({ connect: { ca: cert } });
        const r = await ufetch(`https://127.0.0.1:${tls.port}/hello`, { dispatcher });
        expect(await r.json()).toEqual({ hello: true });
        await expect(fetch(`http://127.0.0.1:${tls.port}/hello`)).rejects.toThrow();
        await dispatcher.close();
      } finally {
        await tls.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('query strings', () => {
  it('validates a route\'s query once per distinct query string: the same query again is answered from the remembered (frozen) result, another or an invalid one is validated', async () => {
    let parsed = 0;
    const seen: unknown[] = [];
    const s = await startHttpServer({
      title: 'query', host: '127.0.0.1', port: 0, rateLimit: false,
      contributors: [
        (app) => void app.get('/list', {
          config: { public: true },
          schema: {
            querystring: z.object({ limit: z.coerce.number().int().min(1).max(50).default(10), tag: z.string().max(5).optional() }).refine(() => ++parsed > 0),
          },
        }, async (req) => {
          seen.push(req.query);
          return { limit: req.query.limit, tag: req.query.tag ?? null, frozen: Object.isFrozen(req.query) };
        }),
      ],
    });
    try {
      const get = async (q: string): Promise<{ status: number; json: any }> => {
        const r = await fetch(`${s.url}/list${q}`);
        return { status: r.status, json: await r.json() };
      };
      expect(await get('?limit=5')).toEqual({ status: 200, json: { limit: 5, tag: null, frozen: true } });
      expect(await get('?limit=5')).toEqual({ status: 200, json: { limit: 5, tag: null, frozen: true } });
      expect(parsed).toBe(1);
      expect(seen[1]).toBe(seen[0]);
      expect(await get('?limit=5&tag=a')).toEqual({ status: 200, json: { limit: 5, tag: 'a', frozen: true } });
      expect(await get('')).toEqual({ status: 200, json: { limit: 10, tag: null, frozen: true } });
      expect(parsed).toBe(3);
      // An invalid query is validated every time (zod runs the refinement on each).
      for (let i = 0; i < 2; i++) {
        const bad = await get('?limit=500');
        expect(bad.status).toBe(400);
        expect(bad.json.error.code).toBe('HTTP_INVALID_REQUEST');
      }
      expect(parsed).toBe(5);
      // A repeated key (an array) is not remembered: refused every time; the remembered query still answers.
      expect((await get('?limit=5&limit=6')).status).toBe(400);
      expect((await get('?limit=5&limit=6')).status).toBe(400);
      expect((await get('?limit=5')).json.limit).toBe(5);
      expect(seen.at(-1)).toBe(seen[0]);
    } finally {
      await s.close();
    }
  });
});
