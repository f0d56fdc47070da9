import { TesseraError } from '../../core/errors.js';

/**
 * Converts an integer read from a database (number, bigint, or the decimal
 * string `pg` returns for BIGINT/NUMERIC) to a number, refusing anything
 * that is not an exact safe integer.
 */
export function toSafeInt(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value;
  } else if (typeof value === 'bigint') {
    if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(value);
  } else if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  throw new TesseraError('STORE_UNSAFE_INTEGER', `${what} is not a safe integer`, { what, value: String(value) });
}

/** Like toSafeInt but lets null through (nullable columns). */
export function toSafeIntOrNull(value: unknown, what: string): number | null {
  return value === null || value === undefined ? null : toSafeInt(value, what);
}
