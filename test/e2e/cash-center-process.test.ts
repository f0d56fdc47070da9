/**
 * The cash box booked by a `tessera center` process (SQLite file): an agent
 * with a ccTalk validator on a socat pty stacks notes; the center is frozen
 * (SIGSTOP) while a report is outstanding, then killed (SIGKILL) before it
 * answers, and restarted on the same port and database; the agent repeats the
 * report with the same note key and the note is booked once. A collection
 * empties cash-box@T; `tessera audit` passes on the center's database.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../center/ledger/ledger.js';
import { openStorage } from '../../center/storage/open.js';
import { systemClock } from '../../core/clock.js';
import type { Role } from '../../terminal/agent/role.js';
import { startTestValidator, type TestValidator } from '../support/validator.js';
import { NOTES, SCALING } from '../terminal/devices/bill-validator.contract.js';
import { eventually } from '../terminal/devices/wait.js';
import { startCashTerminal } from '../terminal/agent/cash-terminal.js';
import type { CliProcess } from '../../sim/world/cli-process.js';
import type { WorldTerminal } from '../../sim/world/terminals.js';
import { openWorld, type World } from '../../sim/world/world.js';
import { runCli } from '../../sim/world/cli-process.js';

const T = 'KIOSK-P1';
const cashRole = (): Role => ({ name: 'cash-test', onNoteInEscrow: async () => 'stack' });

let world: World;
let sim: TestValidator;
let term: WorldTerminal;
let dbPath: string;
const centers = (): CliProcess[] => world.centerCli!.processes;
const unbooked = (): number => term.agent.context.journal.cashUnbookedCount();
const accepted = (): number => term.outcomes.filter((r) => r.trigger === 'cash' && r.details?.['event'] === 'accepted').length;

beforeAll(async () => {
  // `tessera center --config` on a SQLite file, the terminal registered in its database before it starts.
  world = await openWorld({
    hardware: { readerDevices: 1, namePrefix: 'Agent Reader' },
    center: { process: 'cli', terminals: [{ id: T, ownerKind: 'store', ownerId: 'STORE-1', keyRef: `k-${T}` }] },
  });
  dbPath = join(world.dir, 'center.db');
  sim = await startTestValidator({ notes: NOTES, scaling: SCALING, cashBoxCapacity: 20 });
  term = await startCashTerminal(world, T, sim, cashRole);
}, 60_000);
afterAll(async () => {
  await term?.stop();
  await sim?.stop();
  await world?.close();
});

describe('cash booked by a tessera center process', () => {
  it('a report outstanding when the center is killed is repeated after the restart and booked once; a collection empties the box; tessera audit passes', async () => {
    expect(sim.validator.model.insert('JP0100A')).toBe('escrow');
    await eventually(() => accepted() === 1 && unbooked() === 0, 15_000, 'the first note booked');

    // Frozen: the connection stays up, the report goes out and is never answered; then the center dies.
    centers()[0]!.signal('SIGSTOP');
    expect(sim.validator.model.insert('JP0500A')).toBe('escrow');
    await eventually(() => accepted() === 2, 10_000, 'the second note accepted');
    expect(unbooked()).toBe(1);
    centers()[0]!.signal('SIGKILL');
    expect((await centers()[0]!.exited).signal).toBe('SIGKILL');
    expect(unbooked()).toBe(1);

    await world.startCenter(undefined, { awaitTerminals: false });
    await eventually(() => unbooked() === 0, 40_000, 'the repeated report answered by the restarted center');
    const slip = await term.agent.command({ name: 'cash-collect' });
    expect(slip).toMatchObject({ result: 'done', details: { content: [{ currency: 'JPY', notes: 2, amountMinor: 6_000 }] } });
    await eventually(() => unbooked() === 0, 15_000, 'the collection answered');
    await term.stop();
    await world.centerCli!.close();

    const storage = await openStorage(dbPath);
    try {
      const ledger = await Ledger.open(storage, systemClock);
      const accounts = await ledger.lookupAccounts([`cash-box@${T}`, `cash-collected@${T}`, `cash-takings@${T}`]);
      expect(accounts.map((a) => [a.id, a.debitsPostedMinor - a.creditsPostedMinor])).toEqual([
        [`cash-box@${T}`, 0],
        [`cash-collected@${T}`, 6_000],
        [`cash-takings@${T}`, -6_000],
      ]);
      expect((await ledger.accountTransfers(`cash-takings@${T}`, 100)).map((t) => t.amountMinor).sort()).toEqual([1_000, 5_000]);
    } finally {
      await storage.close();
    }
    const audit = await runCli(['audit', '--db', dbPath]);
    expect(audit.code, audit.output).toBe(0);
  }, 120_000);
});
