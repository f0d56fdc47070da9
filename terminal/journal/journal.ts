import Database from 'better-sqlite3';
import { assert } from '../../core/assert.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { createPrivateFile } from '../../core/files.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { termError } from '../agent/errors.js';
import { AGENT_LIMITS } from '../limits.js';
import { JOURNAL_MIGRATIONS } from './schema.js';
import type { AsideReason, AsideRecord, CashBoxContent, CashCollection, CashCollectionToBook, CashNoteInput, CashNoteToBook, DebitInDoubt, JournalPurchase, JournalRecordKey, OpenOutboxState, OutboxEntry, OutboxInput, OutboxState, StoredDebitInDoubt, StoredPurchase } from './types.js';

// Every unsettled record must fit in one settle request.
assert(AGENT_LIMITS.journalUnsettledMax <= PROTOCOL_LIMITS.recordsPerFrameMax, 'journal holds more records than a settle request carries');

type Row = Record<string, unknown>;

/**
 * The terminal's durable journal: offline purchase records until settled and
 * erased, and the outbox of requests whose answer must not be lost (repeat
 * with the same transaction id, or reverse). SQLite in WAL mode with
 * synchronous=FULL: a call that returned is on disk. Every multi-row change
 * is one SQLite transaction, so a crash leaves all of it or none.
 */
export class Journal {
  private constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {}

  static open(path: string, opts: { clock?: Clock } = {}): Journal {
    let db: Database.Database | undefined;
    try {
      createPrivateFile(path); // 0600 whatever the umask (SQLite gives -wal/-shm the same mode)
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      migrate(db);
      return new Journal(db, opts.clock ?? systemClock);
    } catch (e) {
      db?.close();
      throw termError('TERM_JOURNAL_OPEN', 'cannot open the terminal journal', { path }, e);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Effective durability settings (tests, diagnostics). */
  pragmas(): { journalMode: string; synchronous: number } {
    return { journalMode: String(this.db.pragma('journal_mode', { simple: true })), synchronous: Number(this.db.pragma('synchronous', { simple: true })) };
  }

  // ---------------------------------------------------------------- purchase records

  /** Appends one record; the same record again is a no-op, the same key with other content TERM_JOURNAL_DUPLICATE. */
  appendPurchase(p: JournalPurchase): void {
    assert(Number.isSafeInteger(p.amountMinor) && p.amountMinor >= 0, 'amountMinor must be a non-negative safe integer');
    this.db.transaction(() => {
      const existing = this.db.prepare('SELECT * FROM purchases WHERE medium_id = ? AND card_counter = ?').get(p.mediumId, p.cardCounter) as Row | undefined;
      if (existing) {
        if (!samePurchase(purchaseOf(existing), p)) throw termError('TERM_JOURNAL_DUPLICATE', 'a different record with this card and counter exists', { mediumId: p.mediumId, cardCounter: p.cardCounter });
        return;
      }
      if (this.count('SELECT count(*) AS n FROM purchases WHERE settled_at_ms IS NULL') >= AGENT_LIMITS.journalUnsettledMax) {
        throw termError('TERM_JOURNAL_FULL', 'the journal holds the maximum of unsettled records', { max: AGENT_LIMITS.journalUnsettledMax });
      }
      this.db
        .prepare('INSERT INTO purchases (medium_id, card_counter, amount_minor, currency, terminal_id, terminal_nonce, card_mac, recorded_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(p.mediumId, p.cardCounter, p.amountMinor, p.currency, p.terminalId, p.terminalNonce, p.cardMac, this.clock.nowMs());
    })();
  }

  /** Unsettled records, oldest first. */
  listUnsettled(limit: number = AGENT_LIMITS.journalUnsettledMax): StoredPurchase[] {
    const rows = this.db.prepare('SELECT * FROM purchases WHERE settled_at_ms IS NULL ORDER BY seq LIMIT ?').all(limit) as Row[];
    return rows.map(purchaseOf);
  }

  /** Every record (settled or not), oldest first. */
  listPurchases(limit: number = AGENT_LIMITS.journalUnsettledMax): StoredPurchase[] {
    return (this.db.prepare('SELECT * FROM purchases ORDER BY seq LIMIT ?').all(limit) as Row[]).map(purchaseOf);
  }

  /** Marks exactly these unsettled records settled, all or none (TERM_JOURNAL_MISMATCH names the first that is not). */
  markSettled(keys: readonly JournalRecordKey[]): void {
    const now = this.clock.nowMs();
    this.exactly(keys, 'UPDATE purchases SET settled_at_ms = ? WHERE medium_id = ? AND card_counter = ? AND settled_at_ms IS NULL', (k) => [now, k.mediumId, k.cardCounter]);
  }

  /** Erases exactly these records (settled or not), all or none. */
  erase(keys: readonly JournalRecordKey[]): void {
    this.exactly(keys, 'DELETE FROM purchases WHERE medium_id = ? AND card_counter = ?', (k) => [k.mediumId, k.cardCounter]);
  }

  /** Marks settled and erases in one step (the settlement instruction's "erase the settled records"). */
  settleAndErase(keys: readonly JournalRecordKey[]): void {
    this.db.transaction(() => {
      this.markSettled(keys);
      this.erase(keys);
    })();
  }

  private exactly(keys: readonly JournalRecordKey[], sql: string, params: (k: JournalRecordKey) => unknown[]): void {
    const stmt = this.db.prepare(sql);
    const seen = new Set<string>();
    this.db.transaction(() => {
      for (const k of keys) {
        const id = `${k.mediumId}/${k.cardCounter}`;
        if (seen.has(id) || stmt.run(...params(k)).changes !== 1) {
          throw termError('TERM_JOURNAL_MISMATCH', 'a named record is missing, repeated, or in the wrong state', { mediumId: k.mediumId, cardCounter: k.cardCounter });
        }
        seen.add(id);
      }
    })();
  }

  // ---------------------------------------------------------------- debits in doubt, records set aside (seed 004)

  /** Notes a DEBIT about to be sent (before the APDU). One per card: TERM_JOURNAL_DUPLICATE if that card has one. */
  debitSent(d: DebitInDoubt): void {
    assert(Number.isSafeInteger(d.amountMinor) && d.amountMinor > 0, 'amountMinor must be a positive safe integer');
    this.db.transaction(() => {
      if (this.debitInDoubt(d.mediumId)) throw termError('TERM_JOURNAL_DUPLICATE', 'a debit of this card is already in doubt', { mediumId: d.mediumId });
      this.db
        .prepare('INSERT INTO debits_in_doubt (medium_id, counter_before, balance_before_minor, amount_minor, currency, terminal_id, started_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(d.mediumId, d.counterBefore, d.balanceBeforeMinor, d.amountMinor, d.currency, d.terminalId, this.clock.nowMs());
    })();
  }

  /** The card answered (or was found not to have debited): drop the doubt and append its record, if any, in one step. */
  debitAnswered(mediumId: string, record: JournalPurchase | null): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM debits_in_doubt WHERE medium_id = ?').run(mediumId);
      if (record) this.appendPurchase(record);
    })();
  }

  /**
   * The card answered a debit that pays an online request (the prepaid issuer's purse payment): drop the
   * doubt and journal the request carrying the card's record, in one step. The record is not an offline
   * purchase (it is never settled by this terminal): it lives in the outbox entry until the center answers.
   */
  debitAnsweredToOutbox(mediumId: string, input: OutboxInput): OutboxEntry {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM debits_in_doubt WHERE medium_id = ?').run(mediumId);
      return this.outboxAdd(input);
    })();
  }

  debitInDoubt(mediumId: string): StoredDebitInDoubt | undefined {
    const row = this.db.prepare('SELECT * FROM debits_in_doubt WHERE medium_id = ?').get(mediumId) as Row | undefined;
    return row && doubtOf(row);
  }

  listDebitsInDoubt(limit: number = AGENT_LIMITS.journalUnsettledMax): StoredDebitInDoubt[] {
    return (this.db.prepare('SELECT * FROM debits_in_doubt ORDER BY started_at_ms LIMIT ?').all(limit) as Row[]).map(doubtOf);
  }

  /** The card showed the doubted debit made (UNRECORDED) or could not tell (UNRESOLVED): keep it aside, without a MAC. */
  debitSetAside(mediumId: string, reason: Extract<AsideReason, 'UNRECORDED' | 'UNRESOLVED'>): void {
    this.db.transaction(() => {
      const d = this.debitInDoubt(mediumId);
      if (!d) throw termError('TERM_JOURNAL_MISMATCH', 'no debit in doubt for this card', { mediumId });
      this.insertAside({ ...d, cardCounter: d.counterBefore + 1, terminalNonce: null, cardMac: null, recordedAtMs: d.startedAtMs }, reason);
      this.db.prepare('DELETE FROM debits_in_doubt WHERE medium_id = ?').run(mediumId);
    })();
  }

  /** Moves exactly these unsettled records aside with the center's verdict, all or none. */
  setAside(records: ReadonlyArray<JournalRecordKey & { readonly reason: AsideReason }>): void {
    this.db.transaction(() => {
      for (const k of records) {
        const row = this.db.prepare('SELECT * FROM purchases WHERE medium_id = ? AND card_counter = ? AND settled_at_ms IS NULL').get(k.mediumId, k.cardCounter) as Row | undefined;
        if (!row) throw termError('TERM_JOURNAL_MISMATCH', 'a named record is missing or already settled', { mediumId: k.mediumId, cardCounter: k.cardCounter });
        this.insertAside(purchaseOf(row), k.reason);
      }
      this.erase(records);
    })();
  }

  /** Records kept aside, oldest first. */
  listAside(limit: number = AGENT_LIMITS.journalUnsettledMax): AsideRecord[] {
    return (this.db.prepare('SELECT * FROM purchases_aside ORDER BY seq LIMIT ?').all(limit) as Row[]).map(asideOf);
  }

  private insertAside(p: Omit<AsideRecord, 'reason' | 'asideAtMs'>, reason: AsideReason): void {
    this.db
      .prepare('INSERT INTO purchases_aside (medium_id, card_counter, amount_minor, currency, terminal_id, terminal_nonce, card_mac, reason, recorded_at_ms, aside_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(p.mediumId, p.cardCounter, p.amountMinor, p.currency, p.terminalId, p.terminalNonce, p.cardMac, reason, p.recordedAtMs, this.clock.nowMs());
  }

  // ---------------------------------------------------------------- cash box (bill validator)

  /** Records a note the validator stacked (one row per note; the money is in the cash box). Returns the box content after. */
  noteStacked(n: CashNoteInput): CashBoxContent[] {
    assert(Number.isSafeInteger(n.amountMinor) && n.amountMinor > 0, 'amountMinor must be a positive safe integer');
    return this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO cash_notes (bill_type, note_id, amount_minor, currency, stacked_at_ms, note_key) VALUES (?, ?, ?, ?, ?, lower(hex(randomblob(16))))')
        .run(n.billType, n.noteId, n.amountMinor, n.currency, this.clock.nowMs());
      return this.cashBox();
    })();
  }

  /** The cash box by the journal: notes stacked and not collected, per currency. */
  cashBox(): CashBoxContent[] {
    const rows = this.db.prepare('SELECT currency, count(*) AS notes, sum(amount_minor) AS amount FROM cash_notes WHERE collection_id IS NULL GROUP BY currency ORDER BY currency').all() as Row[];
    return rows.map((r) => ({ currency: String(r['currency']), notes: Number(r['notes']), amountMinor: Number(r['amount']) }));
  }

  /**
   * Empties the cash box in the journal: every uncollected note is assigned
   * to this collection and its totals are recorded, in one SQLite
   * transaction. An empty box records nothing and returns null.
   */
  collectCash(collectionId: string): CashCollection | null {
    assert(/^[0-9a-f]{32}$/.test(collectionId), 'collection id is 32 lowercase hex chars');
    return this.db.transaction(() => {
      const content = this.cashBox();
      if (content.length === 0) return null;
      const now = this.clock.nowMs();
      const insert = this.db.prepare('INSERT INTO cash_collections (collection_id, currency, notes, amount_minor, collected_at_ms) VALUES (?, ?, ?, ?, ?)');
      for (const c of content) insert.run(collectionId, c.currency, c.notes, c.amountMinor, now);
      this.db.prepare('UPDATE cash_notes SET collection_id = ? WHERE collection_id IS NULL').run(collectionId);
      return { collectionId, collectedAtMs: now, content };
    })();
  }

  /** Notes the center has not answered yet, oldest first (sent in CASH_NOTES_REPORT with their keys). */
  cashNotesUnbooked(limit: number): CashNoteToBook[] {
    const rows = this.db.prepare('SELECT note_key, amount_minor, currency, stacked_at_ms FROM cash_notes WHERE booked_at_ms IS NULL ORDER BY seq LIMIT ?').all(limit) as Row[];
    return rows.map((r) => ({ noteKey: String(r['note_key']), amountMinor: Number(r['amount_minor']), currency: String(r['currency']), stackedAtMs: Number(r['stacked_at_ms']) }));
  }

  /** The center answered these notes: 0 = booked, else the code it refused them with (kept for the operator, not sent again). */
  cashNotesAnswered(noteKeys: readonly string[], bookCode: number): void {
    const now = this.clock.nowMs();
    const stmt = this.db.prepare('UPDATE cash_notes SET booked_at_ms = ?, book_code = ? WHERE note_key = ? AND booked_at_ms IS NULL');
    this.db.transaction(() => {
      for (const k of noteKeys) stmt.run(now, bookCode, k);
    })();
  }

  /** Collections the center has not answered, oldest first, each per currency with its note keys. */
  cashCollectionsUnbooked(limit: number): CashCollectionToBook[] {
    const rows = this.db.prepare('SELECT * FROM cash_collections WHERE booked_at_ms IS NULL ORDER BY collected_at_ms, collection_id, currency LIMIT ?').all(limit) as Row[];
    const keys = this.db.prepare('SELECT note_key, booked_at_ms, book_code FROM cash_notes WHERE collection_id = ? AND currency = ? ORDER BY seq');
    return rows.map((r) => {
      const notes = keys.all(r['collection_id'], r['currency']) as Row[];
      return {
        collectionId: String(r['collection_id']), currency: String(r['currency']), notes: Number(r['notes']), amountMinor: Number(r['amount_minor']),
        // A note the center refused is not on its books: the collection lists the booked ones, its control
        // figures stay the slip's, so the center records the difference as a mismatch for the operator.
        noteKeys: notes.filter((n) => n['booked_at_ms'] === null || Number(n['book_code']) === 0).map((n) => String(n['note_key'])),
        notesUnanswered: notes.filter((n) => n['booked_at_ms'] === null).length,
      };
    });
  }

  /** The center answered a collection: 0 = booked, else its refusal code. */
  cashCollectionAnswered(collectionId: string, currency: string, bookCode: number): void {
    this.db.prepare('UPDATE cash_collections SET booked_at_ms = ?, book_code = ? WHERE collection_id = ? AND currency = ? AND booked_at_ms IS NULL').run(this.clock.nowMs(), bookCode, collectionId, currency);
  }

  /** Notes stacked and not yet credited to a customer's request (the prepaid issuer's), oldest first. */
  cashNotesUncredited(limit: number): CashNoteToBook[] {
    const rows = this.db.prepare('SELECT note_key, amount_minor, currency, stacked_at_ms FROM cash_notes WHERE credited_to IS NULL ORDER BY seq LIMIT ?').all(limit) as Row[];
    return rows.map((r) => ({ noteKey: String(r['note_key']), amountMinor: Number(r['amount_minor']), currency: String(r['currency']), stackedAtMs: Number(r['stacked_at_ms']) }));
  }

  /**
   * Credits these notes to a request and journals the request, in one SQLite
   * transaction: a note pays one request (TERM_JOURNAL_MISMATCH if one is
   * unknown or credited already), and no request is journalled without them.
   */
  creditCashNotes(noteKeys: readonly string[], input: OutboxInput): OutboxEntry {
    return this.db.transaction(() => {
      const credit = this.db.prepare('UPDATE cash_notes SET credited_to = ? WHERE note_key = ? AND credited_to IS NULL');
      for (const k of noteKeys) {
        if (credit.run(input.transactionId, k).changes !== 1) throw termError('TERM_JOURNAL_MISMATCH', 'a note is unknown or credited to another request', { noteKey: k });
      }
      return this.outboxAdd(input);
    })();
  }

  /** Notes plus collections the center has not answered. */
  cashUnbookedCount(): number {
    return this.count('SELECT count(*) AS n FROM cash_notes WHERE booked_at_ms IS NULL') + this.count('SELECT count(*) AS n FROM cash_collections WHERE booked_at_ms IS NULL');
  }

  /** Collections, oldest first. */
  listCashCollections(limit: number = AGENT_LIMITS.journalUnsettledMax): CashCollection[] {
    const rows = this.db.prepare('SELECT * FROM cash_collections ORDER BY collected_at_ms, collection_id, currency LIMIT ?').all(limit) as Row[];
    const out = new Map<string, { collectionId: string; collectedAtMs: number; content: CashBoxContent[] }>();
    for (const r of rows) {
      const id = String(r['collection_id']);
      const c = out.get(id) ?? { collectionId: id, collectedAtMs: Number(r['collected_at_ms']), content: [] };
      c.content.push({ currency: String(r['currency']), notes: Number(r['notes']), amountMinor: Number(r['amount_minor']) });
      out.set(id, c);
    }
    return [...out.values()];
  }

  // ---------------------------------------------------------------- outbox

  /** Records a request before it is sent. The same entry again is a no-op; the same id with other content TERM_JOURNAL_DUPLICATE. */
  outboxAdd(input: OutboxInput): OutboxEntry {
    assert(input.payload.length <= AGENT_LIMITS.outboxPayloadBytesMax, 'outbox payload too large');
    return this.db.transaction(() => {
      const existing = this.outboxGet(input.transactionId);
      if (existing) {
        if (existing.role !== input.role || existing.kind !== input.kind || !existing.payload.equals(input.payload)) {
          throw termError('TERM_JOURNAL_DUPLICATE', 'an outbox entry with this transaction id and other content exists', { transactionId: input.transactionId });
        }
        return existing;
      }
      if (this.count("SELECT count(*) AS n FROM outbox WHERE state IN ('pending', 'reverse')") >= AGENT_LIMITS.outboxOpenMax) {
        throw termError('TERM_JOURNAL_FULL', 'the outbox holds the maximum of open entries', { max: AGENT_LIMITS.outboxOpenMax });
      }
      const now = this.clock.nowMs();
      this.db
        .prepare('INSERT INTO outbox (transaction_id, role, kind, state, payload, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(input.transactionId, input.role, input.kind, input.state ?? 'pending', input.payload, now, now);
      return this.mustGet(input.transactionId);
    })();
  }

  outboxGet(transactionId: string): OutboxEntry | undefined {
    const row = this.db.prepare('SELECT * FROM outbox WHERE transaction_id = ?').get(transactionId) as Row | undefined;
    return row && outboxOf(row);
  }

  /** How many entries are open (pending or reverse): the outbox depth /metrics exports. */
  outboxOpenCount(): number {
    return this.count("SELECT count(*) AS n FROM outbox WHERE state IN ('pending', 'reverse')");
  }

  /** Open entries (pending or reverse), oldest first. */
  outboxOpen(limit: number = AGENT_LIMITS.outboxDrainBatchMax): OutboxEntry[] {
    const rows = this.db.prepare("SELECT * FROM outbox WHERE state IN ('pending', 'reverse') ORDER BY created_at_ms, transaction_id LIMIT ?").all(limit) as Row[];
    return rows.map(outboxOf);
  }

  /**
   * Counts a failed attempt (errorCode: a code, never a message). At the
   * attempt limit the entry becomes `abandoned`. Returns the entry after.
   */
  outboxFailed(transactionId: string, errorCode: string): OutboxEntry {
    return this.db.transaction(() => {
      const e = this.mustGet(transactionId);
      const attempts = e.attempts + 1;
      const state: OutboxState = attempts >= AGENT_LIMITS.outboxAttemptsMax && isOpen(e.state) ? 'abandoned' : e.state;
      this.db.prepare('UPDATE outbox SET attempts = ?, state = ?, last_error = ?, updated_at_ms = ? WHERE transaction_id = ?').run(attempts, state, errorCode, this.clock.nowMs(), transactionId);
      return this.mustGet(transactionId);
    })();
  }

  /** Moves an entry to a new state (answered: `done` with the result code; owed a reversal: `reverse`). */
  outboxSet(transactionId: string, state: OutboxState, resultCode: number | null = null): OutboxEntry {
    return this.db.transaction(() => {
      this.mustGet(transactionId);
      this.db.prepare('UPDATE outbox SET state = ?, result_code = coalesce(?, result_code), updated_at_ms = ? WHERE transaction_id = ?').run(state, resultCode, this.clock.nowMs(), transactionId);
      return this.mustGet(transactionId);
    })();
  }

  /**
   * Replaces an open entry's payload, optionally moving it to a new state in
   * the same SQLite transaction: a role whose request goes through several
   * steps (a charge: requested, approved, bound to a card, credited) keeps its
   * step in the payload. A closed entry is TERM_JOURNAL_MISMATCH.
   */
  outboxUpdate(transactionId: string, change: { payload: Buffer; state?: OutboxState; resultCode?: number | null }): OutboxEntry {
    assert(change.payload.length <= AGENT_LIMITS.outboxPayloadBytesMax, 'outbox payload too large');
    return this.db.transaction(() => {
      const e = this.mustGet(transactionId);
      if (!isOpen(e.state)) throw termError('TERM_JOURNAL_MISMATCH', 'the outbox entry is closed', { transactionId, state: e.state });
      this.db
        .prepare('UPDATE outbox SET payload = ?, state = ?, result_code = coalesce(?, result_code), updated_at_ms = ? WHERE transaction_id = ?')
        .run(change.payload, change.state ?? e.state, change.resultCode ?? null, this.clock.nowMs(), transactionId);
      return this.mustGet(transactionId);
    })();
  }

  private mustGet(transactionId: string): OutboxEntry {
    const e = this.outboxGet(transactionId);
    if (!e) throw termError('TERM_JOURNAL_UNKNOWN_ENTRY', 'no outbox entry with this transaction id', { transactionId });
    return e;
  }

  private count(sql: string): number {
    return Number((this.db.prepare(sql).get() as { n: number }).n);
  }
}

function migrate(db: Database.Database): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  db.transaction(() => {
    JOURNAL_MIGRATIONS.forEach((sql, i) => {
      if (i >= version) db.exec(sql);
    });
    db.pragma(`user_version = ${JOURNAL_MIGRATIONS.length}`);
  })();
}

function isOpen(state: OutboxState): state is OpenOutboxState {
  return state === 'pending' || state === 'reverse';
}

function purchaseOf(r: Row): StoredPurchase {
  return {
    mediumId: String(r['medium_id']),
    cardCounter: Number(r['card_counter']),
    amountMinor: Number(r['amount_minor']),
    currency: String(r['currency']),
    terminalId: String(r['terminal_id']),
    terminalNonce: Buffer.from(r['terminal_nonce'] as Uint8Array),
    cardMac: Buffer.from(r['card_mac'] as Uint8Array),
    recordedAtMs: Number(r['recorded_at_ms']),
    settledAtMs: r['settled_at_ms'] === null ? null : Number(r['settled_at_ms']),
  };
}

function doubtOf(r: Row): StoredDebitInDoubt {
  return {
    mediumId: String(r['medium_id']),
    counterBefore: Number(r['counter_before']),
    balanceBeforeMinor: Number(r['balance_before_minor']),
    amountMinor: Number(r['amount_minor']),
    currency: String(r['currency']),
    terminalId: String(r['terminal_id']),
    startedAtMs: Number(r['started_at_ms']),
  };
}

function asideOf(r: Row): AsideRecord {
  return {
    mediumId: String(r['medium_id']),
    cardCounter: Number(r['card_counter']),
    amountMinor: Number(r['amount_minor']),
    currency: String(r['currency']),
    terminalId: String(r['terminal_id']),
    terminalNonce: r['terminal_nonce'] === null ? null : Buffer.from(r['terminal_nonce'] as Uint8Array),
    cardMac: r['card_mac'] === null ? null : Buffer.from(r['card_mac'] as Uint8Array),
    reason: String(r['reason']) as AsideReason,
    recordedAtMs: Number(r['recorded_at_ms']),
    asideAtMs: Number(r['aside_at_ms']),
  };
}

function samePurchase(a: JournalPurchase, b: JournalPurchase): boolean {
  return a.amountMinor === b.amountMinor && a.currency === b.currency && a.terminalId === b.terminalId && a.terminalNonce.equals(b.terminalNonce) && a.cardMac.equals(b.cardMac);
}

function outboxOf(r: Row): OutboxEntry {
  return {
    transactionId: String(r['transaction_id']),
    role: String(r['role']),
    kind: String(r['kind']),
    state: String(r['state']) as OutboxState,
    payload: Buffer.from(r['payload'] as Uint8Array),
    attempts: Number(r['attempts']),
    createdAtMs: Number(r['created_at_ms']),
    updatedAtMs: Number(r['updated_at_ms']),
    resultCode: r['result_code'] === null ? null : Number(r['result_code']),
    lastError: r['last_error'] === null ? null : String(r['last_error']),
  };
}
