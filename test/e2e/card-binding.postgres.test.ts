/**
 * card-binding.test.ts with the center on PostgreSQL (a fresh database on
 * the test server, test/support/center-db.ts): the same suite, the engine
 * flag set before it loads.
 */
import { expect, it } from 'vitest';
import { CENTER_DB_FLAG, centerDbFromFlag, POSTGRES_DB } from '../support/center-db.js';

process.env[CENTER_DB_FLAG] = 'postgres';
await import('./card-binding.test.js');

it('runs the suite above with its center on PostgreSQL', () => {
  expect(centerDbFromFlag()).toBe(POSTGRES_DB);
});
