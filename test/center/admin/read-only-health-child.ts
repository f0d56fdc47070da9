/**
 * Child process for test/cli/database-safety.test.ts: the admin API over a
 * database opened without the start-time writability check (as a center
 * whose disk became read-only after start would have it), so /health is
 * what tells. Prints `{"listening":<port>}`; runs until killed.
 */
import { systemClock } from '../../../core/clock.js';
import { Ledger } from '../../../center/ledger/ledger.js';
import { startAdminServer } from '../../../center/admin/server.js';
import { openStorage } from '../../../center/storage/open.js';

const storage = await openStorage({ engine: 'sqlite', path: process.argv[2]! }, { requireWritable: false });
const ledger = await Ledger.open(storage, systemClock);
const server = await startAdminServer({ storage, ledger, port: 0 });
process.stdout.write(`${JSON.stringify({ listening: server.port })}\n`);
