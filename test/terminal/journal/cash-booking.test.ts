/** The journal's side of the cash booking: note keys (also for notes journalled before they existed), answers recorded, collections listed for the center. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { Journal } from '../../../terminal/journal/journal.js';
import { JOURNAL_MIGRATIONS } from '../../../terminal/journal/schema.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-journal-cash-'));
  path = join(dir, 'journal.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const note = (amountMinor: number) => ({ billType: 1, noteId: 'JP0100A', amountMinor, currency: 'JPY' });

describe('journal: cash booking', () => {
  it('notes journalled before note keys existed get distinct keys on open and are sent as unbooked', () => {
    const old = new Database(path);
    JOURNAL_MIGRATIONS.slice(0, 3).forEach((sql) => old.exec(sql));
    old.pragma('user_version = 3');
    const insert = old.prepare('INSERT INTO cash_notes (bill_type, note_id, amount_minor, currency, stacked_at_ms) VALUES (1, ?, ?, ?, ?)');
    insert.run('JP0100A', 1_000, 'JPY', 10);
    insert.run('JP0500A', 5_000, 'JPY', 20);
    old.close();
    const j = Journal.open(path, { clock: new ManualClock(100) });
    try {
      const notes = j.cashNotesUnbooked(10);
      expect(notes.map((n) => [n.amountMinor, n.stackedAtMs])).toEqual([[1_000, 10], [5_000, 20]]);
      expect(notes.every((n) => /^[0-9a-f]{32}$/.test(n.noteKey))).toBe(true);
      expect(new Set(notes.map((n) => n.noteKey)).size).toBe(2);
      expect(j.cashUnbookedCount()).toBe(2);
    } finally {
      j.close();
    }
  });

  it('records each answer once; a collection waits for its notes, lists only the notes the center booked, and keeps the slip figures', () => {
    const clock = new ManualClock(1_000);
    const j = Journal.open(path, { clock });
    try {
      j.noteStacked(note(1_000));
      j.noteStacked(note(5_000));
      j.noteStacked(note(1_000));
      const [a, b, c] = j.cashNotesUnbooked(10).map((n) => n.noteKey);
      j.collectCash('c'.repeat(32));
      expect(j.cashCollectionsUnbooked(10)).toEqual([{ collectionId: 'c'.repeat(32), currency: 'JPY', notes: 3, amountMinor: 7_000, noteKeys: [a, b, c], notesUnanswered: 3 }]);
      j.cashNotesAnswered([a!, b!], 0);
      j.cashNotesAnswered([c!], 0x0a01);
      j.cashNotesAnswered([a!], 0x0a01); // answered already: kept as it was
      expect(j.cashNotesUnbooked(10)).toEqual([]);
      expect(j.cashCollectionsUnbooked(10)).toEqual([{ collectionId: 'c'.repeat(32), currency: 'JPY', notes: 3, amountMinor: 7_000, noteKeys: [a, b], notesUnanswered: 0 }]);
      j.cashCollectionAnswered('c'.repeat(32), 'JPY', 0);
      expect(j.cashCollectionsUnbooked(10)).toEqual([]);
      expect(j.cashUnbookedCount()).toBe(0);
    } finally {
      j.close();
    }
  });
});
