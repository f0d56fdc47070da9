import { describe } from 'vitest';
import { createTestDatabase } from '../../support/postgres.js';
import { concurrencySuite } from './concurrency-suite.js';

describe('voucher redemptions racing on two center nodes (PostgreSQL, one database)', () => {
  concurrencySuite(async () => {
    const db = await createTestDatabase('voucher');
    return { options: { engine: 'postgres', url: db.url }, drop: () => db.drop() };
  });
});
