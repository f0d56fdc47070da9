/**
 * The e-money world's center database on PostgreSQL: a fresh database per
 * world on the test server (test/support/postgres-global.ts), dropped when
 * the world closes. Every node of the world opens the same URL.
 */
import { createTestDatabase } from '../../support/postgres.js';
import type { CenterDb } from './world.js';

export const POSTGRES_DB: CenterDb = {
  name: 'postgres',
  open: async () => {
    const db = await createTestDatabase('emoney');
    return { target: { engine: 'postgres', url: db.url }, drop: () => db.drop() };
  },
};
