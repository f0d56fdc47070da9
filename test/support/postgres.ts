/**
 * Per-file PostgreSQL databases on the server started by postgres-global.ts,
 * so test files run in parallel without seeing each other's rows.
 */
import pg from 'pg';
import { inject } from 'vitest';

let counter = 0;

export function pgAdminUrl(): string {
  const url = inject('pgUrl');
  if (!url) throw new Error('no PostgreSQL server for tests: install it with `npm run sysdeps` (postgresql 15) or set TESSERA_PG_URL');
  return url;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE with a unique name; drop() removes it (forcing out leftover connections). */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const admin = pgAdminUrl();
  const name = `t_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${++counter}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  return {
    url: withDatabase(admin, name),
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      try {
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await d.end();
      }
    },
  };
}

/** Runs one statement on the admin database (e.g. pg_terminate_backend). */
export async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: pgAdminUrl() });
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}
