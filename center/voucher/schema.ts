/**
 * The voucher module's tables (versioned per module: `voucher`). Money is
 * BIGINT (PostgreSQL) / INTEGER (SQLite) in minor units. A card's PIN is
 * only ever here as its keyed hash (pin_hash, HMAC-SHA256), and sealed
 * (AES-256-GCM, pin_sealed) until its batch is printed, then NULL.
 */
import type { Migration, ModuleMigrations } from '../storage/types.js';

const both = (sql: (t: { big: string; blob: string }) => string): Migration['sql'] => ({
  sqlite: sql({ big: 'INTEGER', blob: 'BLOB' }),
  postgres: sql({ big: 'BIGINT', blob: 'BYTEA' }),
});

const V1: Migration = {
  version: 1,
  name: 'voucher cards, batches, activations, redemptions, guess counters, HQ days',
  sql: both(({ big, blob }) => `
    CREATE TABLE voucher_hqs (
      hq_id TEXT PRIMARY KEY,
      commission_bp INTEGER NOT NULL,
      created_ms ${big} NOT NULL
    );
    CREATE TABLE voucher_counters (
      name TEXT PRIMARY KEY,
      next_value ${big} NOT NULL
    );
    CREATE TABLE voucher_batches (
      id TEXT PRIMARY KEY,
      hq_id TEXT NOT NULL,
      denomination ${big},
      max_load ${big},
      card_count INTEGER NOT NULL,
      currency TEXT NOT NULL,
      first_serial TEXT NOT NULL,
      last_serial TEXT NOT NULL,
      valid_days INTEGER NOT NULL,
      created_ms ${big} NOT NULL,
      printed INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE voucher_cards (
      id TEXT PRIMARY KEY,
      batch_id TEXT NOT NULL,
      hq_id TEXT NOT NULL,
      state TEXT NOT NULL,
      denomination ${big},
      max_load ${big},
      currency TEXT NOT NULL,
      valid_days INTEGER NOT NULL,
      pin_hash ${blob} NOT NULL UNIQUE,
      pin_sealed ${blob},
      loaded ${big} NOT NULL DEFAULT 0,
      balance ${big} NOT NULL DEFAULT 0,
      held ${big} NOT NULL DEFAULT 0,
      activation_id TEXT,
      store_id TEXT,
      activated_ms ${big},
      expires_ms ${big},
      updated_ms ${big} NOT NULL
    );
    CREATE INDEX voucher_cards_batch ON voucher_cards (batch_id, id);
    CREATE INDEX voucher_cards_expiry ON voucher_cards (state, expires_ms);
    CREATE TABLE voucher_activations (
      id TEXT PRIMARY KEY,
      hq_id TEXT NOT NULL,
      request_id TEXT NOT NULL,
      serial TEXT NOT NULL,
      store_id TEXT NOT NULL,
      terminal_id TEXT NOT NULL,
      amount ${big} NOT NULL,
      currency TEXT NOT NULL,
      state TEXT NOT NULL,
      business_day TEXT NOT NULL,
      created_ms ${big} NOT NULL,
      expires_ms ${big} NOT NULL,
      undone_ms ${big},
      undone_day TEXT,
      UNIQUE (hq_id, request_id)
    );
    CREATE INDEX voucher_activations_day ON voucher_activations (hq_id, business_day);
    CREATE INDEX voucher_activations_undone ON voucher_activations (hq_id, undone_day);
    CREATE TABLE voucher_voids (
      hq_id TEXT NOT NULL,
      request_id TEXT NOT NULL,
      store_id TEXT NOT NULL,
      activation_request_id TEXT NOT NULL,
      created_ms ${big} NOT NULL,
      PRIMARY KEY (hq_id, request_id)
    );
    CREATE TABLE voucher_redemptions (
      id TEXT PRIMARY KEY,
      merchant_id TEXT NOT NULL,
      redemption_key TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      order_ref TEXT NOT NULL,
      state TEXT NOT NULL,
      amount ${big} NOT NULL,
      captured ${big} NOT NULL DEFAULT 0,
      refunded ${big} NOT NULL DEFAULT 0,
      currency TEXT NOT NULL,
      auth_expires_ms ${big},
      created_ms ${big} NOT NULL,
      updated_ms ${big} NOT NULL,
      UNIQUE (merchant_id, redemption_key)
    );
    CREATE INDEX voucher_redemptions_auth ON voucher_redemptions (state, auth_expires_ms);
    CREATE TABLE voucher_redemption_cards (
      redemption_id TEXT NOT NULL,
      serial TEXT NOT NULL,
      position INTEGER NOT NULL,
      held ${big} NOT NULL,
      captured ${big} NOT NULL DEFAULT 0,
      refunded ${big} NOT NULL DEFAULT 0,
      PRIMARY KEY (redemption_id, serial)
    );
    CREATE INDEX voucher_redemption_cards_serial ON voucher_redemption_cards (serial);
    CREATE TABLE voucher_refunds (
      redemption_id TEXT NOT NULL,
      refund_id TEXT NOT NULL,
      amount ${big} NOT NULL,
      created_ms ${big} NOT NULL,
      PRIMARY KEY (redemption_id, refund_id)
    );
    CREATE TABLE voucher_guesses (
      subject TEXT PRIMARY KEY,
      failures INTEGER NOT NULL,
      last_failure_ms ${big} NOT NULL,
      locked_until_ms ${big} NOT NULL
    );
    CREATE TABLE voucher_hq_days (
      hq_id TEXT NOT NULL,
      business_day TEXT NOT NULL,
      paid_minor ${big} NOT NULL,
      commission_minor ${big} NOT NULL,
      settled_ms ${big} NOT NULL,
      PRIMARY KEY (hq_id, business_day)
    )
  `),
};

const V2: Migration = {
  version: 2,
  name: 'voucher shop payouts',
  sql: both(({ big }) => `
    CREATE TABLE voucher_payouts (
      id TEXT PRIMARY KEY,
      merchant_id TEXT NOT NULL,
      bank_code TEXT NOT NULL,
      state TEXT NOT NULL,
      amount ${big} NOT NULL,
      currency TEXT NOT NULL,
      transfer_id TEXT NOT NULL,
      code TEXT,
      claim_until_ms ${big},
      created_ms ${big} NOT NULL,
      updated_ms ${big} NOT NULL
    );
    CREATE UNIQUE INDEX voucher_payouts_one_pending ON voucher_payouts (merchant_id) WHERE state = 'pending';
    CREATE INDEX voucher_payouts_merchant ON voucher_payouts (merchant_id, created_ms)
  `),
};

const V3: Migration = {
  version: 3,
  name: 'voucher redemptions by order reference',
  sql: both(() => `
    CREATE INDEX voucher_redemptions_order ON voucher_redemptions (merchant_id, order_ref, created_ms)
  `),
};

export const voucherMigrations: ModuleMigrations = { module: 'voucher', migrations: [V1, V2, V3] };
