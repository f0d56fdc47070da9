import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { concurrencySuite } from './concurrency-suite.js';

describe('voucher redemptions racing on two nodes (SQLite, one file)', () => {
  concurrencySuite(async () => ({ options: { engine: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'voucher-race-')), 'center.db') }, drop: async () => undefined }));
});
