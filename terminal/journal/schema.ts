/**
 * The journal's tables. Versioned with SQLite's user_version; migrations only
 * append. Money is INTEGER minor units.
 */
export const JOURNAL_MIGRATIONS: readonly string[] = [
  `CREATE TABLE purchases (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     medium_id TEXT NOT NULL CHECK (length(medium_id) = 16),
     card_counter INTEGER NOT NULL CHECK (card_counter >= 0),
     amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
     currency TEXT NOT NULL CHECK (length(currency) = 3),
     terminal_id TEXT NOT NULL,
     terminal_nonce BLOB NOT NULL,
     card_mac BLOB NOT NULL,
     recorded_at_ms INTEGER NOT NULL,
     settled_at_ms INTEGER,
     UNIQUE (medium_id, card_counter)
   );
   CREATE INDEX purchases_unsettled ON purchases (settled_at_ms, seq);
   CREATE TABLE outbox (
     transaction_id TEXT PRIMARY KEY CHECK (length(transaction_id) = 32),
     role TEXT NOT NULL,
     kind TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending', 'reverse', 'done', 'abandoned')),
     payload BLOB NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at_ms INTEGER NOT NULL,
     updated_at_ms INTEGER NOT NULL,
     result_code INTEGER,
     last_error TEXT
   );
   CREATE INDEX outbox_open ON outbox (state, created_at_ms);`,
  // Seed 004 exceptions (shop/vending roles): a DEBIT sent whose answer never came (one per card,
  // written before the APDU), and records kept aside for the operator (rejected at settlement, or a
  // debit the card made without its answer reaching the terminal: nonce and card_mac NULL).
  `CREATE TABLE debits_in_doubt (
     medium_id TEXT PRIMARY KEY CHECK (length(medium_id) = 16),
     counter_before INTEGER NOT NULL CHECK (counter_before >= 0),
     balance_before_minor INTEGER NOT NULL CHECK (balance_before_minor >= 0),
     amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
     currency TEXT NOT NULL CHECK (length(currency) = 3),
     terminal_id TEXT NOT NULL,
     started_at_ms INTEGER NOT NULL
   );
   CREATE TABLE purchases_aside (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     medium_id TEXT NOT NULL CHECK (length(medium_id) = 16),
     card_counter INTEGER NOT NULL CHECK (card_counter >= 0),
     amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
     currency TEXT NOT NULL CHECK (length(currency) = 3),
     terminal_id TEXT NOT NULL,
     terminal_nonce BLOB,
     card_mac BLOB,
     reason TEXT NOT NULL CHECK (reason IN ('FORGED', 'ALTERED', 'DUPLICATE', 'UNRECORDED', 'UNRESOLVED')),
     recorded_at_ms INTEGER NOT NULL,
     aside_at_ms INTEGER NOT NULL
   );`,
  // Bill validator: each note the validator stacked into the terminal's cash box (written when the
  // validator reports it, before the agent reports it accepted), and each cash collection that emptied
  // the box (the notes it took point at it). booked_at_ms: when the center booked it (next step).
  `CREATE TABLE cash_notes (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     bill_type INTEGER NOT NULL CHECK (bill_type BETWEEN 1 AND 255),
     note_id TEXT NOT NULL,
     amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
     currency TEXT NOT NULL CHECK (length(currency) = 3),
     stacked_at_ms INTEGER NOT NULL,
     collection_id TEXT
   );
   CREATE INDEX cash_notes_in_box ON cash_notes (collection_id, seq);
   CREATE TABLE cash_collections (
     collection_id TEXT NOT NULL CHECK (length(collection_id) = 32),
     currency TEXT NOT NULL CHECK (length(currency) = 3),
     notes INTEGER NOT NULL CHECK (notes > 0),
     amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
     collected_at_ms INTEGER NOT NULL,
     booked_at_ms INTEGER,
     PRIMARY KEY (collection_id, currency)
   );`,
  // Cash booking at the center (center/cash): each note's idempotency key (16 random bytes, hex; rows
  // written before this migration get one now), and when the center answered a note or a collection
  // (booked_at_ms) with which result (book_code: 0 booked, else the CASH_RESULT code it refused with).
  `ALTER TABLE cash_notes ADD COLUMN note_key TEXT;
   UPDATE cash_notes SET note_key = lower(hex(randomblob(16))) WHERE note_key IS NULL;
   CREATE UNIQUE INDEX cash_notes_key ON cash_notes (note_key);
   ALTER TABLE cash_notes ADD COLUMN booked_at_ms INTEGER;
   ALTER TABLE cash_notes ADD COLUMN book_code INTEGER;
   CREATE INDEX cash_notes_unbooked ON cash_notes (booked_at_ms, seq);
   ALTER TABLE cash_collections ADD COLUMN book_code INTEGER;`,
  // A cash-taking role's credit (the prepaid issuer, ROLES.md): the request a stacked note paid
  // (credited_to = its transaction id), so a note pays one customer's request. Notes stacked before
  // this migration are marked as not a customer's to take ('before-credit').
  `ALTER TABLE cash_notes ADD COLUMN credited_to TEXT;
   UPDATE cash_notes SET credited_to = 'before-credit';
   CREATE INDEX cash_notes_uncredited ON cash_notes (credited_to, seq);`,
];
