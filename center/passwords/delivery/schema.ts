import type { ModuleMigrations } from '../../storage/types.js';

/**
 * The delivery queue (its own migration list, module `password_delivery`):
 * one row per delivery, one row per send attempt (the SMSC's message id,
 * which receipts name), and receipts whose message id no attempt holds yet
 * (a receipt can overtake the recording of its submit_sm_resp; one for a
 * message sent just before a crash never matches and stays there). `text` holds the message (a secret) only while the
 * delivery may still be sent; it is set NULL when the delivery is final.
 */
export const deliveryMigrations: ModuleMigrations = {
  module: 'password_delivery',
  migrations: [
    {
      version: 1,
      name: 'delivery queue and attempts',
      sql: `CREATE TABLE password_deliveries (
              id TEXT PRIMARY KEY, password_serial TEXT NOT NULL, channel TEXT NOT NULL, address TEXT NOT NULL,
              subject TEXT NOT NULL, text TEXT, state TEXT NOT NULL, attempts BIGINT NOT NULL, next_attempt_ms BIGINT NOT NULL,
              deadline_ms BIGINT NOT NULL, code TEXT NOT NULL, claim_until_ms BIGINT, late_receipt TEXT,
              created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, done_ms BIGINT);
            CREATE INDEX password_deliveries_due ON password_deliveries (state, next_attempt_ms);
            CREATE TABLE password_delivery_attempts (
              delivery_id TEXT NOT NULL, attempt BIGINT NOT NULL, message_id TEXT, sent_ms BIGINT NOT NULL,
              receipt TEXT, receipt_ms BIGINT, PRIMARY KEY (delivery_id, attempt));
            CREATE UNIQUE INDEX password_delivery_attempts_msg ON password_delivery_attempts (message_id);
            CREATE TABLE password_delivery_receipts (message_id TEXT PRIMARY KEY, stat TEXT NOT NULL, at_ms BIGINT NOT NULL)`,
    },
    {
      version: 2,
      // The outcomes owed to the passwords module's sink (center/passwords/delivery-port.ts), written in the unit that
      // records them and reported after the commit until the sink answered (an outbox: a crash reports them again).
      name: 'outcome outbox',
      sql: `CREATE TABLE password_delivery_outcomes (
              delivery_id TEXT NOT NULL, seq BIGINT NOT NULL, outcome TEXT NOT NULL, channel TEXT NOT NULL, at_ms BIGINT NOT NULL,
              detail TEXT NOT NULL, late SMALLINT NOT NULL, reported_ms BIGINT, effect TEXT, PRIMARY KEY (delivery_id, seq));
            CREATE INDEX password_delivery_outcomes_unreported ON password_delivery_outcomes (reported_ms, at_ms)`,
    },
  ],
};
