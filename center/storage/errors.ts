import { defineErrors } from '../../core/errors.js';

/** Storage error codes (both engines). */
export const StoreErrors = defineErrors('storage', 'STORE_', {
  STORE_INVALID_INPUT: {
    meaning: 'A storage call got an id or field that is malformed or out of range.',
    action: 'Fix the caller or the admin request; the details name the field.',
    http: 400,
  },
  STORE_NOT_FOUND: {
    meaning: 'The medium or terminal named does not exist.',
    action: 'Check the id; add the medium or terminal first.',
    http: 404,
  },
  STORE_DUPLICATE: {
    meaning: 'A medium or terminal with this id already exists.',
    action: 'Use block/unblock to change an existing entry instead of adding it again.',
    http: 409,
  },
  STORE_OVERLOADED: {
    meaning: 'Too many units of work are waiting for a group commit (CENTER_LIMITS.storageQueueMax).',
    action: 'Retry later; if it persists the database is too slow for the load.',
    http: 503,
  },
  STORE_COMMIT_FAILED: {
    meaning: 'The batch transaction could not be committed; if the connection broke during COMMIT it may have committed.',
    action: 'Retry with the same idempotency key; check database health and disk space.',
    http: 503,
  },
  STORE_CLOSED: {
    meaning: 'The storage was closed.',
    action: 'Programming or shutdown-order error: do not use storage after close().',
    http: 503,
  },
  STORE_UNSAFE_INTEGER: {
    meaning: 'An integer read from the database does not fit a JavaScript safe integer.',
    action: 'Data is out of the supported range; inspect the row named in the details.',
    http: 500,
  },
  STORE_MIGRATION_FAILED: {
    meaning: 'A schema migration failed and was rolled back.',
    action: 'Read the cause in the log; fix the database or the migration and restart.',
  },
  STORE_BAD_TARGET: {
    meaning: 'The database target is neither a SQLite file path nor a postgres:// URL, or the file does not exist.',
    action: 'Pass a path to a SQLite file or a postgres:// connection URL.',
  },
  STORE_CANNOT_OPEN: {
    meaning: 'The database could not be opened: its directory or file does not exist or cannot be accessed, or the server refused the connection.',
    action: 'Check the path (create its directory) or the postgres:// URL, and the permissions of the user running Tessera; the reason line has the system error.',
  },
  STORE_CORRUPT: {
    meaning: 'The file is not a SQLite database, or SQLite found it damaged (PRAGMA quick_check failed).',
    action: 'Do not write to it: restore the database from a backup; keep the damaged file for inspection.',
  },
  STORE_READ_ONLY: {
    meaning: 'The database (or its directory, where SQLite keeps its -wal and -shm files) cannot be written by this process, or PostgreSQL is read-only (a standby).',
    action: 'Give the user running Tessera write access to the file and its directory, or point the config at the primary; then restart.',
    http: 503,
  },
});

export type StoreErrorCode = keyof typeof StoreErrors;
