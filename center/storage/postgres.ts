import pg from 'pg';
import { TesseraError } from '../../core/errors.js';
import { CENTER_LIMITS } from '../limits.js';
import { GroupCommitter, type BatchEngine, type BatchSession } from './group-commit.js';
import { toSafeInt } from './ints.js';
import { SqlStorage, type StorageDeps } from './sql-storage.js';
import type { Row, SqlExecutor, SqlParam, Tx } from './types.js';

const INT8_OID = 20;
const NUMERIC_OID = 1700;
/** pg_advisory_xact_lock key that serializes migrations across nodes ("tessera"). */
const MIGRATION_LOCK_KEY = 0x7e55e4a;
/** SQLSTATEs of a unit that lost a race with another node: re-running it sees the winner's commit. */
const RACE_SQLSTATES = new Set(['40001', '40P01', '23505']);

/** BIGINT and NUMERIC come back as exact safe integers or not at all (per pool: pg's global parsers are left alone). */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
    if (oid === INT8_OID) return (v: string) => toSafeInt(v, 'bigint');
    if (oid === NUMERIC_OID) return (v: string) => (/^-?\d+$/.test(v) ? toSafeInt(v, 'numeric') : v);
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
};

const placeholderCache = new Map<string, string>();

/** Rewrites `?` placeholders to `$1..$n`, leaving quoted strings and identifiers alone. */
export function toPgPlaceholders(sql: string): string {
  const hit = placeholderCache.get(sql);
  if (hit !== undefined) return hit;
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  if (placeholderCache.size < 10_000) placeholderCache.set(sql, out);
  return out;
}

interface Queryable {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>;
  query(text: string): Promise<pg.QueryResult>;
}

const statementNames = new Map<string, string>();

/**
 * Parameterized statements are named, so each connection parses and plans
 * them once (pg prepares a named statement on first use per connection).
 */
function prepared(sql: string, params: readonly SqlParam[]): pg.QueryConfig {
  const text = toPgPlaceholders(sql);
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < CENTER_LIMITS.pgPreparedMax) {
    name = `t${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name === undefined ? { text, values: [...params] } : { name, text, values: [...params] };
}

class PgExecutor implements SqlExecutor {
  readonly engine = 'postgres' as const;
  constructor(private readonly q: Queryable) {}

  async all<R extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<R[]> {
    return (await this.q.query(prepared(sql, params))).rows as R[];
  }
  async get<R extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<R | undefined> {
    return (await this.all<R>(sql, params))[0];
  }
  async run(sql: string, params: readonly SqlParam[] = []): Promise<{ changes: number }> {
    return { changes: (await this.q.query(prepared(sql, params))).rowCount ?? 0 };
  }
  async exec(sql: string): Promise<void> {
    // No parameters: the simple query protocol, which accepts several statements.
    await this.q.query(sql);
  }
}

/**
 * PostgreSQL storage for several center nodes sharing one database. Batches
 * run on one pooled connection at a time; reads use the rest of the pool.
 * Notification channels (a module's change feed) are LISTENed on a dedicated connection.
 */
export class PostgresStorage extends SqlStorage {
  readonly engine = 'postgres' as const;
  protected readonly committer: GroupCommitter;
  private readonly pool: pg.Pool;
  private readonly reader: PgExecutor;
  private listen: ChannelListenerConnection | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    deps: StorageDeps,
    poolMax: number = CENTER_LIMITS.pgPoolMaxDefault,
  ) {
    super(deps);
    this.pool = new pg.Pool({ connectionString: url, max: poolMax, types: types as pg.CustomTypesConfig });
    // An idle client that dies (server restart) must not crash the process; the pool replaces it.
    this.pool.on('error', (e) => deps.log.warn({ err: e }, 'idle PostgreSQL connection failed'));
    this.reader = new PgExecutor(this.pool);
    const pool = this.pool;
    const engine: BatchEngine = {
      beginSql: 'BEGIN',
      retryMax: CENTER_LIMITS.pgUnitRetriesMax,
      retryable: (e) => typeof e === 'object' && e !== null && RACE_SQLSTATES.has(String((e as { code?: unknown }).code)),
      session: async (): Promise<BatchSession> => {
        const client = await pool.connect();
        const exec = new PgExecutor(client);
        return {
          exec: (sql) => exec.exec(sql),
          tx: (hooks) => pgTx(exec, hooks),
          release: (broken) => client.release(broken ? new Error('batch failed') : undefined),
        };
      },
    };
    this.committer = new GroupCommitter(engine, deps.log);
  }

  async read<T>(fn: (q: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.closed) throw new TesseraError('STORE_CLOSED', 'storage is closed');
    return fn(this.reader);
  }

  protected async listenTo(channel: string): Promise<void> {
    if (this.closed) throw new TesseraError('STORE_CLOSED', 'storage is closed');
    this.listen ??= new ChannelListenerConnection(this.url, this.deps, (c, p) => this.emit(c, p));
    await this.listen.add(channel);
  }

  /** Backend pid of the LISTEN connection (tests kill it to exercise the reconnect path). */
  listenPid(): number | undefined {
    return this.listen?.backendPid;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.committer.close();
    this.closed = true;
    await this.listen?.stop();
    await this.pool.end();
  }

  protected async lockForMigration(tx: Tx): Promise<void> {
    await tx.get('SELECT pg_advisory_xact_lock(?) AS locked', [MIGRATION_LOCK_KEY]);
  }

  protected async notifyInTx(tx: Tx, channel: string, payload: string): Promise<void> {
    // NOTIFY is delivered at COMMIT and dropped on rollback: exactly the committed changes are pushed.
    await tx.get('SELECT pg_notify(?, ?) AS sent', [channel, payload]);
  }
}

function pgTx(exec: PgExecutor, hooks: (() => void)[]): Tx {
  return {
    engine: 'postgres',
    forUpdate: ' FOR UPDATE',
    all: (sql, params) => exec.all(sql, params),
    get: (sql, params) => exec.get(sql, params),
    run: (sql, params) => exec.run(sql, params),
    exec: (sql) => exec.exec(sql),
    afterCommit: (fn) => {
      hooks.push(fn);
    },
  };
}

/**
 * LISTEN on a dedicated connection, for every channel subscribed to.
 * Notifications sent while it is down are lost, so after every reconnect
 * each channel's listeners get null (re-read what you hold).
 */
class ChannelListenerConnection {
  private client: pg.Client | undefined;
  private stopped = false;
  private connecting = false;
  private backoffMs: number = CENTER_LIMITS.pgListenReconnectMsMin;
  /** Set after a lost or failed connection: the next successful one must signal a miss. */
  private missedSome = false;
  private readonly channels = new Set<string>();
  private readyWaiters: (() => void)[] = [];
  backendPid: number | undefined;

  constructor(
    private readonly url: string,
    private readonly deps: StorageDeps,
    private readonly emit: (channel: string, payload: string | null) => void,
  ) {}

  /** LISTENs the channel too; resolves once the connection listens to it. */
  async add(channel: string): Promise<void> {
    if (this.channels.has(channel) && this.backendPid !== undefined) return;
    this.channels.add(channel);
    if (this.client && this.backendPid !== undefined) {
      await this.client.query(`LISTEN ${channel}`); // checked [a-z_]{1,48} by SqlStorage.subscribe
      return;
    }
    const ready = new Promise<void>((resolve) => this.readyWaiters.push(resolve));
    if (!this.connecting) void this.connect();
    await ready;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.connecting = true;
    const client = new pg.Client({ connectionString: this.url, types: types as pg.CustomTypesConfig });
    let failed = false;
    const onDown = (e?: unknown): void => {
      if (failed) return;
      failed = true;
      this.connecting = false;
      this.backendPid = undefined;
      this.missedSome = true;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.deps.log.warn({ err: e, retryInMs: this.backoffMs }, 'LISTEN connection lost');
      this.connecting = true;
      this.deps.clock.setTimer(this.backoffMs, () => void this.connect());
      this.backoffMs = Math.min(this.backoffMs * 2, CENTER_LIMITS.pgListenReconnectMsMax);
    };
    client.on('error', onDown);
    client.on('end', () => onDown());
    client.on('notification', (msg) => {
      if (this.channels.has(msg.channel)) this.emit(msg.channel, msg.payload ?? '');
    });
    try {
      await client.connect();
      for (const ch of this.channels) await client.query(`LISTEN ${ch}`);
      const r = await client.query('SELECT pg_backend_pid() AS pid');
      if (this.stopped || failed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.connecting = false;
      this.backendPid = Number(r.rows[0]?.pid);
      this.backoffMs = CENTER_LIMITS.pgListenReconnectMsMin;
      if (this.missedSome) {
        this.missedSome = false;
        for (const ch of this.channels) this.emit(ch, null);
      }
      for (const w of this.readyWaiters.splice(0)) w();
    } catch (e) {
      onDown(e);
    }
  }
}
