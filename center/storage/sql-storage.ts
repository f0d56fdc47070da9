import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { SQL_INSERT_ROWS_MAX, VALIDITY_BULK_MAX, VALIDITY_PAGE_MAX } from '../limits.js';
import type { BatchReport, GroupCommitter } from './group-commit.js';
import { toSafeInt } from './ints.js';
import type {
  ChangeCursor,
  Engine,
  Medium,
  MediumStatus,
  ModuleMigrations,
  NewMedium,
  NewTerminal,
  SqlExecutor,
  Storage,
  Terminal,
  TerminalStatus,
  Tx,
  Unsubscribe,
  ValidityChange,
} from './types.js';
import {
  checkMediumId,
  checkMediumStatus,
  checkNewMedium,
  checkNewTerminal,
  checkTerminalId,
  checkTerminalStatus,
  MEDIUM_COLUMNS,
  mediumFromRow,
  TERMINAL_COLUMNS,
  terminalFromRow,
} from './validity-schema.js';

export interface StorageDeps {
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Everything both engines share: migrations, group-committed units of work,
 * validity reads and admin writes written once in SQL both engines accept.
 * An engine supplies the committer, reads, the migration lock and the
 * in-transaction notification.
 */
export abstract class SqlStorage implements Storage {
  abstract readonly engine: Engine;
  protected abstract readonly committer: GroupCommitter;
  private readonly listeners = new Set<(c: ValidityChange) => void>();

  constructor(protected readonly deps: StorageDeps) {}

  abstract read<T>(fn: (q: SqlExecutor) => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;
  /** Serializes migrations across processes/nodes until the unit's transaction ends. */
  protected abstract lockForMigration(tx: Tx): Promise<void>;
  /** Tells other nodes, inside the writing transaction, that validity changed. */
  protected abstract notifyInTx(tx: Tx, version: number): Promise<void>;

  transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.committer.enqueue(fn);
  }

  /** Group-commit counters (batches, units, largest batch). */
  get commitStats(): { batches: number; units: number; largestBatch: number } {
    return { ...this.committer.stats };
  }

  /** Calls fn after every group-committed batch (metrics: batch size, commit latency). */
  observeCommits(fn: (b: BatchReport) => void): () => void {
    return this.committer.observe(fn);
  }

  async migrate(mod: ModuleMigrations): Promise<void> {
    const applied = await this.transact(async (tx) => {
      await this.lockForMigration(tx);
      await tx.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (module TEXT NOT NULL, version INTEGER NOT NULL, ' +
          'name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL, PRIMARY KEY (module, version))',
      );
      const done = await tx.all('SELECT version FROM schema_migrations WHERE module = ?', [mod.module]);
      const have = new Set(done.map((r) => toSafeInt(r['version'], 'schema_migrations.version')));
      const names: string[] = [];
      for (const m of [...mod.migrations].sort((a, b) => a.version - b.version)) {
        if (have.has(m.version)) continue;
        const sql = typeof m.sql === 'string' ? m.sql : m.sql[this.engine];
        try {
          await tx.exec(sql);
        } catch (e) {
          throw new TesseraError('STORE_MIGRATION_FAILED', `${mod.module} v${m.version} failed`, { module: mod.module, version: m.version }, { cause: e });
        }
        await tx.run('INSERT INTO schema_migrations (module, version, name, applied_at_ms) VALUES (?, ?, ?, ?)', [
          mod.module,
          m.version,
          m.name,
          this.deps.clock.nowMs(),
        ]);
        names.push(`${m.version} ${m.name}`);
      }
      return names;
    });
    if (applied.length > 0) this.deps.log.info({ module: mod.module, applied }, 'migrations applied');
  }

  // -- validity reads -------------------------------------------------------

  async getMedium(id: string): Promise<Medium | undefined> {
    checkMediumId(id);
    const r = await this.read((q) => q.get(`SELECT ${MEDIUM_COLUMNS} FROM media WHERE id = ?`, [id]));
    return r ? mediumFromRow(r) : undefined;
  }

  async getTerminal(id: string): Promise<Terminal | undefined> {
    checkTerminalId(id);
    const r = await this.read((q) => q.get(`SELECT ${TERMINAL_COLUMNS} FROM terminals WHERE id = ?`, [id]));
    return r ? terminalFromRow(r) : undefined;
  }

  async listMedia(afterId: string | null, limit: number): Promise<Medium[]> {
    checkLimit(limit);
    const rows = await this.read((q) =>
      q.all(`SELECT ${MEDIUM_COLUMNS} FROM media WHERE id > ? ORDER BY id LIMIT ?`, [afterId ?? '', limit]),
    );
    return rows.map(mediumFromRow);
  }

  async listTerminals(afterId: string | null, limit: number): Promise<Terminal[]> {
    checkLimit(limit);
    const rows = await this.read((q) =>
      q.all(`SELECT ${TERMINAL_COLUMNS} FROM terminals WHERE id > ? ORDER BY id LIMIT ?`, [afterId ?? '', limit]),
    );
    return rows.map(terminalFromRow);
  }

  async listMediaChangedSince(after: ChangeCursor, limit: number): Promise<Medium[]> {
    checkLimit(limit);
    const rows = await this.read((q) =>
      after.id === null
        ? q.all(`SELECT ${MEDIUM_COLUMNS} FROM media WHERE version > ? ORDER BY version, id LIMIT ?`, [after.version, limit])
        : q.all(
            `SELECT ${MEDIUM_COLUMNS} FROM media WHERE version > ? OR (version = ? AND id > ?) ORDER BY version, id LIMIT ?`,
            [after.version, after.version, after.id, limit],
          ),
    );
    return rows.map(mediumFromRow);
  }

  async listTerminalsChangedSince(after: ChangeCursor, limit: number): Promise<Terminal[]> {
    checkLimit(limit);
    const rows = await this.read((q) =>
      after.id === null
        ? q.all(`SELECT ${TERMINAL_COLUMNS} FROM terminals WHERE version > ? ORDER BY version, id LIMIT ?`, [after.version, limit])
        : q.all(
            `SELECT ${TERMINAL_COLUMNS} FROM terminals WHERE version > ? OR (version = ? AND id > ?) ORDER BY version, id LIMIT ?`,
            [after.version, after.version, after.id, limit],
          ),
    );
    return rows.map(terminalFromRow);
  }

  countMedia(): Promise<number> {
    return this.count('media');
  }

  countTerminals(): Promise<number> {
    return this.count('terminals');
  }

  async getValidityVersion(): Promise<number> {
    const r = await this.read((q) => q.get('SELECT version FROM validity_meta WHERE id = 1'));
    return r ? toSafeInt(r['version'], 'validity_meta.version') : 0;
  }

  private async count(tableName: 'media' | 'terminals'): Promise<number> {
    const r = await this.read((q) => q.get(`SELECT COUNT(*) AS n FROM ${tableName}`));
    return toSafeInt(r?.['n'] ?? 0, 'count');
  }

  // -- validity admin writes ------------------------------------------------

  async addMedia(media: readonly NewMedium[]): Promise<number> {
    checkBulk(media.length);
    media.forEach(checkNewMedium);
    return this.transact(async (tx) => {
      await this.refuseExisting(tx, 'media', media.map((m) => m.id));
      const v = await this.bumpVersion(tx);
      for (let i = 0; i < media.length; i += SQL_INSERT_ROWS_MAX) {
        const chunk = media.slice(i, i + SQL_INSERT_ROWS_MAX);
        await tx.run(
          `INSERT INTO media (id, status, expires_at_ms, version) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`,
          chunk.flatMap((m) => [m.id, m.status ?? 'active', m.expiresAtMs, v]),
        );
      }
      return v;
    });
  }

  async addTerminals(terminals: readonly NewTerminal[]): Promise<number> {
    checkBulk(terminals.length);
    terminals.forEach(checkNewTerminal);
    return this.transact(async (tx) => {
      await this.refuseExisting(tx, 'terminals', terminals.map((t) => t.id));
      const v = await this.bumpVersion(tx);
      for (let i = 0; i < terminals.length; i += SQL_INSERT_ROWS_MAX) {
        const chunk = terminals.slice(i, i + SQL_INSERT_ROWS_MAX);
        await tx.run(
          'INSERT INTO terminals (id, owner_kind, owner_id, status, key_ref, callback_address, version) VALUES ' +
            chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', '),
          chunk.flatMap((t) => [t.id, t.ownerKind, t.ownerId, t.status ?? 'active', t.keyRef, t.callbackAddress ?? null, v]),
        );
      }
      return v;
    });
  }

  async blockMedium(id: string, status: 'lost' | 'stolen'): Promise<number> {
    if (status !== 'lost' && status !== 'stolen') throw new TesseraError('STORE_INVALID_INPUT', 'status: must be lost or stolen', { field: 'status' });
    return this.setMediumStatus(id, status);
  }

  async unblockMedium(id: string): Promise<number> {
    return this.setMediumStatus(id, 'active');
  }

  async captureMedium(id: string): Promise<number> {
    return this.setMediumStatus(id, 'captured');
  }

  async setMediumStatus(id: string, status: MediumStatus): Promise<number> {
    checkMediumId(id);
    checkMediumStatus(status);
    return this.setStatus('media', id, status);
  }

  async blockTerminal(id: string): Promise<number> {
    return this.setTerminalStatus(id, 'blocked');
  }

  async unblockTerminal(id: string): Promise<number> {
    return this.setTerminalStatus(id, 'active');
  }

  async setTerminalStatus(id: string, status: TerminalStatus): Promise<number> {
    checkTerminalId(id);
    checkTerminalStatus(status);
    return this.setStatus('terminals', id, status);
  }

  subscribeValidity(listener: (change: ValidityChange) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  protected hasValidityListeners(): boolean {
    return this.listeners.size > 0;
  }

  /** Calls every validity listener; a throwing listener is logged, not propagated. */
  protected emitValidity(change: ValidityChange): void {
    for (const l of [...this.listeners]) {
      try {
        l(change);
      } catch (e) {
        this.deps.log.error({ err: e }, 'validity listener threw');
      }
    }
  }

  private setStatus(tableName: 'media' | 'terminals', id: string, status: string): Promise<number> {
    return this.transact(async (tx) => {
      const cur = await tx.get(`SELECT status FROM ${tableName} WHERE id = ?${tx.forUpdate}`, [id]);
      if (!cur) throw new TesseraError('STORE_NOT_FOUND', `${tableName === 'media' ? 'medium' : 'terminal'} not found`, { id });
      const v = await this.bumpVersion(tx);
      await tx.run(`UPDATE ${tableName} SET status = ?, version = ? WHERE id = ?`, [status, v, id]);
      return v;
    });
  }

  private async refuseExisting(tx: Tx, tableName: 'media' | 'terminals', ids: readonly string[]): Promise<void> {
    if (new Set(ids).size !== ids.length) throw new TesseraError('STORE_DUPLICATE', 'the same id appears twice in one add', {});
    for (let i = 0; i < ids.length; i += SQL_INSERT_ROWS_MAX) {
      const chunk = ids.slice(i, i + SQL_INSERT_ROWS_MAX);
      const hit = await tx.get(`SELECT id FROM ${tableName} WHERE id IN (${chunk.map(() => '?').join(', ')}) LIMIT 1`, chunk);
      if (hit) throw new TesseraError('STORE_DUPLICATE', `${tableName === 'media' ? 'medium' : 'terminal'} exists`, { id: hit['id'] });
    }
  }

  /** Bumps the validity version (serializing validity writers on one row) and arranges the push. */
  private async bumpVersion(tx: Tx): Promise<number> {
    const r = await tx.get('UPDATE validity_meta SET version = version + 1 WHERE id = 1 RETURNING version');
    const version = toSafeInt(r?.['version'], 'validity_meta.version');
    await this.notifyInTx(tx, version);
    tx.afterCommit(() => this.emitValidity({ version, fullReload: false }));
    return version;
  }
}

function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > VALIDITY_PAGE_MAX) {
    throw new TesseraError('STORE_INVALID_INPUT', `limit: must be 1..${VALIDITY_PAGE_MAX}`, { field: 'limit' });
  }
}

function checkBulk(n: number): void {
  if (n < 1 || n > VALIDITY_BULK_MAX) {
    throw new TesseraError('STORE_INVALID_INPUT', `count: must be 1..${VALIDITY_BULK_MAX}`, { field: 'count' });
  }
}
