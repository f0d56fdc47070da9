/**
 * Probes (no token needed):
 *   GET /livez   the process answers (nothing else is asked)
 *   GET /readyz  the database takes a real write (a row inserted and rolled
 *                back), every module's migrations are current, and each
 *                further check passes (validity store loaded, banks reachable
 *                when e-money is on); otherwise 503 ADMIN_NOT_READY with
 *                each failed check's code in details.checks
 *   GET /health  the older probe: the database is writable (503 STORE_READ_ONLY otherwise)
 */
import { z } from 'zod';
import { errorCode, TesseraError } from '../../core/errors.js';
import { errorResponses, type RouteContributor } from '../http/app.js';
import { checkWritable } from '../storage/open.js';
import type { ModuleMigrations, Storage } from '../storage/types.js';

/** A readiness check: resolves when ready, throws a coded error saying why not. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

const checkResult = z.object({ name: z.string(), ok: z.boolean(), code: z.string().optional(), message: z.string().optional() });

/** Inserts a row and rolls it back: the database takes writes now. */
export function databaseWritable(storage: Storage): ReadinessCheck {
  const rollback = new Error('readiness probe rolled back');
  return {
    name: 'database takes a write',
    async check() {
      try {
        await storage.transact(async (tx) => {
          await tx.run(
            `INSERT INTO admin_audit_trail (id, at_ms, actor, role, method, route, target_ids, outcome, code, source_address, finished_ms)
             VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
            ['readyz-probe', 0, null, null, 'GET', '/readyz', '[]', 'ok', null, null, 0],
          );
          throw rollback;
        });
      } catch (e) {
        if (e === rollback) return;
        // The engine's own verdict names the cause (read-only file, standby server, full disk).
        await checkWritable(storage);
        throw e;
      }
    },
  };
}

/** Every module's recorded migration version is at least the code's latest. */
export function migrationsCurrent(storage: Storage, modules: readonly ModuleMigrations[]): ReadinessCheck {
  return {
    name: 'migrations current',
    async check() {
      for (const m of modules) {
        const want = Math.max(...m.migrations.map((x) => x.version));
        const row = await storage.read((q) => q.get<{ v: number | string | null }>('SELECT MAX(version) AS v FROM schema_migrations WHERE module = ?', [m.module]));
        const have = row?.v === null || row?.v === undefined ? 0 : Number(row.v);
        if (have < want) throw new TesseraError('ADMIN_MIGRATIONS_BEHIND', `module ${m.module} is at migration ${have}, the code at ${want}`, { module: m.module, have, want });
      }
    },
  };
}

/** How long a reachability probe waits for an answer. */
export const READINESS_PROBE_TIMEOUT_MS = 2_000;

/**
 * A peer answers an HTTP GET (e.g. a bank host's `/health`) within
 * READINESS_PROBE_TIMEOUT_MS with a 2xx; otherwise `code` (e.g.
 * RELAY_BANK_UNREACHABLE). The URL's query and credentials are never echoed.
 */
export function httpReachable(name: string, url: string, code: string): ReadinessCheck {
  return {
    name,
    async check() {
      let status: number;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(READINESS_PROBE_TIMEOUT_MS) });
        status = res.status;
        await res.arrayBuffer();
      } catch (e) {
        throw new TesseraError(code, `${name}: no answer within ${READINESS_PROBE_TIMEOUT_MS} ms`, { reason: errorCode(e) }, { cause: e });
      }
      if (status < 200 || status > 299) throw new TesseraError(code, `${name}: answered HTTP ${status}`, { status });
    },
  };
}

export function readinessRoutes(storage: Storage, migrations: readonly ModuleMigrations[], extra: readonly ReadinessCheck[]): RouteContributor {
  const checks = [databaseWritable(storage), migrationsCurrent(storage, migrations), ...extra];
  return (app) => {
    app.get('/livez', { schema: { response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses } }, config: { public: true } }, async () => ({ ok: true as const }));
    app.get('/readyz', {
      schema: { response: { 200: z.object({ ready: z.literal(true), checks: z.array(checkResult) }), ...errorResponses } },
      config: { public: true },
    }, async () => {
      const results = await Promise.all(checks.map(async (c) => {
        try {
          await c.check();
          return { name: c.name, ok: true };
        } catch (e) {
          const code = errorCode(e);
          const message = e instanceof TesseraError ? e.message.replace(`${code}: `, '') : 'check failed';
          return { name: c.name, ok: false, code, message: message.slice(0, 200) };
        }
      }));
      if (results.some((r) => !r.ok)) throw new TesseraError('ADMIN_NOT_READY', 'not ready', { checks: results });
      return { ready: true as const, checks: results };
    });
    // A database that cannot be written is not healthy: the probe answers STORE_READ_ONLY (503) instead of ok.
    app.get('/health', {
      schema: { response: { 200: z.object({ ok: z.literal(true), engine: z.string(), writable: z.literal(true) }), ...errorResponses } },
      config: { public: true },
    }, async () => {
      await checkWritable(storage);
      return { ok: true as const, engine: storage.engine, writable: true as const };
    });
  };
}
