/**
 * The admin audit trail: one row per mutating admin call (every POST),
 * written before the call acts (outcome `started`) and completed after it
 * (`ok`, `refused` for a 4xx answer, `failed` for a 5xx one), plus a log
 * line. A call whose row cannot be written is not served.
 *
 * `actor` and `role` are null until the HTTP surface gives operators tokens
 * and roles (it fills them from the token); `source_address` is the peer's
 * address as the socket reports it.
 */
import type { Random } from '../../core/random.js';
import type { ModuleMigrations, Storage } from '../storage/types.js';
import { ADMIN_AUDIT_TARGETS_MAX } from '../limits.js';

export const adminMigrations: ModuleMigrations = {
  module: 'admin',
  migrations: [
    {
      version: 1,
      name: 'audit trail of mutating admin calls',
      sql: `CREATE TABLE admin_audit_trail (
              id TEXT PRIMARY KEY, at_ms BIGINT NOT NULL, actor TEXT, role TEXT, method TEXT NOT NULL, route TEXT NOT NULL,
              target_ids TEXT NOT NULL, outcome TEXT NOT NULL, code TEXT, source_address TEXT, finished_ms BIGINT);
            CREATE INDEX admin_audit_trail_at ON admin_audit_trail (at_ms)`,
    },
  ],
};

export type AuditOutcome = 'started' | 'ok' | 'refused' | 'failed';

export interface AuditEntry {
  readonly actor: string | null;
  readonly role: string | null;
  readonly method: string;
  /** The route's template, e.g. `/media/:id/block` (ids go to targetIds). */
  readonly route: string;
  readonly targetIds: readonly string[];
  readonly sourceAddress: string | null;
}

export class AuditTrail {
  constructor(private readonly storage: Storage, private readonly random: Random) {}

  /** Writes the `started` row; resolves to its id. */
  async begin(e: AuditEntry, nowMs: number): Promise<string> {
    const id = this.random.bytes(16).toString('hex');
    await this.storage.transact((tx) =>
      tx.run(
        `INSERT INTO admin_audit_trail (id, at_ms, actor, role, method, route, target_ids, outcome, code, source_address, finished_ms)
         VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
        [id, nowMs, e.actor, e.role, e.method, e.route, JSON.stringify(e.targetIds.slice(0, ADMIN_AUDIT_TARGETS_MAX)), 'started', null, e.sourceAddress, null],
      ),
    );
    return id;
  }

  /** Completes the row with the outcome and the ids the body named. */
  async finish(id: string, outcome: Exclude<AuditOutcome, 'started'>, code: string | null, targetIds: readonly string[], nowMs: number): Promise<void> {
    await this.storage.transact((tx) =>
      tx.run('UPDATE admin_audit_trail SET outcome = ?, code = ?, target_ids = ?, finished_ms = ? WHERE id = ?', [
        outcome, code, JSON.stringify(targetIds.slice(0, ADMIN_AUDIT_TARGETS_MAX)), nowMs, id,
      ]),
    );
  }
}

/** The ids a request names: path parameters, then the `id` of each account, transfer, medium or terminal in the body. */
export function targetIdsOf(params: readonly string[], body: unknown): string[] {
  const ids = [...params];
  if (body && typeof body === 'object') {
    for (const key of ['accounts', 'transfers', 'media', 'terminals']) {
      const list = (body as Record<string, unknown>)[key];
      if (!Array.isArray(list)) continue;
      for (const item of list.slice(0, ADMIN_AUDIT_TARGETS_MAX)) {
        const id = item && typeof item === 'object' ? (item as Record<string, unknown>)['id'] : undefined;
        if (typeof id === 'string') ids.push(id.slice(0, 64));
      }
    }
  }
  return ids.slice(0, ADMIN_AUDIT_TARGETS_MAX);
}
