/**
 * The TTP's delivery service as its own process, for the kill -9 test:
 * argv[2] is JSON { db, smscPort, passwordFile, claimHoldMs, node? } where
 * db is a SQLite file or a PostgreSQL URL (postgres://…: several such
 * processes are center nodes sharing one database). Opens the center's storage, the delivery service (SMPP client bound to the
 * SMSC), and a passwords-module stand-in whose port records each outcome in
 * its own table inside the recording unit (test_password_outcomes), as the
 * real module books it. stdin: `{"enqueue":n,"prefix":p,"to":msisdn}` queues
 * n deliveries (one unit each). stdout: `{"ready":true}`, `{"queued":n}`,
 * and one `{"delivery":id,"state":…}` line per committed state change.
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { systemClock } from '../../../../../core/clock.js';
import { createLogger } from '../../../../../core/log.js';
import { systemRandom } from '../../../../../core/random.js';
import { openDelivery } from '../../../../../center/passwords/delivery/index.js';
import { openStorage } from '../../../../../center/storage/open.js';

const spec = JSON.parse(process.argv[2]!) as { db: string; smscPort: number; passwordFile: string; claimHoldMs: number; node?: string };
const print = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const storage = await openStorage(spec.db.startsWith('postgres') ? { engine: 'postgres', url: spec.db } : { engine: 'sqlite', path: spec.db });
await storage.transact(async (tx) => {
  await tx.exec('CREATE TABLE IF NOT EXISTS test_password_outcomes (delivery_id TEXT NOT NULL, state TEXT NOT NULL, late INTEGER NOT NULL, code TEXT NOT NULL, node TEXT)');
});
const delivery = await openDelivery(
  { smpp: { host: '127.0.0.1', port: spec.smscPort, systemId: 'tessera', passwordFile: spec.passwordFile }, attemptsMax: 5, backoffMsBase: 100, sweepIntervalMs: 50, claimHoldMs: spec.claimHoldMs },
  {
    storage,
    clock: systemClock,
    random: systemRandom,
    log: createLogger('delivery', { level: 'info' }, process.stderr),
    port: {
      outcome: async (tx, o) => {
        await tx.run('INSERT INTO test_password_outcomes (delivery_id, state, late, code, node) VALUES (?, ?, ?, ?, ?)', [o.deliveryId, o.state, o.late ? 1 : 0, o.code, spec.node ?? null]);
      },
    },
    onEvent: (e) => print({ delivery: e.id, state: e.state, code: e.code, attempt: e.attempt }),
  },
);
await delivery.smpp!.waitBound(15_000);
delivery.service.start();
print({ ready: true, bound: delivery.smpp!.isBound });

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = JSON.parse(line) as { enqueue: number; prefix: string; to: string };
  void (async () => {
    await Promise.all(
      Array.from({ length: cmd.enqueue }, (_, i) =>
        storage.transact((tx) =>
          delivery.service.enqueue(tx, {
            id: `${cmd.prefix}-${i}`,
            passwordSerial: `S-${cmd.prefix}-${i}`,
            channel: 'sms',
            to: cmd.to,
            text: `Tessera settlement password\ntoken:TPW1:${randomBytes(40).toString('hex').toUpperCase().replace(/[0189]/g, 'A')}`,
            deadlineMs: Date.now() + 120_000,
          }),
        ),
      ),
    );
    print({ queued: cmd.enqueue });
  })();
});
setInterval(() => undefined, 1 << 30);
