import type { ModuleMigrations } from '../storage/types.js';

/**
 * The prepaid center's tables (seed 000, docs/PREPAID.md); money moves live in the ledger.
 *
 *   prepaid_media        one row per medium: the rotation state, the held balance (¶0038), the
 *                        confirmed generation and the pending one (at most one)
 *   prepaid_generations  every file the center wrote for a medium: its SHA-256 (what the medium
 *                        must present byte for byte), key version, balance and last log entry
 *   prepaid_keys         the key table (S33): per medium and key version, the salt that diversifies
 *                        K1/K2 from the master key; NULL once erased
 *   prepaid_passwords    the password table (S31): per generation, SHA-256 of the system password; NULL once erased
 *   prepaid_usage        the usage records (issue, payments, fees, recovery), hash-chained per medium
 *   prepaid_clones       every superseded generation presented (a copy or a rollback)
 *   prepaid_payments     what paid each issue at a prepaid terminal (PREPAID_ISSUE): one row per note
 *                        (kind cash, ref terminal/note key) or purse record (kind purse, ref card/counter);
 *                        the primary key makes one payment pay one issue
 */
export const prepaidMigrations: ModuleMigrations = {
  module: 'prepaid',
  migrations: [
    {
      version: 1,
      name: 'media, generations, key table, password table, usage, clones',
      sql: `CREATE TABLE prepaid_media (
              id TEXT PRIMARY KEY, state TEXT NOT NULL, currency TEXT NOT NULL, balance BIGINT NOT NULL CHECK (balance >= 0),
              confirmed_gen BIGINT NOT NULL, pending_gen BIGINT, last_seq BIGINT NOT NULL, frozen_reason TEXT,
              created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL);
            CREATE INDEX prepaid_media_state ON prepaid_media (state);
            CREATE TABLE prepaid_generations (
              id TEXT PRIMARY KEY, medium_id TEXT NOT NULL, gen BIGINT NOT NULL, state TEXT NOT NULL, key_version BIGINT NOT NULL,
              balance BIGINT NOT NULL, log_seq BIGINT NOT NULL, written_ms BIGINT NOT NULL, request_id TEXT NOT NULL,
              digest BYTEA NOT NULL, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL);
            CREATE UNIQUE INDEX prepaid_generations_gen ON prepaid_generations (medium_id, gen);
            CREATE TABLE prepaid_keys (
              medium_id TEXT NOT NULL, version BIGINT NOT NULL, salt BYTEA, created_ms BIGINT NOT NULL, erased_ms BIGINT,
              PRIMARY KEY (medium_id, version));
            CREATE TABLE prepaid_passwords (
              medium_id TEXT NOT NULL, gen BIGINT NOT NULL, verifier BYTEA, PRIMARY KEY (medium_id, gen));
            CREATE TABLE prepaid_usage (
              request_id TEXT PRIMARY KEY, medium_id TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, payee TEXT NOT NULL,
              amount BIGINT NOT NULL, balance_after BIGINT NOT NULL, at_ms BIGINT NOT NULL, chain BYTEA NOT NULL, gen BIGINT NOT NULL);
            CREATE UNIQUE INDEX prepaid_usage_seq ON prepaid_usage (medium_id, seq);
            CREATE TABLE prepaid_clones (
              medium_id TEXT NOT NULL, presented_gen BIGINT NOT NULL, confirmed_gen BIGINT NOT NULL, source TEXT NOT NULL, at_ms BIGINT NOT NULL)`,
    },
    {
      version: 2,
      name: 'issue payments',
      sql: `CREATE TABLE prepaid_payments (
              kind TEXT NOT NULL, ref TEXT NOT NULL, request_id TEXT NOT NULL, terminal_id TEXT NOT NULL, amount BIGINT NOT NULL,
              at_ms BIGINT NOT NULL, PRIMARY KEY (kind, ref));
            CREATE INDEX prepaid_payments_request ON prepaid_payments (request_id)`,
    },
  ],
};
