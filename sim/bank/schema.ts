import type { ModuleMigrations } from '../../center/storage/types.js';

/** Tables of one simulated bank host (its own database; balances live in its ledger). */
export const bankMigrations: ModuleMigrations = {
  module: 'bank',
  migrations: [
    {
      version: 1,
      name: 'customers and transfers',
      sql: `CREATE TABLE bank_customers (
              branch TEXT NOT NULL, account TEXT NOT NULL, holder TEXT NOT NULL, role TEXT NOT NULL,
              pin_salt BYTEA NOT NULL, pin_hash BYTEA NOT NULL, status TEXT NOT NULL, currency TEXT NOT NULL,
              PRIMARY KEY (branch, account));
            CREATE TABLE bank_transfers (
              id TEXT PRIMARY KEY, from_acct TEXT NOT NULL, to_acct TEXT NOT NULL, amount BIGINT NOT NULL,
              currency TEXT NOT NULL, approved INTEGER NOT NULL, code TEXT NOT NULL, reversed INTEGER NOT NULL,
              created_ms BIGINT NOT NULL)`,
    },
  ],
};
