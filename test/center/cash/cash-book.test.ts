/**
 * The center's cash booking on a real SQLite database: idempotent notes by
 * key, coded refusals (a key reused with other fields, another currency, a
 * collection whose control figures differ, a note never reported, a note of
 * another collection), the refused collection kept as `mismatch`, nothing
 * moved by a refusal, and the ledger audit passing throughout. On SQLite and
 * PostgreSQL (the module's migration and its FOR UPDATE reads on both).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CashBook } from '../../../center/cash/cash.js';
import { auditLedger } from '../../../center/ledger/audit.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { ManualClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';

const T = 'KIOSK-1';
const key = (n: number): Buffer => Buffer.alloc(16, n);
const note = (n: number, amountMinor = 1_000, currency = 'JPY') => ({ noteKey: key(n), amountMinor, currency, stackedAtMs: 1_700_000_000_000 + n });
const collection = (id: number, keys: number[], noteCount: number, amountMinor: number) => ({ transactionId: key(0xc0 + id), currency: 'JPY', noteCount, amountMinor, noteKeys: keys.map(key) });

let storage: Storage;
let book: CashBook;
const balance = async (id: string): Promise<number | null> => {
  const [a] = await book.ledger.lookupAccounts([id]);
  return a ? a.debitsPostedMinor - a.creditsPostedMinor : null;
};

describe.each(['sqlite', 'postgres'] as const)('center cash booking on %s', (engine) => {
  let db: TestDatabase | undefined;
  beforeEach(async () => {
    if (engine === 'postgres') {
      db = await createTestDatabase('cash_book');
      storage = await openStorage({ engine: 'postgres', url: db.url });
    } else {
      storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
    }
    book = await CashBook.open(storage, new ManualClock(1_700_000_000_000), silentLogger);
  });
  afterEach(async () => {
    expect((await auditLedger(storage)).ok).toBe(true);
    await storage.close();
    await db?.drop();
    db = undefined;
  });

  it('books each note once by key: a repeat answers ok and moves nothing; the same key with another amount is CASH_NOTE_CONFLICT and the whole report is refused', async () => {
    expect(await book.bookNotes(T, { notes: [note(1), note(2, 5_000)] })).toEqual({ ok: true });
    expect(await book.bookNotes(T, { notes: [note(1), note(2, 5_000)] })).toEqual({ ok: true });
    expect(await balance(`cash-box@${T}`)).toBe(6_000);
    expect(await book.bookNotes(T, { notes: [note(3), note(1, 2_000)] })).toEqual({ ok: false, code: 'CASH_NOTE_CONFLICT' });
    expect(await balance(`cash-box@${T}`)).toBe(6_000); // note 3 was not booked either
    expect(await book.bookNotes(T, { notes: [note(3, 1_000, 'EUR')] })).toEqual({ ok: false, code: 'CASH_CURRENCY_MISMATCH' });
    expect(await book.bookNotes(T, { notes: [note(4, 0)] })).toEqual({ ok: false, code: 'CASH_BAD_AMOUNT' });
    expect(await book.bookNotes(T, { notes: [note(4), note(4)] })).toEqual({ ok: false, code: 'CASH_BAD_AMOUNT' });
    // Another terminal's keys are its own.
    expect(await book.bookNotes('KIOSK-2', { notes: [note(1, 2_000)] })).toEqual({ ok: true });
  });

  it('a collection whose control total differs is CASH_CONTROL_MISMATCH, kept as mismatch, and moves nothing; the right one empties the box once', async () => {
    await book.bookNotes(T, { notes: [note(1), note(2, 5_000), note(3)] });
    expect(await book.bookCollection(T, collection(1, [1, 2], 2, 7_000))).toEqual({ ok: false, code: 'CASH_CONTROL_MISMATCH' });
    expect(await book.bookCollection(T, collection(1, [1, 2], 2, 7_000))).toEqual({ ok: false, code: 'CASH_CONTROL_MISMATCH' });
    const kept = await storage.read((q) => q.get('SELECT state, code, booked_amount FROM cash_collections WHERE collection_id = ?', [key(0xc1).toString('hex')]));
    expect(kept).toMatchObject({ state: 'mismatch', code: 'CASH_CONTROL_MISMATCH' });
    expect(Number(kept!['booked_amount'])).toBe(6_000);
    expect(await balance(`cash-box@${T}`)).toBe(7_000);

    expect(await book.bookCollection(T, collection(2, [1, 9], 2, 2_000))).toEqual({ ok: false, code: 'CASH_NOTE_UNKNOWN' });
    expect(await book.bookCollection(T, collection(3, [1, 2], 2, 6_000))).toEqual({ ok: true });
    expect(await book.bookCollection(T, collection(3, [1, 2], 2, 6_000))).toEqual({ ok: true });
    expect(await balance(`cash-box@${T}`)).toBe(1_000);
    expect(await balance(`cash-collected@${T}`)).toBe(6_000);
    expect(await book.bookCollection(T, collection(4, [2, 3], 2, 6_000))).toEqual({ ok: false, code: 'CASH_NOTE_COLLECTED' });
    expect(await book.bookCollection(T, collection(3, [1, 2], 2, 5_000))).toEqual({ ok: false, code: 'CASH_NOTE_CONFLICT' });
    expect(await balance(`cash-box@${T}`)).toBe(1_000);
  });
});
