import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { CENTER_LIMITS } from '../limits.js';
import type { BatchReport, GroupCommitter } from './group-commit.js';
import { toSafeInt } from './ints.js';
import type { ChannelListener, Engine, ModuleMigrations, SqlExecutor, Storage, Tx, Unsubscribe } from './types.js';

export interface StorageDeps {
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Everything both engines share: migrations, group-committed units of work,
 * notification channels. An engine supplies the committer, reads, the
 * migration lock and the in-transaction notification.
 */
export abstract class SqlStorage implements Storage {
  abstract readonly engine: Engine;
  protected abstract readonly committer: GroupCommitter;
  private readonly listeners = new Map<string, Set<ChannelListener>>();

  constructor(protected readonly deps: StorageDeps) {}

  abstract read<T>(fn: (q: SqlExecutor) => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;
  /** Serializes migrations across processes/nodes until the unit's transaction ends. */
  protected abstract lockForMigration(tx: Tx): Promise<void>;
  /** Tells other nodes, inside the writing transaction (PostgreSQL NOTIFY; nothing on SQLite: one process per file). */
  protected abstract notifyInTx(tx: Tx, channel: string, payload: string): Promise<void>;
  /** Starts listening to a channel for other nodes' notifications; resolves once listening. */
  protected abstract listenTo(channel: string): Promise<void>;

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

  async notify(tx: Tx, channel: string, payload: string): Promise<void> {
    checkChannel(channel);
    if (payload.length > NOTIFY_PAYLOAD_MAX_CHARS) throw new TesseraError('STORE_INVALID_INPUT', `payload: at most ${NOTIFY_PAYLOAD_MAX_CHARS} chars`, { field: 'payload' });
    await this.notifyInTx(tx, channel, payload);
    tx.afterCommit(() => this.emit(channel, payload));
  }

  async subscribe(channel: string, listener: ChannelListener): Promise<Unsubscribe> {
    checkChannel(channel);
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    const unsubscribe = (): void => {
      set.delete(listener);
    };
    try {
      await this.listenTo(channel);
    } catch (e) {
      unsubscribe();
      throw e;
    }
    return unsubscribe;
  }

  /** The channels someone subscribed to. */
  protected channels(): string[] {
    return [...this.listeners.keys()];
  }

  /** Calls every listener of the channel (null: some notifications may have been missed); a throwing listener is logged, not propagated. */
  protected emit(channel: string, payload: string | null): void {
    for (const l of [...(this.listeners.get(channel) ?? [])]) {
      try {
        l(payload);
      } catch (e) {
        this.deps.log.error({ err: e, channel }, 'storage channel listener threw');
      }
    }
  }
}

const CHANNEL = /^[a-z_]{1,48}$/;
/** PostgreSQL's NOTIFY payload limit is 8000 bytes; a payload is a version or an id, not data. */
const NOTIFY_PAYLOAD_MAX_CHARS = 1_000;

function checkChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new TesseraError('STORE_INVALID_INPUT', 'channel: 1-48 chars [a-z_]', { field: 'channel' });
}
