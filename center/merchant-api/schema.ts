import type { ModuleMigrations } from '../storage/types.js';

/**
 * The merchant API's tables. API keys are stored as the SHA-256 of their
 * secret part only (api-keys.ts); idempotency records hold the stored answer
 * of a POST, written in the same unit of work as the POST's effect.
 */
export const merchantApiMigrations: ModuleMigrations = {
  module: 'merchant-api',
  migrations: [
    {
      version: 1,
      name: 'merchants, api keys, idempotency records, reconciliations',
      sql: `CREATE TABLE merchants (
              id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, shop_id TEXT UNIQUE, created_ms BIGINT NOT NULL);
            CREATE TABLE merchant_api_keys (
              id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, secret_hash TEXT NOT NULL, label TEXT,
              created_ms BIGINT NOT NULL, revoked_ms BIGINT);
            CREATE INDEX merchant_api_keys_merchant ON merchant_api_keys (merchant_id);
            CREATE TABLE merchant_idempotency (
              scope TEXT NOT NULL, idem_key TEXT NOT NULL, fingerprint TEXT NOT NULL,
              status INTEGER NOT NULL, body TEXT NOT NULL, created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL,
              PRIMARY KEY (scope, idem_key));
            CREATE INDEX merchant_idempotency_expiry ON merchant_idempotency (expires_ms);
            CREATE TABLE merchant_reconciliations (
              id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, settlement_ids TEXT NOT NULL, currency TEXT NOT NULL,
              declared_count INTEGER NOT NULL, declared_total BIGINT NOT NULL,
              expected_count INTEGER NOT NULL, expected_total BIGINT NOT NULL, matched SMALLINT NOT NULL, created_ms BIGINT NOT NULL);
            CREATE INDEX merchant_reconciliations_merchant ON merchant_reconciliations (merchant_id, created_ms)`,
    },
    {
      version: 2,
      name: 'api keys listed in the order they were added (two keys added in one millisecond kept apart)',
      sql: `ALTER TABLE merchant_api_keys ADD COLUMN seq BIGINT NOT NULL DEFAULT 0`,
    },
  ],
};
