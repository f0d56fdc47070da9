import type { ModuleMigrations } from '../storage/types.js';

/**
 * The cash module's tables: each note booked (per terminal and note key) and
 * each collection (per terminal, collection id and currency). Money moves
 * live in the ledger (ledger-map.ts); these rows make the bookings
 * idempotent and keep a refused collection visible (state `mismatch`).
 */
export const cashMigrations: ModuleMigrations = {
  module: 'cash',
  migrations: [
    {
      version: 1,
      name: 'notes and collections',
      sql: `CREATE TABLE cash_notes (
              terminal_id TEXT NOT NULL, note_key TEXT NOT NULL, amount BIGINT NOT NULL, currency TEXT NOT NULL,
              stacked_at_ms BIGINT NOT NULL, booked_ms BIGINT NOT NULL, collection_id TEXT,
              PRIMARY KEY (terminal_id, note_key));
            CREATE INDEX cash_notes_in_box ON cash_notes (terminal_id, collection_id);
            CREATE TABLE cash_collections (
              terminal_id TEXT NOT NULL, collection_id TEXT NOT NULL, currency TEXT NOT NULL,
              notes BIGINT NOT NULL, amount BIGINT NOT NULL, state TEXT NOT NULL CHECK (state IN ('booked', 'mismatch')),
              code TEXT NOT NULL, booked_notes BIGINT NOT NULL, booked_amount BIGINT NOT NULL, created_ms BIGINT NOT NULL,
              PRIMARY KEY (terminal_id, collection_id, currency))`,
    },
  ],
};
