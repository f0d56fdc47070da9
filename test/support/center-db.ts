/**
 * The world's center database for tests (sim/world CenterDb): SQLite in the
 * world's directory, or a fresh PostgreSQL database per world on the test
 * server (test/support/postgres-global.ts), dropped when the world closes.
 * Every node of the world opens the same URL.
 *
 * The flag: TESSERA_TEST_CENTER_DB=postgres runs a suite that takes its
 * engine from centerDbFromFlag() with its center on PostgreSQL (default
 * sqlite); a `<suite>.postgres.test.ts` file sets it and imports the suite.
 */
import type { CenterDb } from '../../sim/world/world.js';
import { SQLITE_DB } from '../../sim/world/world.js';
import { createTestDatabase } from './postgres.js';

export { SQLITE_DB };

export const POSTGRES_DB: CenterDb = {
  name: 'postgres',
  open: async () => {
    const db = await createTestDatabase('emoney');
    return { target: { engine: 'postgres', url: db.url }, drop: () => db.drop() };
  },
};

export const CENTER_DB_FLAG = 'TESSERA_TEST_CENTER_DB';

/** The engine the flag names (sqlite when unset). */
export function centerDbFromFlag(): CenterDb {
  const v = process.env[CENTER_DB_FLAG] ?? 'sqlite';
  if (v === 'postgres') return POSTGRES_DB;
  if (v === 'sqlite') return SQLITE_DB;
  throw new Error(`${CENTER_DB_FLAG} must be sqlite or postgres, not ${v}`);
}
