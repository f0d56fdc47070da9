import type { ModuleMigrations } from '../storage/types.js';

/** The e-money module's tables (seed 004); money moves live in the ledger. */
export const emoneyMigrations: ModuleMigrations = {
  module: 'emoney',
  migrations: [
    {
      version: 1,
      name: 'charges, records, batches, merchants',
      sql: `CREATE TABLE emoney_charges (
              id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, bank_code TEXT NOT NULL, branch TEXT NOT NULL, account TEXT NOT NULL,
              amount BIGINT NOT NULL, currency TEXT NOT NULL, state TEXT NOT NULL, code TEXT NOT NULL,
              card_id TEXT, auth_counter BIGINT, host_mac BYTEA, in_doubt_ms BIGINT,
              created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL);
            CREATE UNIQUE INDEX emoney_charges_auth ON emoney_charges (card_id, auth_counter) WHERE state = 'authorized';
            CREATE INDEX emoney_charges_state ON emoney_charges (state, updated_ms);
            CREATE TABLE emoney_records (
              card_id TEXT NOT NULL, counter BIGINT NOT NULL, amount BIGINT NOT NULL, currency TEXT NOT NULL,
              terminal_id TEXT NOT NULL, nonce BYTEA NOT NULL, mac BYTEA NOT NULL, state TEXT NOT NULL, batch_id TEXT,
              PRIMARY KEY (card_id, counter));
            CREATE TABLE emoney_flags (
              card_id TEXT NOT NULL, counter BIGINT NOT NULL, terminal_id TEXT NOT NULL, kind TEXT NOT NULL, at_ms BIGINT NOT NULL,
              PRIMARY KEY (card_id, counter, terminal_id, kind));
            CREATE TABLE emoney_batches (
              id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, shop_id TEXT NOT NULL, bank_code TEXT NOT NULL, state TEXT NOT NULL,
              records TEXT NOT NULL, results TEXT, total BIGINT NOT NULL, currency TEXT NOT NULL, code TEXT NOT NULL,
              created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL);
            CREATE INDEX emoney_batches_terminal ON emoney_batches (terminal_id, state);
            CREATE TABLE emoney_merchants (
              shop_id TEXT PRIMARY KEY, bank_code TEXT NOT NULL, branch TEXT NOT NULL, account TEXT NOT NULL)`,
    },
    {
      version: 2,
      // Several center nodes on one database (README.md, "Several nodes"): the node that wins the
      // conditional UPDATE on claim_until_ms is the only one calling the bank for that charge or batch.
      name: 'bank-call claims',
      sql: `ALTER TABLE emoney_charges ADD COLUMN claim_until_ms BIGINT;
            ALTER TABLE emoney_batches ADD COLUMN claim_until_ms BIGINT`,
    },
    {
      version: 3,
      // Whether a reversing charge's approval was booked in the ledger (1) or never was (0): its own column,
      // so `code` holds only result codes (it held 'BOOKED'/'UNBOOKED' while reversing before).
      name: 'charge booking flag',
      sql: `ALTER TABLE emoney_charges ADD COLUMN booked SMALLINT;
            UPDATE emoney_charges SET booked = CASE WHEN code = 'BOOKED' THEN 1 ELSE 0 END, code = 'OK' WHERE code IN ('BOOKED','UNBOOKED')`,
    },
  ],
};
