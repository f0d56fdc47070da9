/**
 * The center's storage contract. Two engines implement it: SQLite
 * (`better-sqlite3`, the embedded default, one center node) and PostgreSQL
 * (`pg`, several center nodes sharing one database). Both pass the same
 * contract suite (`test/center/storage/contract.ts`).
 *
 * Every method is async. Writes go through {@link Storage.transact}: units of
 * work that arrive in the same tick are committed together in one database
 * transaction (group commit, at most `STORAGE_BATCH_MAX` units per batch), so
 * durability costs one fsync per batch, not one per request. Each unit runs
 * inside its own savepoint: a unit that throws is rolled back alone and its
 * caller alone gets the error; the others commit. A promise returned by
 * `transact` (or by any write method below) settles only after COMMIT has
 * returned, i.e. after the data is durable (SQLite `synchronous=FULL`, WAL).
 *
 * Modules (ledger, e-money, vouchers, settlement, ...) own their tables: each
 * declares a {@link ModuleMigrations} list and calls {@link Storage.migrate}
 * once at start; migrations are versioned per module in `schema_migrations`.
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

// ---------------------------------------------------------------------------
// Validity data (seed 001): media and terminals.

export const MEDIUM_STATUSES = ['active', 'lost', 'stolen', 'expired', 'captured'] as const;
export type MediumStatus = (typeof MEDIUM_STATUSES)[number];

export const TERMINAL_STATUSES = ['active', 'inactive', 'blocked'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export const OWNER_KINDS = ['store', 'user'] as const;
export type OwnerKind = (typeof OWNER_KINDS)[number];

export interface Medium {
  /** 8 bytes as 16 lowercase hex chars. */
  readonly id: string;
  readonly status: MediumStatus;
  /** Wall-clock ms after which the medium is invalid whatever its status. */
  readonly expiresAtMs: number;
  /** The validity version of the last change to this row. */
  readonly version: number;
}

export interface NewMedium {
  readonly id: string;
  readonly status?: MediumStatus;
  readonly expiresAtMs: number;
}

export interface Terminal {
  /** 1-16 chars `[A-Z0-9-]`. */
  readonly id: string;
  readonly ownerKind: OwnerKind;
  /** The store or user the terminal is registered to (1-64 chars). */
  readonly ownerId: string;
  readonly status: TerminalStatus;
  /** Names the terminal's key in the key store (never the key itself). */
  readonly keyRef: string;
  /** Where the center calls the terminal back (settlement, seed 004); null if none. */
  readonly callbackAddress: string | null;
  readonly version: number;
}

export interface NewTerminal {
  readonly id: string;
  readonly ownerKind: OwnerKind;
  readonly ownerId: string;
  readonly status?: TerminalStatus;
  readonly keyRef: string;
  readonly callbackAddress?: string | null;
}

/**
 * Keyset cursor for change feeds. Start with `{ version: v, id: null }` (every
 * row changed after version v); continue with the last row you got,
 * `{ version: row.version, id: row.id }` (rows after it in (version, id) order).
 */
export interface ChangeCursor {
  readonly version: number;
  readonly id: string | null;
}

/**
 * A push that validity data changed. `version` is the validity version after
 * the change. `fullReload` is true when changes may have been missed (the
 * PostgreSQL LISTEN connection was re-established: notifications are not
 * replayed), so the listener must reload everything. Listeners may see the
 * same version twice and may see versions skip: compare with what you hold.
 */
export interface ValidityChange {
  readonly version: number;
  readonly fullReload: boolean;
}

export type Unsubscribe = () => void;

/**
 * Validity reads and admin operations. Every admin write bumps the validity
 * version by one (a bulk add bumps it once), stamps the changed rows with the
 * new version, and (PostgreSQL) issues `NOTIFY tessera_validity, '<version>'`
 * in the same transaction. Unknown ids raise `STORE_NOT_FOUND`; adding an id
 * that exists raises `STORE_DUPLICATE`; bad ids or fields raise
 * `STORE_INVALID_INPUT`.
 */
export interface ValidityStorage {
  getMedium(id: string): Promise<Medium | undefined>;
  getTerminal(id: string): Promise<Terminal | undefined>;
  /** One page of media ordered by id, after `afterId` (null: from the start). limit <= VALIDITY_PAGE_MAX. */
  listMedia(afterId: string | null, limit: number): Promise<Medium[]>;
  listTerminals(afterId: string | null, limit: number): Promise<Terminal[]>;
  /** Media changed after `after`, ordered by (version, id): the incremental refresh feed. */
  listMediaChangedSince(after: ChangeCursor, limit: number): Promise<Medium[]>;
  listTerminalsChangedSince(after: ChangeCursor, limit: number): Promise<Terminal[]>;
  countMedia(): Promise<number>;
  countTerminals(): Promise<number>;
  /** The current validity version (0 on an empty database). */
  getValidityVersion(): Promise<number>;

  /** Adds media (all or none; at most VALIDITY_BULK_MAX per call). Resolves to the new version. */
  addMedia(media: readonly NewMedium[]): Promise<number>;
  /** Sets a medium's status to `lost` or `stolen`. */
  blockMedium(id: string, status: 'lost' | 'stolen'): Promise<number>;
  /** Sets a medium back to `active` (from lost/stolen/captured). */
  unblockMedium(id: string): Promise<number>;
  /** Marks a medium `captured` (kept by the reader after a NAK). */
  captureMedium(id: string): Promise<number>;
  /** Sets any status (e.g. `expired`); the operations above are shorthands of it. */
  setMediumStatus(id: string, status: MediumStatus): Promise<number>;

  addTerminals(terminals: readonly NewTerminal[]): Promise<number>;
  blockTerminal(id: string): Promise<number>;
  unblockTerminal(id: string): Promise<number>;
  setTerminalStatus(id: string, status: TerminalStatus): Promise<number>;

  /**
   * Calls `listener` after every committed validity change. SQLite: from this
   * process's own write path. PostgreSQL: from LISTEN tessera_validity on a
   * dedicated connection (changes made by any node), plus this node's own
   * commits; after a reconnect the listener gets `fullReload: true`.
   */
  subscribeValidity(listener: (change: ValidityChange) => void): Unsubscribe;
}

export interface Storage extends ValidityStorage {
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
  /** Flushes queued work, closes connections. Later calls reject with `STORE_CLOSED`. */
  close(): Promise<void>;
  /** Calls fn after every group-committed batch (metrics); the returned function stops it. Optional for test doubles. */
  observeCommits?(fn: (b: { units: number; seconds: number; ok: boolean }) => void): () => void;
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
  /** Pool size; defaults to PG_POOL_MAX. */
  readonly poolMax?: number;
}

export type StorageOptions = SqliteOptions | PostgresOptions;
