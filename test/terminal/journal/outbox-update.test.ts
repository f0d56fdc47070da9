import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { Journal } from '../../../terminal/journal/journal.js';

const ID = 'ab'.repeat(16);

describe('journal outboxUpdate (a multi-step request keeps its step in the payload)', () => {
  let dir: string;
  let clock: ManualClock;
  let journal: Journal;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-journal-'));
    clock = new ManualClock(1_000);
    journal = Journal.open(join(dir, 'j.db'), { clock });
  });
  afterEach(() => {
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces the payload of an open entry, keeps id, role, kind and attempts, survives reopening', () => {
    journal.outboxAdd({ transactionId: ID, role: 'r', kind: 'charge', payload: Buffer.from('one') });
    journal.outboxFailed(ID, 'TERM_TX_UNANSWERED');
    clock.advance(5);
    const after = journal.outboxUpdate(ID, { payload: Buffer.from('two') });
    expect(after).toMatchObject({ transactionId: ID, role: 'r', kind: 'charge', state: 'pending', attempts: 1, updatedAtMs: 1_005 });
    expect(after.payload.toString()).toBe('two');
    journal.close();
    journal = Journal.open(join(dir, 'j.db'), { clock });
    expect(journal.outboxGet(ID)?.payload.toString()).toBe('two');
  });

  it('moves the state with the payload in one step; a closed entry is TERM_JOURNAL_MISMATCH, an unknown one TERM_JOURNAL_UNKNOWN_ENTRY', () => {
    journal.outboxAdd({ transactionId: ID, role: 'r', kind: 'charge', payload: Buffer.from('secret-ish') });
    const done = journal.outboxUpdate(ID, { payload: Buffer.from('{}'), state: 'done', resultCode: 0x0201 });
    expect(done).toMatchObject({ state: 'done', resultCode: 0x0201 });
    expect(done.payload.toString()).toBe('{}');
    expect(journal.outboxOpen()).toEqual([]);
    expect(() => journal.outboxUpdate(ID, { payload: Buffer.from('x') })).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_MISMATCH' }));
    expect(() => journal.outboxUpdate('cd'.repeat(16), { payload: Buffer.from('x') })).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_UNKNOWN_ENTRY' }));
  });
});
