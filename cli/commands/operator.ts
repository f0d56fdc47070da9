import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { systemRandom } from '../../core/random.js';
import { adminMigrations } from '../../center/admin/audit-trail.js';
import { Operators, OPERATOR_ROLES } from '../../center/admin/operators.js';
import { openStorage, parseStorageTarget } from '../../center/storage/open.js';
import type { Storage } from '../../center/storage/types.js';

/** Opens a center database with the admin module's tables (made if missing: they are the admin module's own). */
async function withOperators<T>(target: string, fn: (ops: Operators, storage: Storage) => Promise<T>): Promise<T> {
  const storage = await openStorage(parseStorageTarget(target, true));
  try {
    await storage.migrate(adminMigrations);
    return await fn(new Operators(storage, systemRandom), storage);
  } finally {
    await storage.close();
  }
}

/**
 * `tessera operator add|list|revoke`: operators of the admin API. `add`
 * prints the token once on stdout (the database keeps only its hash); keep
 * it in a 0600 file or a secret store.
 */
export function registerOperator(program: Command): void {
  const op = program.command('operator').description('operators of the admin API: names, roles (viewer, operator, admin) and bearer tokens');
  op.command('add')
    .description('add an operator; prints the bearer token once (only its hash is stored)')
    .argument('<name>', 'operator name: 1-32 chars [a-z0-9._-], starting with a letter')
    .requiredOption('--role <role>', `one of ${OPERATOR_ROLES.join(', ')}`)
    .requiredOption('--db <target>', 'the center database: SQLite file path or postgres:// URL')
    .option('--json', 'print { name, role, token } as one JSON object')
    .action(async (name: string, opts: { role: string; db: string; json?: boolean }) => {
      const token = await withOperators(opts.db, (ops) => ops.add(name, opts.role, systemClock.nowMs()));
      process.stdout.write(opts.json ? `${JSON.stringify({ name, role: opts.role, token })}\n` : `${token}\n`);
      if (!opts.json) process.stderr.write(`operator ${name} (${opts.role}) added; the token above is shown once: send it as "Authorization: Bearer <token>"\n`);
    });
  op.command('list')
    .description('list operators (names, roles, when added and revoked; never tokens)')
    .requiredOption('--db <target>', 'the center database')
    .option('--json', 'print a JSON array')
    .action(async (opts: { db: string; json?: boolean }) => {
      const rows = await withOperators(opts.db, (ops) => ops.list());
      if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else for (const r of rows) process.stdout.write(`${r.name}\t${r.role}\t${new Date(r.createdAtMs).toISOString()}\t${r.revokedAtMs === null ? 'current' : `revoked ${new Date(r.revokedAtMs).toISOString()}`}\n`);
    });
  op.command('revoke')
    .description('revoke an operator\'s token (the name stays in the audit trail and is never reused)')
    .argument('<name>')
    .requiredOption('--db <target>', 'the center database')
    .action(async (name: string, opts: { db: string }) => {
      const revoked = await withOperators(opts.db, (ops) => ops.revoke(name, systemClock.nowMs()));
      if (!revoked) throw new TesseraError('ADMIN_OPERATOR_UNKNOWN', `no current operator ${name}`, { name });
      process.stdout.write(`operator ${name} revoked\n`);
    });
}
