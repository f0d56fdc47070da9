/**
 * The center's storage contract. Two engines implement it: SQLite
 * (`better-sqlite3`, the embedded default, one center node) and PostgreSQL
 * (`pg`, several center nodes sharing one database). Both pass the same
 * contract suite (`test/center/storage/contract.ts`).
 *
 * Every method is async. Writes go through {@link Storage.transact}: units of
 * work that arrive in the same tick are committed together in one database
 * transaction (group commit, at most `CENTER_LIMITS.storageBatchMax` units per batch), so
 * durability costs one fsync per batch, not one per request. Each unit runs
 * inside its own savepoint: a unit that throws is rolled back alone and its
 * caller alone gets the error; the others commit. A promise returned by
 * `transact` (or by any write method below) settles only after COMMIT has
 * returned, i.e. after the data is durable (SQLite `synchronous=FULL`, WAL).
 *
 * Modules (validity, ledger, e-money, vouchers, settlement, ...) own their tables
 * and queries: each declares a {@link ModuleMigrations} list and calls
 * {@link Storage.migrate} once at start (migrations are versioned per module in
 * `schema_migrations`), then works through {@link Storage.transact} and
 * {@link Storage.read}; this contract does not grow per module.
 *
 * Money columns are BIGINT (PostgreSQL) / INTEGER (SQLite). Values read back
 * are JS numbers checked with `Number.isSafeInteger` (an unsafe value raises
 * `STORE_UNSAFE_INTEGER` instead of silently losing precision).
 */

export type Engine = 'sqlite' | 'postgres';

/** A bound SQL parameter. Integers must be safe integers; booleans are not used (store 0/1). */
export type SqlParam = string | number | Buffer | null;

export type Row = Record<string, unknown>;

/**
 * Runs SQL on one engine. Placeholders are `?` on both engines (the
 * PostgreSQL implementation rewrites them to `$1..$n`, outside quoted
 * strings). Integer columns come back as numbers (safe-integer checked);
 * write SQL that both engines accept, or branch on `engine`.
 */
export interface SqlExecutor {
  readonly engine: Engine;
  all<R extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<R[]>;
  get<R extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<R | undefined>;
  run(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }>;
}

/**
 * One unit of work inside a group-committed transaction. Only database work
 * may be awaited inside a unit: awaiting anything else (a timer, the network)
 * holds up every other unit of the batch.
 */
export interface Tx extends SqlExecutor {
  /**
   * Row-lock suffix for SELECTs that read rows the unit will update:
   * `' FOR UPDATE'` on PostgreSQL, `''` on SQLite (which has one writer).
   */
  readonly forUpdate: string;
  /** Runs one or more `;`-separated statements without parameters (DDL in migrations). */
  exec(sql: string): Promise<void>;
  /** Runs fn after the batch holding this unit has committed (not if it is rolled back). */
  afterCommit(fn: () => void): void;
}

/** A schema step. Plain SQL for both engines, or one text per engine. Several statements may be separated by `;`. */
export interface Migration {
  /** 1, 2, 3, ... within the module; applied in order, each once. */
  readonly version: number;
  readonly name: string;
  readonly sql: string | { readonly sqlite: string; readonly postgres: string };
}

export interface ModuleMigrations {
  /** Short module name, e.g. `ledger`, `emoney`, `vouchers`. */
  readonly module: string;
  readonly migrations: readonly Migration[];
}

export type Unsubscribe = () => void;

/**
 * A listener of a notification channel: `payload` for each committed
 * notify, or null when notifications may have been missed (PostgreSQL: the
 * LISTEN connection was re-established; they are not replayed), so the
 * listener must re-read what it holds.
 */
export type ChannelListener = (payload: string | null) => void;

export interface Storage {
  readonly engine: Engine;
  /** Applies the module's pending migrations (serialized across nodes). Idempotent. */
  migrate(module: ModuleMigrations): Promise<void>;
  /**
   * Runs fn as one atomic unit of work inside the next group-committed batch.
   * Resolves with fn's result after the batch commits; rejects with fn's error
   * (the unit rolled back alone) or with `STORE_COMMIT_FAILED` (the whole
   * batch rolled back) or `STORE_OVERLOADED` (queue full: retry later).
   */
  transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs read-only work outside any batch; sees committed data only. */
  read<T>(fn: (q: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Publishes `payload` (<= 1000 chars) on `channel` (`[a-z_]{1,48}`) when the unit's batch commits,
   * nothing on rollback: to this process's subscribers (after COMMIT), and on PostgreSQL to every
   * node's (NOTIFY in the same transaction). A module's change feed rides on it (validity's lists).
   */
  notify(tx: Tx, channel: string, payload: string): Promise<void>;
  /**
   * Subscribes to a channel; resolves once listening (PostgreSQL: LISTEN is active on a dedicated
   * connection, so nothing committed after the promise resolves is missed). Listeners may see a
   * payload twice; after a reconnect every listener gets null.
   */
  subscribe(channel: string, listener: ChannelListener): Promise<Unsubscribe>;
  /** Flushes queued work, closes connections. Later calls reject with `STORE_CLOSED`. */
  close(): Promise<void>;
  /** Calls fn after every group-committed batch (metrics); the returned function stops it. Optional for test doubles. */
  observeCommits?(fn: (b: { units: number; seconds: number; ok: boolean }) => void): () => void;
  /**
   * A cheap, synchronous stamp of the committed state: while two calls answer the
   * same value, no write was committed in between by this process or any other
   * (SQLite: this process's batches counted as they end, and the read
   * connection's `PRAGMA data_version` once per event-loop turn for other
   * processes' commits: sqlite.ts says exactly what is guaranteed). Undefined when the
   * engine cannot say (PostgreSQL: other nodes; SQLite ':memory:'): callers then
   * read the database. A cache checked against it must read the stamp before the
   * state it keeps.
   */
  changeStamp?(): number | undefined;
}

export interface SqliteOptions {
  readonly engine: 'sqlite';
  /** File path, or ':memory:' (tests only: no durability, one connection). */
  readonly path: string;
}

export interface PostgresOptions {
  readonly engine: 'postgres';
  /** postgres://user@host:port/db or postgres://user@/db?host=/socket/dir */
  readonly url: string;
  /** Pool size; defaults to CENTER_LIMITS.pgPoolMaxDefault. */
  readonly poolMax?: number;
}

export type StorageOptions = SqliteOptions | PostgresOptions;
