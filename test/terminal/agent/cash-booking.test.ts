/**
 * The cash box booked at the center, on the real stacks: the ccTalk driver
 * over a socat pty to the virtual validator, the journal in SQLite, the link
 * to a running center (SQLite ledger). Each stacked note reaches the center's
 * ledger (cash-takings@T → cash-box@T) from the agent's outbox pass; a
 * report whose answer was lost (the center booked it and went down) is sent
 * again with the same note key after the restart and booked once; a
 * collection empties cash-box@T into cash-collected@T; the ledger audit passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CashBook } from '../../../center/cash/cash.js';
import { auditLedger } from '../../../center/ledger/audit.js';
import { Ledger } from '../../../center/ledger/ledger.js';
import type { CenterFlow } from '../../../center/server/session-router.js';
import { systemClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import type { Role } from '../../../terminal/agent/role.js';
import { startTestValidator, type TestValidator } from '../../support/validator.js';
import { NOTES, SCALING } from '../devices/bill-validator.contract.js';
import { eventually } from '../devices/wait.js';
import { startCashTerminal } from './cash-terminal.js';
import { CASH_MODULE } from '../../../center/cash/module.js';
import type { WorldTerminal } from '../../../sim/world/terminals.js';
import { openWorld, type World } from '../../../sim/world/world.js';

const T = 'KIOSK-B1';
const cashRole = (): Role => ({ name: 'cash-test', onNoteInEscrow: async () => 'stack' });

let world: World;
let sim: TestValidator;
let term: WorldTerminal;
let ledger: Ledger;

const balance = async (id: string): Promise<number | null> => {
  const [a] = await ledger.lookupAccounts([id]);
  return a ? a.debitsPostedMinor - a.creditsPostedMinor : null;
};
const centerNotes = async (): Promise<number> => Number((await world.storage.read((q) => q.get('SELECT count(*) AS n FROM cash_notes WHERE terminal_id = ?', [T])))!['n']);
const stackedTransfers = async (): Promise<number> => (await ledger.accountTransfers(`cash-box@${T}`, 100)).filter((t) => t.code === 501).length;
const unbooked = (): number => term.agent.context.journal.cashUnbookedCount();
const accepted = (): number => term.outcomes.filter((r) => r.trigger === 'cash' && r.details?.['event'] === 'accepted').length;

beforeAll(async () => {
  world = await openWorld({ hardware: { readerDevices: 1, namePrefix: 'Agent Reader' }, center: { validity: { mode: 'cached' } } });
  ledger = await Ledger.open(world.storage, systemClock);
  sim = await startTestValidator({ notes: NOTES, scaling: SCALING, cashBoxCapacity: 20 });
  term = await startCashTerminal(world, T, sim, cashRole);
});
afterAll(async () => {
  await term?.stop();
  await sim?.stop();
  await world?.close();
});

describe('cash box booked at the center', () => {
  it('stacked notes reach the ledger: cash-box@T holds their total, the journal marks them booked', async () => {
    expect(sim.validator.model.insert('JP0100A')).toBe('escrow');
    await eventually(() => accepted() === 1, 10_000, 'the first note accepted');
    expect(sim.validator.model.insert('JP0500A')).toBe('escrow');
    await eventually(() => accepted() === 2, 10_000, 'the second note accepted');
    await eventually(async () => (await balance(`cash-box@${T}`)) === 6_000 && unbooked() === 0, 15_000, 'cash-box@T = 6000 and the journal answered');
    expect(await balance(`cash-takings@${T}`)).toBe(-6_000);
    expect(await stackedTransfers()).toBe(2);
  });

  it('a report booked by a center that went down before answering is repeated with the same key after the restart, and booked once', async () => {
    // The center books the report, then dies before its answer leaves (the request never completes).
    const book = await CashBook.open(world.storage, systemClock, silentLogger);
    const seen: string[][] = [];
    let lost = 0;
    const lossy: CenterFlow = {
      handles: ['cashNotesReport'],
      open: (info) => ({
        onRequest: async (req) => {
          if (req.type !== 'cashNotesReport') throw new Error('unexpected');
          seen.push(req.notes.map((n) => n.noteKey.toString('hex')));
          await book.bookNotes(info.terminalId, req);
          lost++;
          return new Promise(() => undefined);
        },
        onClose: () => undefined,
      }),
    };
    await world.startCenter({ validity: { mode: 'cached' }, without: [CASH_MODULE], flows: [lossy] });
    expect(sim.validator.model.insert('JP0100A')).toBe('escrow');
    await eventually(() => lost === 1, 15_000, 'the center booked the report');
    expect(await centerNotes()).toBe(3);
    expect(unbooked()).toBe(1);
    const lostKey = seen[0]![0]!;

    // Restart (the old center is closed first): the terminal repeats the report with the same key.
    const counting: CenterFlow = {
      handles: ['cashNotesReport'],
      open: (info) => ({
        onRequest: async (req) => {
          if (req.type !== 'cashNotesReport') throw new Error('unexpected');
          seen.push(req.notes.map((n) => n.noteKey.toString('hex')));
          const a = await book.bookNotes(info.terminalId, req);
          return { type: 'cashResult', transactionId: req.transactionId, status: a.ok ? 0 : 1, resultCode: 0 };
        },
        onClose: () => undefined,
      }),
    };
    await world.startCenter({ validity: { mode: 'cached' }, without: [CASH_MODULE], flows: [counting] });
    await eventually(() => unbooked() === 0, 20_000, 'the repeated report answered');
    expect(seen.flat().filter((k) => k === lostKey)).toHaveLength(2); // sent once, repeated once
    expect(seen[seen.length - 1]).toEqual([lostKey]);
    expect(await centerNotes()).toBe(3);
    expect(await stackedTransfers()).toBe(3);
    expect(await balance(`cash-box@${T}`)).toBe(7_000);
    await world.startCenter({ validity: { mode: 'cached' } });
  });

  it('a collection empties cash-box@T into cash-collected@T for exactly its notes; the ledger audit passes', async () => {
    const slip = await term.agent.command({ name: 'cash-collect' });
    expect(slip).toMatchObject({ result: 'done', details: { content: [{ currency: 'JPY', notes: 3, amountMinor: 7_000 }] } });
    await eventually(async () => (await balance(`cash-box@${T}`)) === 0 && unbooked() === 0, 15_000, 'the collection booked');
    expect(await balance(`cash-collected@${T}`)).toBe(7_000);
    const row = await world.storage.read((q) => q.get('SELECT state, notes, amount FROM cash_collections WHERE terminal_id = ? AND collection_id = ?', [T, slip.details?.['collectionId'] as string]));
    expect(row).toMatchObject({ state: 'booked' });
    expect(Number(row!['amount'])).toBe(7_000);
    const audit = await auditLedger(world.storage);
    expect(audit.checks.filter((c) => !c.ok)).toEqual([]);
    expect(audit.ok).toBe(true);
  });
});
