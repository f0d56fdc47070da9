/**
 * The prepaid issuer's pieces that need no process (the flow end to end is
 * test/e2e/prepaid-issuer.test.ts): the journal credits a note to one
 * request, atomically with the request's entry; notes of an older journal
 * are nobody's to take; the terminal's copy of the result-code names equals
 * the center's; a purse debit's record is journalled with its issue in one
 * step (the doubt dropped with it); the medium writer never overwrites another medium's file and
 * leaves a medium that holds the file as it is.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { errorCode } from '../../../core/errors.js';
import { PREPAID_RESULT_CODES } from '../../../center/prepaid/result-codes.js';
import { Journal } from '../../../terminal/journal/journal.js';
import { JOURNAL_MIGRATIONS } from '../../../terminal/journal/schema.js';
import { PREPAID_RESULT_NAMES } from '../../../terminal/agent/roles/prepaid/result-codes.js';
import { writeIssuedFile } from '../../../terminal/agent/roles/prepaid/medium-writer.js';
import { parsePrepaidIssuerSettings } from '../../../terminal/agent/roles/prepaid/settings.js';
import { DirRemovableStore } from '../../../terminal/devices/files/dir-removable-store.js';
import { SLOT_FILES } from '../../../protocol/prepaid/slots.js';
import { MEDIUM_VECTORS, V_MEDIUM_ID } from '../../protocol/prepaid/vectors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-ppissuer-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const note = (amountMinor: number) => ({ billType: 1, noteId: 'JP0100A', amountMinor, currency: 'JPY' });
const entry = (id: string) => ({ transactionId: id, role: 'prepaid-issuer', kind: 'prepaid-issue', payload: Buffer.from('{}') });

describe('journal: notes credited to one request', () => {
  it('credits the notes and journals the request together; a note credited once is refused for another request and nothing of it is journalled', () => {
    const j = Journal.open(join(dir, 'j.db'), { clock: new ManualClock(100) });
    try {
      j.noteStacked(note(1_000));
      j.noteStacked(note(5_000));
      const notes = j.cashNotesUncredited(10);
      expect(notes.map((n) => n.amountMinor)).toEqual([1_000, 5_000]);
      j.creditCashNotes(notes.map((n) => n.noteKey), entry('a'.repeat(32)));
      expect(j.cashNotesUncredited(10)).toEqual([]);
      j.noteStacked(note(1_000));
      const fresh = j.cashNotesUncredited(10)[0]!.noteKey;
      expect(() => j.creditCashNotes([fresh, notes[0]!.noteKey], entry('b'.repeat(32)))).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_MISMATCH' }));
      expect(j.outboxGet('b'.repeat(32))).toBeUndefined();
      expect(j.cashNotesUncredited(10).map((n) => n.noteKey)).toEqual([fresh]); // rolled back with the refusal
    } finally {
      j.close();
    }
  });

  it('notes stacked before the credit column existed are nobody\'s to take', () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    JOURNAL_MIGRATIONS.slice(0, 4).forEach((sql) => old.exec(sql));
    old.pragma('user_version = 4');
    old.prepare("INSERT INTO cash_notes (bill_type, note_id, amount_minor, currency, stacked_at_ms, note_key) VALUES (1, 'JP0100A', 1000, 'JPY', 1, 'k1')").run();
    old.close();
    const j = Journal.open(path, { clock: new ManualClock(100) });
    try {
      expect(j.cashNotesUncredited(10)).toEqual([]);
      expect(j.cashBox()).toEqual([{ currency: 'JPY', notes: 1, amountMinor: 1_000 }]);
    } finally {
      j.close();
    }
  });
});

describe('journal: a purse debit paying an issue', () => {
  it('drops the doubt and journals the issue holding the record together, not as an offline purchase; a refused entry leaves the doubt', () => {
    const j = Journal.open(join(dir, 'j.db'), { clock: new ManualClock(100) });
    try {
      const card = 'c0ffee00000000a1';
      const doubt = { mediumId: card, counterBefore: 4, balanceBeforeMinor: 9_000, amountMinor: 3_000, currency: 'JPY', terminalId: 'KIOSK-1' };
      j.debitSent(doubt);
      j.outboxAdd(entry('c'.repeat(32)));
      // The same id with other content is refused: the doubt is not dropped with it (rolled back together).
      expect(() => j.debitAnsweredToOutbox(card, { ...entry('c'.repeat(32)), payload: Buffer.from('{"other":1}') })).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_DUPLICATE' }));
      expect(j.debitInDoubt(card)).toMatchObject({ counterBefore: 4 });
      const e = j.debitAnsweredToOutbox(card, { ...entry('d'.repeat(32)), payload: Buffer.from('{"purse":{"cardCounter":5}}') });
      expect(e).toMatchObject({ transactionId: 'd'.repeat(32), state: 'pending' });
      expect(j.debitInDoubt(card)).toBeUndefined();
      expect(j.listUnsettled()).toEqual([]); // never settled by this terminal: the record lives in the entry
    } finally {
      j.close();
    }
  });
});

describe('prepaid issuer', () => {
  it('names every result code as the center does', () => {
    expect(Object.fromEntries(Object.entries(PREPAID_RESULT_NAMES).map(([n, name]) => [name, Number(n)]))).toEqual({ ...PREPAID_RESULT_CODES });
  });

  it('refuses bad settings with TERM_CONFIG_INVALID', () => {
    expect(parsePrepaidIssuerSettings({})).toEqual({ currency: 'JPY', amountMinorMax: 50_000, pinRequired: false });
    expect(() => parsePrepaidIssuerSettings({ currency: 'yen' })).toThrow(expect.objectContaining({ code: 'TERM_CONFIG_INVALID' }));
  });

  it('writes generation 1 into slot A of a blank medium, leaves it when it holds the file, never overwrites another medium', async () => {
    const mountDir = join(dir, 'medium');
    mkdirSync(mountDir);
    const store = new DirRemovableStore({ mountDir });
    await store.open();
    try {
      const mine = MEDIUM_VECTORS[0]!.file;
      const id = V_MEDIUM_ID.toString('hex');
      expect(await writeIssuedFile(store, id, mine)).toEqual({ slot: SLOT_FILES[0], wrote: true });
      expect(await writeIssuedFile(store, id, mine)).toEqual({ slot: SLOT_FILES[0], wrote: false });
      expect(await writeIssuedFile(store, 'ff'.repeat(16), Buffer.alloc(100)).then(() => 'OK', errorCode)).toBe('TERM_PREPAID_MEDIUM_IN_USE');
      expect((await store.readFile(SLOT_FILES[0])).equals(mine)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
