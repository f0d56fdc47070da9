/**
 * The admin audit trail: one row per mutating admin call (every POST), plus
 * a log line. A ledger change (accounts, transfers, adjustments, sweep) and
 * its `ok` row are written in one transaction; a validity change (storage
 * runs its own transaction) gets its row before it acts (outcome `started`),
 * completed after it. A refused call (`refused` for a 4xx answer, `failed`
 * for a 5xx one, including a missing or revoked token and a wrong role) has a
 * row too. A call whose row cannot be written is not served.
 *
 * `actor` and `role` are the operator's name and role from the bearer token
 * (null when the call had no valid token); never the token itself.
 * `source_address` is the peer's address as the socket reports it; `reason`
 * is an adjustment's mandatory reason.
 */
import type { Random } from '../../core/random.js';
import type { AuditExtension } from '../ledger/audit.js';
import type { ModuleMigrations, SqlExecutor, Storage, Tx } from '../storage/types.js';
import { CENTER_LIMITS } from '../limits.js';

/** Ledger transfer code of an operator adjustment (core/numbers.ts: the center platform's 9xx). */
export const ADJUSTMENT_LEDGER_CODE = 901;

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
    {
      version: 2,
      name: 'operators with roles (token hashes only); the reason of an adjustment',
      sql: `CREATE TABLE admin_operators (
              name TEXT PRIMARY KEY, role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_ms BIGINT NOT NULL, revoked_ms BIGINT);
            ALTER TABLE admin_audit_trail ADD COLUMN reason TEXT`,
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
  readonly reason?: string | null;
}

export interface AuditRow {
  readonly id: string;
  readonly atMs: number;
  readonly actor: string | null;
  readonly role: string | null;
  readonly method: string;
  readonly route: string;
  readonly targetIds: string[];
  readonly outcome: AuditOutcome;
  readonly code: string | null;
  readonly sourceAddress: string | null;
  readonly finishedAtMs: number | null;
  readonly reason: string | null;
}

const INSERT = `INSERT INTO admin_audit_trail (id, at_ms, actor, role, method, route, target_ids, outcome, code, source_address, finished_ms, reason)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`;

function targetsJson(ids: readonly string[]): string {
  return JSON.stringify(ids.slice(0, CENTER_LIMITS.adminAuditTargetsMax));
}

export class AuditTrail {
  constructor(private readonly storage: Storage, private readonly random: Random) {}

  /** Writes the `started` row; resolves to its id. */
  async begin(e: AuditEntry, nowMs: number): Promise<string> {
    const id = this.random.bytes(16).toString('hex');
    await this.storage.transact((tx) => tx.run(INSERT, [id, nowMs, e.actor, e.role, e.method, e.route, targetsJson(e.targetIds), 'started', null, e.sourceAddress, null, e.reason ?? null]));
    return id;
  }

  /** Writes a finished row inside the caller's unit of work (the change it records commits with it, or neither does). */
  async recordIn(tx: Tx, e: AuditEntry, outcome: Exclude<AuditOutcome, 'started'>, code: string | null, nowMs: number): Promise<string> {
    const id = this.random.bytes(16).toString('hex');
    await tx.run(INSERT, [id, nowMs, e.actor, e.role, e.method, e.route, targetsJson(e.targetIds), outcome, code, e.sourceAddress, nowMs, e.reason ?? null]);
    return id;
  }

  /** Writes a finished row on its own (a refused call: nothing changed). */
  record(e: AuditEntry, outcome: Exclude<AuditOutcome, 'started'>, code: string | null, nowMs: number): Promise<string> {
    return this.storage.transact((tx) => this.recordIn(tx, e, outcome, code, nowMs));
  }

  /** Rows newest first; `before` is the `next` cursor of the previous page. */
  async list(limit: number, before: { atMs: number; id: string } | null): Promise<AuditRow[]> {
    const rows = await this.storage.read((q) =>
      before === null
        ? q.all('SELECT * FROM admin_audit_trail ORDER BY at_ms DESC, id DESC LIMIT ?', [limit])
        : q.all('SELECT * FROM admin_audit_trail WHERE at_ms < ? OR (at_ms = ? AND id < ?) ORDER BY at_ms DESC, id DESC LIMIT ?', [before.atMs, before.atMs, before.id, limit]),
    );
    return rows.map(auditRowFrom);
  }

  /** Completes the row with the outcome and the ids the body named. */
  async finish(id: string, outcome: Exclude<AuditOutcome, 'started'>, code: string | null, targetIds: readonly string[], nowMs: number): Promise<void> {
    await this.storage.transact((tx) =>
      tx.run('UPDATE admin_audit_trail SET outcome = ?, code = ?, target_ids = ?, finished_ms = ? WHERE id = ?', [outcome, code, targetsJson(targetIds), nowMs, id]),
    );
  }
}

/** The ids a request names: path parameters, the body's own `id` (an adjustment), then the `id` of each account, transfer, medium or terminal in the body. */
export function targetIdsOf(params: readonly string[], body: unknown): string[] {
  const ids = [...params];
  if (body && typeof body === 'object') {
    const own = (body as Record<string, unknown>)['id'];
    if (typeof own === 'string') ids.push(own.slice(0, 64));
    for (const key of ['accounts', 'transfers', 'media', 'terminals']) {
      const list = (body as Record<string, unknown>)[key];
      if (!Array.isArray(list)) continue;
      for (const item of list.slice(0, CENTER_LIMITS.adminAuditTargetsMax)) {
        const id = item && typeof item === 'object' ? (item as Record<string, unknown>)['id'] : undefined;
        if (typeof id === 'string') ids.push(id.slice(0, 64));
      }
    }
  }
  return ids.slice(0, CENTER_LIMITS.adminAuditTargetsMax);
}

function textOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export function auditRowFrom(r: Record<string, unknown>): AuditRow {
  let targets: unknown;
  try {
    targets = JSON.parse(String(r['target_ids']));
  } catch {
    targets = [];
  }
  return {
    id: String(r['id']),
    atMs: Number(r['at_ms']),
    actor: textOrNull(r['actor']),
    role: textOrNull(r['role']),
    method: String(r['method']),
    route: String(r['route']),
    targetIds: Array.isArray(targets) ? targets.map(String) : [],
    outcome: String(r['outcome']) as AuditOutcome,
    code: textOrNull(r['code']),
    sourceAddress: textOrNull(r['source_address']),
    finishedAtMs: r['finished_ms'] === null || r['finished_ms'] === undefined ? null : Number(r['finished_ms']),
    reason: textOrNull(r['reason']),
  };
}

/**
 * `tessera audit` (and GET /audit) lists every operator adjustment with its
 * operator and reason, and fails when an adjustment transfer has no
 * audit-trail row (a correction booked behind the API's back).
 */
export const ADJUSTMENTS_AUDIT: AuditExtension = {
  module: 'admin',
  async check(q: SqlExecutor) {
    const name = 'operator adjustments each have an audit-trail row with operator and reason';
    // A database whose admin module predates adjustments (migration 2) has none.
    const v = await q.get<{ v: number | string | null }>("SELECT MAX(version) AS v FROM schema_migrations WHERE module = 'admin'");
    if (Number(v?.v ?? 0) < 2) return { name, ok: true, violations: 0, examples: [] };
    const rows = await q.all(
      `SELECT t.id, t.debit_account_id, t.credit_account_id, t.amount, t.currency, a.actor, a.role, a.reason
       FROM ledger_transfers t LEFT JOIN admin_audit_trail a ON a.id = (
         SELECT b.id FROM admin_audit_trail b
         WHERE b.route = '/ledger/adjustments' AND b.outcome = 'ok' AND b.target_ids = '["' || t.id || '"]' ORDER BY b.at_ms, b.id LIMIT 1)
       WHERE t.code = ? ORDER BY t.timestamp_ms, t.id`,
      [ADJUSTMENT_LEDGER_CODE],
    );
    const missing = rows.filter((r) => r['actor'] === null || r['actor'] === undefined);
    const examples = rows.slice(0, 20).map((r) =>
      r['actor'] === null || r['actor'] === undefined
        ? `${String(r['id'])}: NO AUDIT-TRAIL ROW`
        : `${String(r['id'])}: ${String(r['debit_account_id'])} -> ${String(r['credit_account_id'])} ${String(r['amount'])} ${String(r['currency'])} by ${String(r['actor'])} (${String(r['role'])}): ${String(r['reason'])}`,
    );
    return { name, ok: missing.length === 0, violations: missing.length, examples };
  },
};
