import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { nodeCommand } from '../../../sim/world/node-command.js';
import { Journal } from '../../../terminal/journal/journal.js';
import type { JournalPurchase } from '../../../terminal/journal/types.js';
import { AGENT_LIMITS } from '../../../terminal/limits.js';

function purchase(n: number, over: Partial<JournalPurchase> = {}): JournalPurchase {
  return {
    mediumId: n.toString(16).padStart(16, '0'),
    cardCounter: n,
    amountMinor: 100 * n,
    currency: 'JPY',
    terminalId: 'SHOP-1',
    terminalNonce: Buffer.alloc(8, n),
    cardMac: Buffer.alloc(8, 0x5a),
    ...over,
  };
}
const txId = (n: number): string => n.toString(16).padStart(32, '0');

let dir: string;
let path: string;
let clock: ManualClock;
let journal: Journal;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-journal-'));
  path = join(dir, 'journal.db');
  clock = new ManualClock();
  journal = Journal.open(path, { clock });
});
afterEach(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('journal: purchase records', () => {
  it('is WAL with synchronous=FULL', () => {
    expect(journal.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2 });
  });

  it('appends, lists unsettled oldest first, survives a reopen', () => {
    for (const n of [3, 1, 2]) journal.appendPurchase(purchase(n));
    journal.close();
    journal = Journal.open(path, { clock });
    const listed = journal.listUnsettled();
    expect(listed.map((p) => p.cardCounter)).toEqual([3, 1, 2]);
    expect(listed[0]).toMatchObject({ ...purchase(3), settledAtMs: null, recordedAtMs: clock.nowMs() });
  });

  it('the same record twice is one record; the same key with other content is refused', () => {
    journal.appendPurchase(purchase(1));
    journal.appendPurchase(purchase(1));
    expect(journal.listUnsettled()).toHaveLength(1);
    expect(() => journal.appendPurchase(purchase(1, { amountMinor: 1 }))).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_DUPLICATE' }));
  });

  it('marks settled exactly the named set, atomically: one unknown key changes nothing', () => {
    for (const n of [1, 2, 3]) journal.appendPurchase(purchase(n));
    const bad = [{ mediumId: purchase(1).mediumId, cardCounter: 1 }, { mediumId: purchase(9).mediumId, cardCounter: 9 }];
    expect(() => journal.markSettled(bad)).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_MISMATCH' }));
    expect(journal.listUnsettled()).toHaveLength(3);
    const dup = [{ mediumId: purchase(1).mediumId, cardCounter: 1 }, { mediumId: purchase(1).mediumId, cardCounter: 1 }];
    expect(() => journal.markSettled(dup)).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_MISMATCH' }));
    clock.advance(10);
    journal.markSettled([{ mediumId: purchase(2).mediumId, cardCounter: 2 }]);
    expect(journal.listUnsettled().map((p) => p.cardCounter)).toEqual([1, 3]);
    expect(journal.listPurchases().find((p) => p.cardCounter === 2)?.settledAtMs).toBe(clock.nowMs());
    // settling twice is a mismatch: the record is not unsettled any more
    expect(() => journal.markSettled([{ mediumId: purchase(2).mediumId, cardCounter: 2 }])).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_MISMATCH' }));
  });

  it('settleAndErase removes exactly the named records or none', () => {
    for (const n of [1, 2, 3]) journal.appendPurchase(purchase(n));
    const keys = [1, 3].map((n) => ({ mediumId: purchase(n).mediumId, cardCounter: n }));
    expect(() => journal.settleAndErase([...keys, { mediumId: purchase(7).mediumId, cardCounter: 7 }])).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_MISMATCH' }));
    expect(journal.listPurchases()).toHaveLength(3);
    journal.settleAndErase(keys);
    expect(journal.listPurchases().map((p) => p.cardCounter)).toEqual([2]);
  });

  it('refuses records beyond the unsettled maximum', () => {
    for (let n = 0; n < AGENT_LIMITS.journalUnsettledMax; n++) journal.appendPurchase(purchase(n + 1));
    expect(() => journal.appendPurchase(purchase(AGENT_LIMITS.journalUnsettledMax + 1))).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_FULL' }));
    journal.markSettled([{ mediumId: purchase(1).mediumId, cardCounter: 1 }]);
    journal.appendPurchase(purchase(AGENT_LIMITS.journalUnsettledMax + 1));
    expect(journal.listUnsettled()).toHaveLength(AGENT_LIMITS.journalUnsettledMax);
  });
});

describe('journal: outbox', () => {
  it('adds idempotently, refuses the same id with other content', () => {
    const e = journal.outboxAdd({ transactionId: txId(1), role: 'validity-pos', kind: 'transaction', payload: Buffer.from('a') });
    expect(e).toMatchObject({ state: 'pending', attempts: 0, resultCode: null, lastError: null });
    expect(journal.outboxAdd({ transactionId: txId(1), role: 'validity-pos', kind: 'transaction', payload: Buffer.from('a') })).toEqual(e);
    expect(() => journal.outboxAdd({ transactionId: txId(1), role: 'validity-pos', kind: 'transaction', payload: Buffer.from('b') })).toThrow(
      expect.objectContaining({ code: 'TERM_JOURNAL_DUPLICATE' }),
    );
  });

  it('counts attempts, abandons at the limit, resolves with a result code, lists open entries oldest first', () => {
    journal.outboxAdd({ transactionId: txId(2), role: 'r', kind: 'k', payload: Buffer.alloc(1) });
    clock.advance(1);
    journal.outboxAdd({ transactionId: txId(1), role: 'r', kind: 'k', payload: Buffer.alloc(1), state: 'reverse' });
    expect(journal.outboxOpen().map((e) => e.transactionId)).toEqual([txId(2), txId(1)]);
    expect(journal.outboxFailed(txId(2), 'PROTO_TIMEOUT')).toMatchObject({ attempts: 1, state: 'pending', lastError: 'PROTO_TIMEOUT' });
    for (let i = 0; i < AGENT_LIMITS.outboxAttemptsMax; i++) journal.outboxFailed(txId(1), 'PROTO_NO_CENTER');
    expect(journal.outboxGet(txId(1))).toMatchObject({ state: 'abandoned', attempts: AGENT_LIMITS.outboxAttemptsMax });
    expect(journal.outboxSet(txId(2), 'done', 0)).toMatchObject({ state: 'done', resultCode: 0 });
    expect(journal.outboxOpen()).toEqual([]);
    expect(() => journal.outboxSet(txId(9), 'done')).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_UNKNOWN_ENTRY' }));
  });

  it('open entries survive a reopen with their attempts', () => {
    journal.outboxAdd({ transactionId: txId(5), role: 'r', kind: 'k', payload: Buffer.from([1, 2]) });
    journal.outboxFailed(txId(5), 'PROTO_TIMEOUT');
    journal.close();
    journal = Journal.open(path, { clock });
    expect(journal.outboxOpen()).toEqual([expect.objectContaining({ transactionId: txId(5), attempts: 1, payload: Buffer.from([1, 2]) })]);
  });

  it('an unopenable path is TERM_JOURNAL_OPEN', () => {
    expect(() => Journal.open(join(dir, 'missing-dir', 'j.db'))).toThrow(expect.objectContaining({ code: 'TERM_JOURNAL_OPEN' }));
  });
});

describe('journal: crash (kill -9 of a writing process)', () => {
  it('keeps every write that returned, and no half of a settle', async () => {
    journal.close();
    const writer = nodeCommand(join(import.meta.dirname, 'crash-child.ts'), [path]);
    const child = spawn(writer.command, writer.args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = -1;
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        acked = Number(line.split(' ')[1]);
        if (acked >= 40 && child.exitCode === null) child.kill('SIGKILL');
      });
      child.once('exit', () => resolve());
    });
    expect(acked).toBeGreaterThanOrEqual(40);
    journal = Journal.open(path, { clock });
    const purchases = journal.listPurchases();
    // every returned append of an even record is there; odd ones were settled and erased, in one step
    for (let i = 0; i <= acked; i++) {
      const there = purchases.some((p) => p.cardCounter === i);
      expect(there).toBe(i % 2 === 0);
      expect(journal.outboxGet(txId(i))?.state).toBe('pending');
    }
    // at most one write past the last ack (it committed but was not printed); never an odd record left
    expect(purchases.filter((p) => p.cardCounter > acked).every((p) => p.cardCounter % 2 === 0 || p.cardCounter === acked + 1)).toBe(true);
  });
});
