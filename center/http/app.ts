/**
 * The one HTTP surface of the center (admin API, merchant API, /metrics,
 * health): a fastify 5 app with zod schemas (fastify-type-provider-zod), an
 * OpenAPI 3 document generated from them at `/openapi.json` and a reference
 * page at `/docs`, helmet headers, a rate limit, under-pressure shedding, a
 * body limit, bearer authentication with per-route needs, and coded errors:
 *
 *   { "error": { "code", "message", "details"? } }
 *
 * with the HTTP status registered beside the code (`defineErrors` specs'
 * `http`). Validation errors are 400 with each field path; a path served with
 * other methods answers 405 with `details.allowed`; no answer carries a stack.
 *
 * Routes come from contributors `(app) => void | Promise<void>` (the admin
 * routes, a module's routes, /metrics), registered before the app is ready.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyUnderPressure from '@fastify/under-pressure';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorCode, errorSpec, httpStatusOf, TesseraError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { isLoopbackHost } from '../../core/loopback.js';
import './errors.js';
import { fastSerializerCompiler } from './fast-serializer.js';
import { cachingValidatorCompiler } from './query-validator.js';
import { HTTP_LIMITS } from './limits.js';

export type HttpApp = FastifyInstance<HttpServer | HttpsServer, any, any, FastifyBaseLogger, ZodTypeProvider>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Adds routes to an app (the admin API, a module, /metrics). Called once, before the app is ready. */
export type RouteContributor = (app: HttpApp) => void | Promise<void>;

/** The codes an app answers for the framework's own refusals (defaults: HTTP_*). Each must have an `http` status in its registry. */
export interface HttpCodes {
  readonly badJson: string;
  readonly invalidRequest: string;
  readonly bodyTooLarge: string;
  readonly noRoute: string;
  readonly methodNotAllowed: string;
  readonly unauthorized: string;
  readonly forbidden: string;
  readonly rateLimited: string;
  readonly overloaded: string;
  readonly internal: string;
}

export const DEFAULT_HTTP_CODES: HttpCodes = {
  badJson: 'HTTP_BAD_JSON',
  invalidRequest: 'HTTP_INVALID_REQUEST',
  bodyTooLarge: 'HTTP_BODY_TOO_LARGE',
  noRoute: 'HTTP_NO_ROUTE',
  methodNotAllowed: 'HTTP_METHOD_NOT_ALLOWED',
  unauthorized: 'HTTP_UNAUTHORIZED',
  forbidden: 'HTTP_FORBIDDEN',
  rateLimited: 'HTTP_RATE_LIMITED',
  overloaded: 'HTTP_OVERLOADED',
  internal: 'HTTP_INTERNAL',
};

/**
 * Bearer authentication. Every route needs a principal unless its route
 * config says `public: true`; `config.need` (e.g. a role) is checked with
 * `allows`. The token itself is never logged, stored or echoed.
 */
export interface BearerAuth<P = unknown> {
  /**
   * The principal a token stands for, or null (unknown, revoked, expired);
   * a verifier that knows the answer without I/O (a cache) may give it
   * directly instead of a promise (no promise and microtask per request).
   */
  verify(token: string): P | null | Promise<P | null>;
  /** Whether the principal may call a route whose config has this `need` (undefined: any principal). */
  allows(principal: P, need: string | undefined): boolean;
}

export interface HttpAppOptions {
  /** OpenAPI info. */
  readonly title: string;
  readonly version?: string;
  readonly description?: string;
  readonly log?: Logger;
  readonly codes?: Partial<HttpCodes>;
  readonly contributors?: readonly RouteContributor[];
  readonly auth?: BearerAuth<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly bodyBytesMax?: number;
  readonly inflightMax?: number;
  readonly requestTimeoutMs?: number;
  /** false: no rate limit. `keyGenerator` defaults to the client address. */
  readonly rateLimit?:
    | false
    | {
        readonly max: number;
        readonly timeWindowMs: number;
        readonly keyGenerator?: (req: FastifyRequest) => string;
        /** Client addresses never limited (the admin listener: loopback, i.e. this host's own tools). */
        readonly allowList?: readonly string[];
      };
  readonly eventLoopDelayMsMax?: number;
  /** Serve HTTPS with this certificate and key (PEM); `minVersion` 'TLSv1.3' refuses older clients (the provider center, PROTOCOL.md §6.4). */
  readonly tls?: { readonly cert: Buffer | string; readonly key: Buffer | string; readonly minVersion?: 'TLSv1.2' | 'TLSv1.3' };
  /** Codes the app's own routes throw (checked at build: each must have an HTTP status). */
  readonly answers?: readonly string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs no token (health probes, /openapi.json). */
    public?: boolean;
    /** What the principal must be allowed (BearerAuth.allows), e.g. a role. */
    need?: string;
  }
  interface FastifyRequest {
    /** The authenticated principal (null on public routes or without auth). */
    principal: unknown;
  }
}

/** The coded error answer (the schema every route's 4xx/5xx shares in the OpenAPI document). */
export const errorAnswerSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    remedy: z.string().optional().describe('What to do about it (the error registry\'s action for the code; docs/ERRORS.md)'),
  }),
});

/** Responses every route documents beside its 200. */
export const errorResponses = { '4xx': errorAnswerSchema, '5xx': errorAnswerSchema } as const;

/**
 * An answer schema naming the fields a client relies on and passing the rest
 * through (domain objects: Account, Transfer, Medium); typed loosely so a
 * route can return the domain type as it is.
 */
export function openObject<S extends z.ZodRawShape>(shape: S): z.ZodType<object> {
  return z.looseObject(shape) as unknown as z.ZodType<object>;
}

/** A TesseraError with this code (its status is the registry's). */
export function httpError(code: string, message: string, details?: Record<string, unknown>): TesseraError {
  return new TesseraError(code, message, details);
}

export async function createHttpApp(opts: HttpAppOptions): Promise<HttpApp> {
  const codes: HttpCodes = { ...DEFAULT_HTTP_CODES, ...opts.codes };
  for (const code of [...Object.values(codes), ...(opts.answers ?? [])]) {
    if (httpStatusOf(code) === undefined) throw new Error(`HTTP app '${opts.title}': code ${code} has no HTTP status in its registry`);
  }
  const log = opts.log ?? silentLogger;
  const bodyLimit = opts.bodyBytesMax ?? HTTP_LIMITS.bodyBytesMax;
  const base = fastify({
    logger: false,
    bodyLimit,
    requestTimeout: opts.requestTimeoutMs ?? HTTP_LIMITS.requestTimeoutMs,
    return503OnClosing: true,
    // A path that does not decode (`%E0%A4%A`) names no route: a coded 404, not fastify's own 400.
    frameworkErrors: (error, _req, reply) => {
      const { status, body } = errorAnswer(error, codes);
      void (reply as unknown as FastifyReply).code(status).send(body);
    },
    ...(opts.tls && { https: { cert: opts.tls.cert, key: opts.tls.key, ...(opts.tls.minVersion && { minVersion: opts.tls.minVersion }) } }),
  }) as unknown as FastifyInstance;
  const app = base.withTypeProvider<ZodTypeProvider>() as unknown as HttpApp;
  // Zod, with each route's valid query strings remembered (query-validator.ts).
  app.setValidatorCompiler(cachingValidatorCompiler);
  // Answers by fast-json-stringify from each route's schema (fast-serializer.ts), not re-validated by zod.
  app.setSerializerCompiler(fastSerializerCompiler);
  app.decorateRequest('principal', null);
  installBodyParser(app, codes, bodyLimit);
  installErrors(app, codes, log);
  installInflightLimit(app, codes, opts.inflightMax ?? HTTP_LIMITS.inflightMax);
  await app.register(fastifyUnderPressure, {
    maxEventLoopDelay: opts.eventLoopDelayMsMax ?? HTTP_LIMITS.eventLoopDelayMsMax,
    retryAfter: 5,
    pressureHandler: (_req, reply, type, value) => {
      void reply.code(503).header('retry-after', '5').send(answer(codes.overloaded, 'the process is under pressure', { type, value }));
    },
  });
  installSecurityHeaders(app, await helmetHeaders());
  if (opts.rateLimit !== false) {
    const rl = opts.rateLimit ?? { max: HTTP_LIMITS.rateRequestsMax, timeWindowMs: HTTP_LIMITS.rateWindowMs };
    await app.register(fastifyRateLimit, {
      max: rl.max,
      timeWindow: rl.timeWindowMs,
      ...(rl.keyGenerator && { keyGenerator: rl.keyGenerator }),
      ...(rl.allowList && { allowList: [...rl.allowList] }),
      errorResponseBuilder: (_req, ctx) => {
        const e = new TesseraError(codes.rateLimited, 'rate limit exceeded', { max: ctx.max, retryAfterSeconds: Math.ceil(ctx.ttl / 1000) });
        return Object.assign(e, { statusCode: 429 });
      },
    });
  }
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: opts.title, version: opts.version ?? '1', ...(opts.description && { description: opts.description }) },
      ...(opts.auth && { components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } }, security: [{ bearer: [] }] }),
    },
    transform: jsonSchemaTransform,
  });
  // The reference page and its assets are public, like /openapi.json.
  app.addHook('onRoute', (r) => {
    if (r.url === '/docs' || r.url.startsWith('/docs/')) r.config = { ...r.config, public: true };
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { url: '/openapi.json' } as never });
  if (opts.auth) installAuth(app, codes, opts.auth);
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
  for (const contribute of opts.contributors ?? []) await contribute(app);
  await app.ready();
  return app;
}

let helmetHeadersOnce: Promise<Readonly<Record<string, string>>> | undefined;

/**
 * The headers @fastify/helmet (global, default options, no CSP nonces) sets:
 * the same on every answer, so they are taken once from the plugin itself
 * (one injected request to a throwaway app) instead of the plugin building a
 * helmet middleware and parsing its CSP directives on every request.
 */
export function helmetHeaders(): Promise<Readonly<Record<string, string>>> {
  helmetHeadersOnce ??= (async () => {
    const probe = fastify({ logger: false });
    try {
      await probe.register(fastifyHelmet, { global: true });
      probe.get('/', async () => '');
      const plain = fastify({ logger: false });
      plain.get('/', async () => '');
      const [withHelmet, without] = await Promise.all([probe.inject({ method: 'GET', url: '/' }), plain.inject({ method: 'GET', url: '/' })]);
      await plain.close();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(withHelmet.headers)) {
        if (without.headers[name] === undefined && typeof value === 'string') headers[name] = value;
      }
      return Object.freeze(headers);
    } finally {
      await probe.close();
    }
  })();
  return helmetHeadersOnce;
}

function installSecurityHeaders(app: HttpApp, headers: Readonly<Record<string, string>>): void {
  app.addHook('onRequest', (_req, reply, done) => {
    void reply.headers(headers);
    done();
  });
}

/** Every body is read as JSON whatever its content type (an empty body is `{}`); a non-JSON body gets the app's bad-JSON code. */
function installBodyParser(app: HttpApp, codes: HttpCodes, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body: Buffer, done) => {
    if (body.length === 0) return done(null, {});
    try {
      done(null, JSON.parse(body.toString('utf8')) as unknown);
    } catch {
      done(new TesseraError(codes.badJson, 'body is not JSON', { bytes: body.length }), undefined);
    }
  });
  // A POST without any body validates as `{}` (the admin API's convention: an empty body is an empty object).
  // Callback hooks here and below: every request runs them, and an async hook costs a promise and a microtask.
  app.addHook('preValidation', (req, _reply, done) => {
    if (req.body === undefined && req.method !== 'GET' && req.method !== 'HEAD') req.body = {};
    done();
  });
}

function answer(code: string, message: string, details?: Readonly<Record<string, unknown>>): z.infer<typeof errorAnswerSchema> {
  const remedy = errorSpec(code)?.action;
  return { error: { code, message, ...(details !== undefined && { details: details as Record<string, unknown> }), ...(remedy !== undefined && { remedy }) } };
}

function clip(s: string): string {
  return s.length > HTTP_LIMITS.issueCharsMax ? `${s.slice(0, HTTP_LIMITS.issueCharsMax)}…` : s;
}

/** The methods each route path is served with, to tell 405 from 404. */
function methodsByPath(app: HttpApp): (path: string) => string[] {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (r) => {
    const source = r.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+');
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).map(String).filter((m) => m !== 'HEAD');
    routes.push({ pattern: new RegExp(`^${source}$`), methods });
  });
  return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))];
}

function installErrors(app: HttpApp, codes: HttpCodes, log: Logger): void {
  const allowedFor = methodsByPath(app);
  app.setNotFoundHandler((req, reply) => {
    const path = (req.url.split('?')[0] ?? '/').slice(0, 512);
    const allowed = allowedFor(path);
    if (allowed.length > 0) {
      return reply.code(405).header('allow', allowed.join(', ')).send(answer(codes.methodNotAllowed, `no route ${req.method} ${path}`, { allowed }));
    }
    return reply.code(404).send(answer(codes.noRoute, `no route ${req.method} ${path}`, { allowed: [] }));
  });
  app.setErrorHandler((e: FastifyError | TesseraError | Error, req, reply) => {
    const { status, body } = errorAnswer(e, codes);
    if (status >= 500) log.error({ err: e, code: body.error.code, method: req.method, route: req.routeOptions.url ?? null }, 'http request failed');
    if (status === 429 && body.error.details?.['retryAfterSeconds'] !== undefined) void reply.header('retry-after', String(body.error.details['retryAfterSeconds']));
    return reply.code(status).send(body);
  });
}

/** The status and coded answer for an error thrown anywhere in a request. */
export function errorAnswer(e: unknown, codes: HttpCodes = DEFAULT_HTTP_CODES): { status: number; body: z.infer<typeof errorAnswerSchema> } {
  if (hasZodFastifySchemaValidationErrors(e)) {
    const where = (e as FastifyError).validationContext ?? 'body';
    const issues = e.validation.slice(0, HTTP_LIMITS.issuesMax).map((i) => ({
      path: clip(String(i.instancePath).replace(/^\//, '').replaceAll('/', '.')),
      message: clip(i.message ?? 'invalid'),
    }));
    return { status: 400, body: answer(codes.invalidRequest, `request ${where} has the wrong shape`, { in: where, issues }) };
  }
  if (e instanceof TesseraError) {
    const status = httpStatusOf(e.code) ?? 500;
    return { status, body: answer(e.code, e.message.replace(`${e.code}: `, ''), e.details) };
  }
  const fe = e as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 413, body: answer(codes.bodyTooLarge, 'body too large') };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 400, body: answer(codes.badJson, 'body is not JSON') };
    case 'FST_ERR_BAD_URL':
      return { status: 404, body: answer(codes.noRoute, 'malformed path', { allowed: [] }) };
    default:
      break;
  }
  if (fe.statusCode === 429) return { status: 429, body: answer(codes.rateLimited, 'rate limit exceeded') };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: 400, body: answer(codes.invalidRequest, 'bad request', { reason: String(fe.code ?? 'HTTP_400').slice(0, 64) }) };
  }
  return { status: httpStatusOf(codes.internal) ?? 500, body: answer(codes.internal, 'internal error', { cause: errorCode(e) }) };
}

function installInflightLimit(app: HttpApp, codes: HttpCodes, inflightMax: number): void {
  let inflight = 0;
  // One listener function for every response ('close' comes once per response).
  const ended = (): void => {
    inflight--;
  };
  app.addHook('onRequest', (_req, reply, done) => {
    if (inflight >= inflightMax) {
      void reply.header('retry-after', '1');
      done(new TesseraError(codes.overloaded, 'too many requests in flight', { inflightMax }));
      return;
    }
    inflight++;
    reply.raw.on('close', ended);
    done();
  });
}

/** The auth scheme's name is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are `Bearer`. */
const BEARER_RE = /^[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9._~+/=-]{1,256})$/;

function installAuth(app: HttpApp, codes: HttpCodes, auth: BearerAuth<unknown>): void {
  /** The principal known: the request goes on (null: refused). */
  const admit = (req: FastifyRequest, need: string | undefined, principal: unknown, done: (e?: Error) => void): void => {
    if (principal === null) return done(new TesseraError(codes.unauthorized, 'unknown or revoked token'));
    // Known before the role check, so a refusal for the wrong role is recorded with who tried.
    req.principal = principal;
    if (!auth.allows(principal, need)) return done(new TesseraError(codes.forbidden, 'this token may not call this route', { need: need ?? null }));
    done();
  };
  app.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: (e?: Error) => void) => {
    const route = req.routeOptions;
    // Unknown paths (404/405) and public routes need no token; the not-found handler answers them.
    if (route.url === undefined || route.config.public === true) return done();
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? BEARER_RE.exec(header) : null;
    if (!m) return done(new TesseraError(codes.unauthorized, header === undefined ? 'no bearer token' : 'malformed Authorization header'));
    let verified: unknown;
    try {
      verified = auth.verify(m[1]!);
    } catch (e) {
      return done(e as Error);
    }
    if (verified instanceof Promise) verified.then((p) => admit(req, route.config.need, p, done), (e: Error) => done(e));
    else admit(req, route.config.need, verified, done);
  });
}

export interface HttpListening {
  readonly app: HttpApp;
  readonly port: number;
  /** `http(s)://host:port` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Builds the app and listens. Without TLS it listens only on loopback
 * (HTTP_PLAIN_NOT_LOOPBACK otherwise): operators and shops reach the center
 * over TLS; plain HTTP is for tests and the demo on one machine.
 */
export async function startHttpServer(opts: HttpAppOptions & { readonly host: string; readonly port: number }): Promise<HttpListening> {
  if (!opts.tls && !isLoopbackHost(opts.host)) {
    throw new TesseraError('HTTP_PLAIN_NOT_LOOPBACK', `plain HTTP only on loopback, not ${opts.host}`, { host: opts.host, port: opts.port });
  }
  const app = await createHttpApp(opts);
  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (e) {
    await app.close().catch(() => undefined);
    throw new TesseraError('HTTP_LISTEN_FAILED', `cannot listen on ${opts.host}:${opts.port}`, { host: opts.host, port: opts.port }, { cause: e });
  }
  const port = (app.server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    app,
    port,
    url: `${opts.tls ? 'https' : 'http'}://${host}:${port}`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
