/**
 * Row mappers: the one way a center module reads its rows. A mapper names
 * each domain field's column and type; `from()` turns a database row into a
 * typed object (camelCase fields, integers checked safe, bytes as Buffer,
 * enums checked against their values), so snake_case rows never leave the
 * module's storage code. A row that does not fit is CENTER_ROW_INVALID
 * naming table, column and expected type (never the value: it may be a MAC
 * or a key). The same mapper writes: `set()` turns changed fields into an
 * UPDATE's `col = ?` list, so field names never drift from column names.
 */
import { assert } from '../../core/assert.js';
import { TesseraError } from '../../core/errors.js';
import { toSafeInt } from '../storage/ints.js';
import type { Row, SqlExecutor, SqlParam } from '../storage/types.js';

/** One column: its name, how a read value becomes T, and how T is bound back. */
export interface Column<T> {
  readonly name: string;
  readonly expected: string;
  read(value: unknown): T | typeof MISMATCH;
  write(value: T): SqlParam;
}

const MISMATCH: unique symbol = Symbol('mismatch');
const IDENT = /^[a-z_][a-z0-9_]*$/;

function column<T>(name: string, expected: string, read: (v: unknown) => T | typeof MISMATCH, write: (v: T) => SqlParam): Column<T> {
  assert(IDENT.test(name), `column name ${name} is a plain SQL identifier`);
  return { name, expected, read, write };
}

/** TEXT. */
export const text = (name: string): Column<string> =>
  column(name, 'text', (v) => (typeof v === 'string' ? v : MISMATCH), (v) => v);

/** INTEGER / BIGINT read back as a safe integer (pg's decimal strings and bigints included). */
export const int = (name: string): Column<number> =>
  column(name, 'a safe integer', (v) => {
    if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'string') return MISMATCH;
    return toSafeInt(v, name);
  }, (v) => v);

/** BYTEA / BLOB as a Buffer. */
export const bytes = (name: string): Column<Buffer> =>
  column(name, 'bytes', (v) => (Buffer.isBuffer(v) ? v : v instanceof Uint8Array ? Buffer.from(v) : MISMATCH), (v) => v);

/** 0/1 stored in an integer column, read as a boolean. */
export const flag = (name: string): Column<boolean> =>
  column(name, '0 or 1', (v) => {
    if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'string') return MISMATCH;
    const n = toSafeInt(v, name);
    return n === 0 ? false : n === 1 ? true : MISMATCH;
  }, (v) => (v ? 1 : 0));

/** TEXT holding one of `values` (a state, a kind). */
export const oneOf = <const V extends string>(name: string, values: readonly V[]): Column<V> =>
  column(name, `one of ${values.join('|')}`, (v) => (typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as V) : MISMATCH), (v) => v);

/** The same column, NULL allowed (read as null; a column missing from the row is still refused). */
export const nullable = <T>(c: Column<T>): Column<T | null> =>
  column(c.name, `${c.expected} or null`, (v) => (v === null ? null : v === undefined ? MISMATCH : c.read(v)), (v) => (v === null ? null : c.write(v)));

type Columns = Readonly<Record<string, Column<unknown>>>;
export type RowOf<C extends Columns> = { -readonly [K in keyof C]: C[K] extends Column<infer T> ? T : never };

export interface RowMapper<C extends Columns> {
  /** The table (or, for an aggregate query, what the row is: error messages name it). */
  readonly table: string;
  /** `col_a, col_b, …` for a SELECT list. */
  readonly columns: string;
  /** The typed fields of a row; CENTER_ROW_INVALID if a column is missing or of another type. */
  from(row: Row): RowOf<C>;
  /** `SELECT <columns> FROM <table> <rest>`: every row, mapped. */
  all(q: SqlExecutor, rest: string, params?: readonly SqlParam[]): Promise<RowOf<C>[]>;
  /** The first row of `SELECT <columns> FROM <table> <rest>`, mapped, or undefined. */
  get(q: SqlExecutor, rest: string, params?: readonly SqlParam[]): Promise<RowOf<C> | undefined>;
  /** Every row of a whole query whose select list names the mapper's columns (aggregates, joins), mapped. */
  query(q: SqlExecutor, sql: string, params?: readonly SqlParam[]): Promise<RowOf<C>[]>;
  /** The first row of such a query, mapped, or undefined. */
  queryOne(q: SqlExecutor, sql: string, params?: readonly SqlParam[]): Promise<RowOf<C> | undefined>;
  /** `col_a = ?, col_b = ?` and the bound values of the fields given (undefined fields are left out). */
  set(fields: Partial<RowOf<C>>): { sql: string; params: SqlParam[] };
  /** The column of a field. */
  column(field: keyof C & string): string;
}

/** The typed row a mapper reads: `type Charge = MappedRow<typeof CHARGE_ROWS>`. */
export type MappedRow<M> = M extends RowMapper<infer C> ? RowOf<C> : never;

export function rowMapper<C extends Columns>(table: string, cols: C): RowMapper<C> {
  const entries = Object.entries(cols);
  assert(entries.length > 0, 'a row mapper maps at least one column');
  const columns = entries.map(([, c]) => c.name).join(', ');
  const from = (row: Row): RowOf<C> => {
    const out: Record<string, unknown> = {};
    for (const [field, c] of entries) {
      const v = c.read(row[c.name]);
      if (v === MISMATCH) {
        throw new TesseraError('CENTER_ROW_INVALID', `${table}.${c.name} is not ${c.expected}`, { table, column: c.name, got: row[c.name] === null ? 'null' : typeof row[c.name] });
      }
      out[field] = v;
    }
    return out as RowOf<C>;
  };
  return {
    table,
    columns,
    from,
    all: async (q, rest, params = []) => (await q.all(`SELECT ${columns} FROM ${table} ${rest}`, params)).map(from),
    get: async (q, rest, params = []) => {
      const r = await q.get(`SELECT ${columns} FROM ${table} ${rest}`, params);
      return r === undefined ? undefined : from(r);
    },
    query: async (q, sql, params = []) => (await q.all(sql, params)).map(from),
    queryOne: async (q, sql, params = []) => {
      const r = await q.get(sql, params);
      return r === undefined ? undefined : from(r);
    },
    set: (fields) => {
      const given = entries.filter(([f]) => (fields as Record<string, unknown>)[f] !== undefined);
      return {
        sql: given.map(([, c]) => `${c.name} = ?`).join(', '),
        params: given.map(([f, c]) => c.write((fields as Record<string, unknown>)[f])),
      };
    },
    column: (field) => {
      const c = cols[field];
      assert(c !== undefined, `no field ${field} in ${table}'s mapper`);
      return c.name;
    },
  };
}
