/**
 * A minimal center: storage + ledger + admin API (and the pending-transfer
 * sweep). Used by the crash test and for operating a ledger by hand:
 *
 *   tsx center/admin/serve.ts --db ./center.db [--port 0] [--host 127.0.0.1] [--admin-token-file F]
 *
 * `--admin-token-file F`: when F does not exist, an admin operator is added
 * and its token written to F (mode 0600, nowhere else); an existing F is left
 * as it is (a restart on the same database keeps its operator).
 * Prints one line `{"listening":<port>}` on stdout when ready. SIGTERM/SIGINT
 * close it cleanly; SIGKILL is what the crash test uses.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { systemClock } from '../../core/clock.js';
import { formatOperatorError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { Ledger } from '../ledger/ledger.js';
import { openStorage } from '../storage/open.js';
import { systemRandom } from '../../core/random.js';
import { Operators } from './operators.js';
import { startAdminServer } from './server.js';

/** How often expired pending transfers are voided. */
const SWEEP_INTERVAL_MS = 1_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' }, port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, 'admin-token-file': { type: 'string' },
    },
  });
  if (!values.db) throw new Error('--db <sqlite path or postgres url> is required');
  const log = createLogger('center-admin');
  const storage = await openStorage(values.db, { clock: systemClock, log });
  const ledger = await Ledger.open(storage, systemClock);
  const stopSweep = ledger.startExpirySweep(SWEEP_INTERVAL_MS, (e) => log.error({ err: e }, 'pending sweep failed'));
  const server = await startAdminServer({ storage, ledger, host: values.host, port: Number(values.port), log });
  const tokenFile = values['admin-token-file'];
  if (tokenFile !== undefined && !existsSync(tokenFile)) {
    const token = await new Operators(storage, systemRandom).add(`serve-${systemRandom.bytes(4).toString('hex')}`, 'admin', systemClock.nowMs());
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600, flag: 'wx' });
  }
  process.stdout.write(`${JSON.stringify({ listening: server.port })}\n`);
  const shutdown = (): void => {
    stopSweep();
    void server
      .close()
      .then(() => storage.close())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`center-admin: ${formatOperatorError(e, 'CLI_INTERNAL')}\n`);
  process.exit(1);
});
