import Database from 'better-sqlite3';
import { TesseraError } from '../../core/errors.js';
import { CENTER_LIMITS } from '../limits.js';
import { GroupCommitter, type BatchEngine, type BatchSession } from './group-commit.js';
import { toSafeInt } from './ints.js';
import { SqlStorage, type StorageDeps } from './sql-storage.js';
import type { Row, SqlExecutor, SqlParam, Tx } from './types.js';

type Db = Database.Database;
type Stmt = Database.Statement<unknown[], unknown>;

/** Integers are read as bigint (defaultSafeIntegers) and narrowed here, so no value is silently rounded. */
function narrowRow(raw: unknown): Row {
  const row = raw as Row;
  for (const k of Object.keys(row)) {
    const v = row[k];
    if (typeof v === 'bigint') row[k] = toSafeInt(v, k);
  }
  return row;
}

/** Integers are bound as bigint so SQLite stores INTEGER, never REAL. */
function bindable(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => (typeof p === 'number' && Number.isInteger(p) ? BigInt(p) : p));
}

/** A connection with a prepared-statement cache, as an SqlExecutor. */
class SqliteExecutor implements SqlExecutor {
  readonly engine = 'sqlite' as const;
  private readonly stmts = new Map<string, Stmt>();

  constructor(readonly db: Db) {}

  private prepare(sql: string): Stmt {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  async all<R extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<R[]> {
    return this.prepare(sql).all(...bindable(params)).map(narrowRow) as R[];
  }

  async get<R extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<R | undefined> {
    const r = this.prepare(sql).get(...bindable(params));
    return r === undefined ? undefined : (narrowRow(r) as R);
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<{ changes: number }> {
    const s = this.prepare(sql);
    if (s.reader) return { changes: s.all(...bindable(params)).length };
    return { changes: Number(s.run(...bindable(params)).changes) };
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }
}

function openConnection(path: string, readonly: boolean): Db {
  const db = new Database(path);
  db.defaultSafeIntegers(true);
  db.pragma(`busy_timeout = ${CENTER_LIMITS.sqliteBusyTimeoutMs}`);
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk (WAL fsynced) when COMMIT returns; NORMAL could lose the last commits on power loss.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // A value overwritten or deleted (a delivered password's message text set NULL, a spent secret) is zeroed in the
    // file, not left readable in free space: a copy of the database must not give away a live password.
    db.pragma('secure_delete = ON');
  } else {
    db.pragma('query_only = ON');
  }
  return db;
}

/**
 * SQLite storage: one writer connection carries the group-commit batches, a
 * second connection serves reads (WAL lets it read the last committed state
 * while a batch is open). One center process per file.
 */
export class SqliteStorage extends SqlStorage {
  readonly engine = 'sqlite' as const;
  protected readonly committer: GroupCommitter;
  private readonly writer: SqliteExecutor;
  private readonly reader: SqliteExecutor;
  private closed = false;
  /** `PRAGMA data_version` on the read connection (changes on any other connection's commit: the writer's, another process's); null for ':memory:' (one connection). */
  private readonly dataVersion: Database.Statement<[], number> | null;

  constructor(path: string, deps: StorageDeps) {
    super(deps);
    this.writer = new SqliteExecutor(openConnection(path, false));
    this.reader = path === ':memory:' ? this.writer : new SqliteExecutor(openConnection(path, true));
    this.dataVersion = this.reader === this.writer ? null : (this.reader.db.prepare('PRAGMA data_version').pluck().safeIntegers(false) as Database.Statement<[], number>);
    const writer = this.writer;
    const engine: BatchEngine = {
      beginSql: 'BEGIN IMMEDIATE',
      retryable: () => false,
      retryMax: 0,
      session: async (): Promise<BatchSession> => ({
        exec: (sql) => writer.exec(sql),
        tx: (hooks) => sqliteTx(writer, hooks),
        release: () => undefined,
      }),
    };
    this.committer = new GroupCommitter(engine, deps.log);
    this.committer.onBatchEnd = () => {
      this.stamp += 1;
    };
  }

  /** The effective pragmas (for tests and `tessera audit`). */
  pragmas(): { journalMode: string; synchronous: number; busyTimeoutMs: number } {
    const db = this.writer.db;
    return {
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      synchronous: Number(db.pragma('synchronous', { simple: true })),
      busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
    };
  }

  /**
   * The change stamp (Storage.changeStamp), cheap enough to ask per request:
   *  - this process's commits: `stamp` moves synchronously when a batch ends,
   *    before any of its units resolves, so a request sent after the answer
   *    to a write of this process always sees a new stamp;
   *  - other processes' commits (a CLI tool on the same file): the read
   *    connection's `PRAGMA data_version`, read at most once per event-loop
   *    turn (it takes SQLite's WAL read lock: a few system calls, the
   *    largest cost of a cached listing). A request whose bytes woke this
   *    turn's poll was sent before the first read of the turn, so such a
   *    commit acknowledged before the request was sent is seen; only a
   *    request pipelined on one connection behind another and read in the
   *    same turn may be answered as of the turn's start (well under a
   *    millisecond), never one of this process's own commits.
   */
  changeStamp(): number | undefined {
    if (this.dataVersion === null || this.closed) return undefined;
    if (!this.versionReadThisTurn) {
      const v = this.dataVersion.get() ?? -2;
      if (v !== this.lastDataVersion) {
        this.lastDataVersion = v;
        this.stamp += 1;
      }
      this.versionReadThisTurn = true;
      setImmediate(this.endTurn);
    }
    return this.stamp;
  }

  private stamp = 0;
  private lastDataVersion = -1;
  private versionReadThisTurn = false;
  private readonly endTurn = (): void => {
    this.versionReadThisTurn = false;
  };

  async read<T>(fn: (q: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.closed) throw new TesseraError('STORE_CLOSED', 'storage is closed');
    return fn(this.reader);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.committer.close();
    this.closed = true;
    if (this.reader !== this.writer) this.reader.db.close();
    this.writer.db.close();
  }

  protected async lockForMigration(): Promise<void> {
    // BEGIN IMMEDIATE already holds SQLite's single write lock.
  }

  protected async notifyInTx(): Promise<void> {
    // One process per SQLite file: the afterCommit hook is the push.
  }

  protected async listenTo(): Promise<void> {
    // Nothing to listen to: every write is this process's own.
  }
}

function sqliteTx(writer: SqliteExecutor, hooks: (() => void)[]): Tx {
  return {
    engine: 'sqlite',
    forUpdate: '',
    all: (sql, params) => writer.all(sql, params),
    get: (sql, params) => writer.get(sql, params),
    run: (sql, params) => writer.run(sql, params),
    exec: (sql) => writer.exec(sql),
    afterCommit: (fn) => {
      hooks.push(fn);
    },
  };
}
