/**
 * The agent with a bill validator on the real stacks: the ccTalk driver on
 * serialport over a socat pty to the virtual validator, the PC/SC reader on
 * pcscd + vpcd, the journal in SQLite, the link to a running center. A small
 * cash-taking role decides escrow; the agent journals every stacked note
 * before reporting it, and `cash-collect` empties the cash box in the journal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentReport, Role } from '../../../terminal/agent/role.js';
import type { CashBoxContent } from '../../../terminal/journal/types.js';
import { Journal } from '../../../terminal/journal/journal.js';
import { startTestValidator, type TestValidator } from '../../support/validator.js';
import { NOTES, SCALING } from '../devices/bill-validator.contract.js';
import { eventually } from '../devices/wait.js';
import { startCashTerminal } from './cash-terminal.js';
import type { WorldTerminal } from '../../../sim/world/terminals.js';
import { openWorld, type World } from '../../../sim/world/world.js';

/** Takes notes up to 5000 minor units, returns bigger ones (a kiosk with a top-up limit). */
const cashRole = (): Role => ({
  name: 'cash-test',
  onNoteInEscrow: async (_ctx, note) => (note.valueMinor <= 5_000 ? 'stack' : 'return'),
});

let world: World;
let sim: TestValidator;
let term: WorldTerminal;
let journalPath: string;
/** The journal's cash box at the moment each `accepted` outcome was reported. */
const boxAtReport: CashBoxContent[][] = [];

const cashReports = (event: string): AgentReport[] => term.outcomes.filter((r) => r.trigger === 'cash' && r.details?.['event'] === event);

beforeAll(async () => {
  world = await openWorld({ hardware: { readerDevices: 1, namePrefix: 'Agent Reader' }, center: { validity: { mode: 'cached' } } });
  sim = await startTestValidator({ notes: NOTES, scaling: SCALING, cashBoxCapacity: 10 });
  term = await startCashTerminal(world, 'KIOSK-C1', sim, cashRole);
  journalPath = term.journalPath;
  term.agent.on('outcome', (r) => {
    if (r.trigger === 'cash' && r.details?.['event'] === 'accepted') boxAtReport.push(term.agent.context.journal.cashBox());
  });
});
afterAll(async () => {
  await term?.stop();
  await sim?.stop();
  await world?.close();
});

describe('agent with a ccTalk bill validator: cash box journal and collection', () => {
  it('stacks what the role takes, journalling each note before reporting it accepted; returns what it does not', async () => {
    const model = sim.validator.model;
    expect(model.insert('JP0100A')).toBe('escrow');
    await eventually(() => cashReports('accepted').length === 1, 5_000, 'the first note accepted');
    expect(model.insert('JP1000A')).toBe('escrow'); // 10000: over the role's limit
    await eventually(() => cashReports('escrow').length === 2, 5_000, 'the second escrow decided');
    expect(model.insert('JP0500A')).toBe('escrow');
    await eventually(() => cashReports('accepted').length === 2, 5_000, 'the third note accepted');

    expect(cashReports('accepted').map((r) => [r.result, r.code, r.details?.['noteId'], r.details?.['amountMinor']])).toEqual([
      ['done', null, 'JP0100A', 1_000],
      ['done', null, 'JP0500A', 5_000],
    ]);
    expect(cashReports('escrow').map((r) => [r.result, r.details?.['routed']])).toEqual([
      ['done', 'stacked'],
      ['declined', 'returned'],
      ['done', 'stacked'],
    ]);
    // In the journal when reported, not after.
    expect(boxAtReport).toEqual([[{ currency: 'JPY', notes: 1, amountMinor: 1_000 }], [{ currency: 'JPY', notes: 2, amountMinor: 6_000 }]]);
    expect(model.cashBox.notes).toEqual(['JP0100A', 'JP0500A']);
  });

  it('reports rejected notes and faults as coded cash outcomes', async () => {
    const model = sim.validator.model;
    expect(model.insert('XX1234Q')).toBe('rejected');
    model.removeCashBox();
    await eventually(() => term.outcomes.some((r) => r.code === 'DEV_CASHBOX_REMOVED'), 5_000, 'cash box removed reported');
    model.insertCashBox();
    const rejected = term.outcomes.find((r) => r.trigger === 'cash' && r.code === 'DEV_NOTE_REJECTED');
    expect(rejected).toMatchObject({ result: 'refused', details: { event: 'rejected', cctalkEvent: 2 } });
    expect(term.outcomes.find((r) => r.code === 'DEV_CASHBOX_REMOVED')).toMatchObject({ trigger: 'cash', result: 'error', details: { event: 'fault', cctalkEvent: 11 } });
  });

  it('cash-collect empties the cash box account in one journal transaction; a second one finds it empty', async () => {
    const collected = await term.agent.command({ name: 'cash-collect' });
    expect(collected).toMatchObject({ trigger: 'command', result: 'done', code: null, details: { command: 'cash-collect', content: [{ currency: 'JPY', notes: 2, amountMinor: 6_000 }] } });
    expect(collected.details?.['collectionId']).toMatch(/^[0-9a-f]{32}$/);
    expect(term.agent.context.journal.cashBox()).toEqual([]);
    const again = await term.agent.command({ name: 'cash-collect' });
    expect(again).toMatchObject({ result: 'refused', code: 'TERM_CASHBOX_EMPTY' });

    // The next note starts a new cash box; the journal keeps it across a restart.
    expect(sim.validator.model.insert('JP0100A')).toBe('escrow');
    await eventually(() => cashReports('accepted').length === 3, 5_000, 'a note after the collection');
    await term.stop();
    const reopened = Journal.open(journalPath);
    try {
      expect(reopened.cashBox()).toEqual([{ currency: 'JPY', notes: 1, amountMinor: 1_000 }]);
      expect(reopened.listCashCollections()).toEqual([expect.objectContaining({ collectionId: collected.details?.['collectionId'], content: [{ currency: 'JPY', notes: 2, amountMinor: 6_000 }] })]);
    } finally {
      reopened.close();
    }
  });
});
