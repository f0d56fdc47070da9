import type { ModuleMigrations } from '../storage/types.js';

/** The passwords module's tables (seed 003); money moves live in the ledger (ledger-map.ts). */
export const passwordsMigrations: ModuleMigrations = {
  module: 'passwords',
  migrations: [
    {
      version: 1,
      name: 'passwords, redemptions, refunds, delivery events, guess failures, merchant categories',
      // code_hash: HMAC-SHA-256 of the code under the lookup key (keys.ts), never the code.
      // remaining + reserved + captured = amount - returned (returned: value given back to the issuer).
      sql: `CREATE TABLE passwords (
              id TEXT PRIMARY KEY, issuer TEXT NOT NULL, request_id TEXT NOT NULL, request_hash TEXT NOT NULL, code_hash TEXT NOT NULL,
              binding TEXT NOT NULL, partial SMALLINT NOT NULL, amount BIGINT NOT NULL, currency TEXT NOT NULL,
              remaining BIGINT NOT NULL, reserved BIGINT NOT NULL, captured BIGINT NOT NULL, returned BIGINT NOT NULL,
              issued_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, payee_kind TEXT, payee TEXT, user_ref TEXT, goods TEXT NOT NULL,
              device_key BYTEA, device_counter BIGINT NOT NULL, terms BYTEA NOT NULL, signature BYTEA NOT NULL,
              channel TEXT NOT NULL, address TEXT NOT NULL, state TEXT NOT NULL, reason TEXT,
              created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL);
            CREATE UNIQUE INDEX passwords_request ON passwords (issuer, request_id);
            CREATE UNIQUE INDEX passwords_code ON passwords (code_hash);
            CREATE INDEX passwords_state ON passwords (state, expires_ms);
            CREATE INDEX passwords_device ON passwords (issuer, device_key);
            CREATE TABLE password_redemptions (
              id TEXT PRIMARY KEY, password_id TEXT NOT NULL, merchant_id TEXT NOT NULL, request_id TEXT NOT NULL, request_hash TEXT NOT NULL,
              amount BIGINT NOT NULL, captured BIGINT NOT NULL, refunded BIGINT NOT NULL, currency TEXT NOT NULL, state TEXT NOT NULL,
              deadline_ms BIGINT NOT NULL, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL);
            CREATE UNIQUE INDEX password_redemptions_request ON password_redemptions (merchant_id, request_id);
            CREATE INDEX password_redemptions_open ON password_redemptions (state, deadline_ms);
            CREATE INDEX password_redemptions_password ON password_redemptions (password_id);
            CREATE TABLE password_refunds (
              id TEXT PRIMARY KEY, redemption_id TEXT NOT NULL, merchant_id TEXT NOT NULL, request_id TEXT NOT NULL, amount BIGINT NOT NULL,
              restored SMALLINT NOT NULL, created_ms BIGINT NOT NULL);
            CREATE UNIQUE INDEX password_refunds_request ON password_refunds (merchant_id, request_id);
            CREATE TABLE password_events (
              password_id TEXT NOT NULL, at_ms BIGINT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL);
            CREATE INDEX password_events_password ON password_events (password_id, at_ms);
            CREATE TABLE password_guess_failures (
              scope TEXT PRIMARY KEY, window_start_ms BIGINT NOT NULL, failures BIGINT NOT NULL, locked_until_ms BIGINT NOT NULL);
            CREATE TABLE password_merchants (merchant_id TEXT PRIMARY KEY, category TEXT NOT NULL)`,
    },
    {
      version: 2,
      name: 'shop payouts (reconciliation ids) through the bank relay',
      // The columns of center/relay/bank-payouts.ts (BankPayouts), payee column merchant_id.
      sql: `CREATE TABLE password_payouts (
              id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, bank_code TEXT NOT NULL, state TEXT NOT NULL, amount BIGINT NOT NULL,
              currency TEXT NOT NULL, transfer_id TEXT NOT NULL, code TEXT, claim_until_ms BIGINT, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL);
            CREATE UNIQUE INDEX password_payouts_one_pending ON password_payouts (merchant_id) WHERE state = 'pending';
            CREATE INDEX password_payouts_merchant ON password_payouts (merchant_id, created_ms)`,
    },
  ],
};
