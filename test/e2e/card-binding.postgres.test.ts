/**
 * card-binding.test.ts with the center on PostgreSQL (a fresh database on
 * the test server, test/support/center-db.ts): the same suite, the engine
 * flag set before it loads.
 */
import { CENTER_DB_FLAG } from '../support/center-db.js';

process.env[CENTER_DB_FLAG] = 'postgres';
await import('./card-binding.test.js');
