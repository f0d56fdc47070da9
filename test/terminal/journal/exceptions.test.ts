/**
 * The journal's seed-004 exceptions: debits in doubt (one per card, dropped
 * with their record in one transaction) and records set aside (exactly the
 * named ones, all or none), durable across a reopen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { Journal } from '../../../terminal/journal/journal.js';
import type { DebitInDoubt, JournalPurchase } from '../../../terminal/journal/types.js';

const CARD = '00000000000000c1';
const doubt: DebitInDoubt = { mediumId: CARD, counterBefore: 4, balanceBeforeMinor: 1_000, amountMinor: 300, currency: 'JPY', terminalId: 'SHOP-1' };
const record = (counter: number, over: Partial<JournalPurchase> = {}): JournalPurchase => ({
  mediumId: CARD, cardCounter: counter, amountMinor: 300, currency: 'JPY', terminalId: 'SHOP-1', terminalNonce: Buffer.alloc(8, counter), cardMac: Buffer.alloc(8, 0x5a), ...over,
});

let dir: string;
let path: string;
let journal: Journal;
const clock = new ManualClock();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-journal-x-'));
  path = join(dir, 'journal.db');
  journal = Journal.open(path, { clock });
});
afterEach(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('debits in doubt', () => {
  it('one per card; answered with its record in one step; kept across a reopen', () => {
    journal.debitSent(doubt);
    expect(() => journal.debitSent({ ...doubt, amountMinor: 1 })).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_DUPLICATE' }));
    journal.close();
    journal = Journal.open(path, { clock });
    expect(journal.listDebitsInDoubt()).toMatchObject([doubt]);
    journal.debitAnswered(CARD, record(5));
    expect(journal.debitInDoubt(CARD)).toBeUndefined();
    expect(journal.listUnsettled()).toMatchObject([{ cardCounter: 5, amountMinor: 300 }]);
  });

  it('a record that cannot be appended leaves the doubt in place (all or none)', () => {
    journal.appendPurchase(record(5));
    journal.debitSent(doubt);
    expect(() => journal.debitAnswered(CARD, record(5, { amountMinor: 999 }))).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_DUPLICATE' }));
    expect(journal.debitInDoubt(CARD)).toMatchObject({ counterBefore: 4 });
  });

  it('set aside as UNRECORDED at counter+1 without nonce or MAC', () => {
    journal.debitSent(doubt);
    journal.debitSetAside(CARD, 'UNRECORDED');
    expect(journal.listDebitsInDoubt()).toEqual([]);
    expect(journal.listAside()).toMatchObject([{ mediumId: CARD, cardCounter: 5, amountMinor: 300, reason: 'UNRECORDED', cardMac: null, terminalNonce: null }]);
    expect(() => journal.debitSetAside(CARD, 'UNRESOLVED')).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_MISMATCH' }));
  });
});

describe('records set aside', () => {
  it('moves exactly the named unsettled records with their verdict, all or none', () => {
    for (const c of [1, 2, 3]) journal.appendPurchase(record(c));
    expect(() => journal.setAside([{ mediumId: CARD, cardCounter: 1, reason: 'FORGED' }, { mediumId: CARD, cardCounter: 9, reason: 'ALTERED' }])).toThrow(
      expect.objectContaining({ code: 'TERM_JOURNAL_MISMATCH' }),
    );
    expect(journal.listUnsettled()).toHaveLength(3);
    expect(journal.listAside()).toEqual([]);
    journal.setAside([{ mediumId: CARD, cardCounter: 2, reason: 'DUPLICATE' }]);
    expect(journal.listUnsettled().map((r) => r.cardCounter)).toEqual([1, 3]);
    expect(journal.listAside()).toMatchObject([{ cardCounter: 2, reason: 'DUPLICATE', cardMac: Buffer.alloc(8, 0x5a) }]);
    // The same key may come back (e.g. a clone's record) without clashing with the one aside.
    journal.appendPurchase(record(2, { amountMinor: 5 }));
    expect(journal.listUnsettled().map((r) => r.cardCounter)).toEqual([1, 3, 2]); // oldest first
  });
});
