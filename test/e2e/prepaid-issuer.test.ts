/**
 * The prepaid terminal end to end, each actor its own process: `tessera
 * center` (SQLite file, the prepaid section), `tessera terminal` with the
 * `prepaid-issuer` role, a ccTalk bill validator simulated on a socat pty
 * (this process), the medium a mount directory. Notes stacked and an
 * `issue` command give a medium whose generation-1 file reads back with the
 * paid balance. An issue whose medium is not in the drive is answered but not
 * written; the agent is killed (SIGKILL) between the answer and the write;
 * restarted, its journal sends the same request again, the center answers
 * the same medium and file, and the file is written: one medium, the cash
 * booked once, the ledger audits clean.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../../center/ledger/audit.js';
import { Ledger } from '../../center/ledger/ledger.js';
import { PREPAID_AUDIT } from '../../center/prepaid/audit-check.js';
import { openStorage } from '../../center/storage/open.js';
import { systemClock } from '../../core/clock.js';
import { mediumIdHex } from '../../protocol/prepaid/medium.js';
import { readSlots, SLOT_FILES } from '../../protocol/prepaid/slots.js';
import { CliProcess, type JsonLine } from '../../sim/world/cli-process.js';
import { openWorld, type World } from '../../sim/world/world.js';
import { DirRemovableStore } from '../../terminal/devices/files/dir-removable-store.js';
import { startTestValidator, type TestValidator } from '../support/validator.js';
import { NOTES, SCALING } from '../terminal/devices/bill-validator.contract.js';

const T = 'KIOSK-PP1';
let world: World;
let sim: TestValidator;
let agent: CliProcess;
let mountDir: string;
let dbPath: string;
const dir = mkdtempSync(join(tmpdir(), 'tessera-ppissuer-'));
const masterKeyFile = join(dir, 'prepaid.key');
writeFileSync(masterKeyFile, `${'5a'.repeat(32)}\n`, { mode: 0o600 });
const restarted: CliProcess[] = [];

const outcome = (p: CliProcess, pred: (o: Record<string, unknown>) => boolean, what: string, ms = 30_000): Promise<Record<string, unknown>> =>
  p.next((l: JsonLine) => typeof l['outcome'] === 'object' && l['outcome'] !== null && pred(l['outcome'] as Record<string, unknown>), ms, what).then((l) => l['outcome'] as Record<string, unknown>);
const accepted = (p: CliProcess): Promise<Record<string, unknown>> => outcome(p, (o) => o['trigger'] === 'cash' && (o['details'] as Record<string, unknown>)?.['event'] === 'accepted', 'a note accepted');

/** The medium as a client would read it: the store's files, then the slots. */
async function readMedium(): Promise<ReturnType<typeof readSlots>> {
  const store = new DirRemovableStore({ mountDir });
  await store.open();
  try {
    const bytes = async (name: string) => store.readFile(name).catch(() => undefined);
    return readSlots(await bytes(SLOT_FILES[0]), await bytes(SLOT_FILES[1]));
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  sim = await startTestValidator({ notes: NOTES, scaling: SCALING, cashBoxCapacity: 50 });
  world = await openWorld({
    dir,
    hardware: { readerDevices: 1, namePrefix: 'Issuer Reader' },
    center: { process: 'cli', cliReadyMs: 60_000, terminals: [{ id: T, ownerKind: 'store', ownerId: 'STORE-1', keyRef: `k-${T}` }], cliSections: { prepaid: { masterKeyFile, issuerId: 7, currency: 'JPY' } } },
  });
  dbPath = join(world.dir, 'center.db');
  mountDir = join(world.dir, 'medium');
  mkdirSync(mountDir);
  agent = await world.startTerminalProcess({
    terminalId: T, role: 'prepaid-issuer', reader: 0, storeMountDir: mountDir, link: { requestTimeoutMs: 5_000, attempts: 1 },
    devices: { validator: { path: sim.validator.devicePath, country: 'JP', currency: 'JPY' } },
  }, { readyMs: 60_000 });
}, 120_000);
afterAll(async () => {
  for (const p of restarted) await p.stop();
  await world?.close();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('prepaid terminal (tessera center, tessera terminal, ccTalk validator on a pty)', () => {
  it('issues a medium for the notes stacked: generation 1 on the medium with the paid balance', async () => {
    const first = accepted(agent);
    expect(sim.validator.model.insert('JP0100A')).toBe('escrow');
    await first;
    const second = accepted(agent);
    expect(sim.validator.model.insert('JP0500A')).toBe('escrow');
    await second;
    const issued = outcome(agent, (o) => o['trigger'] === 'command', 'the issue outcome');
    agent.send('command issue');
    const o = await issued;
    expect(o).toMatchObject({ result: 'approved', code: null, details: { amountMinor: 6_000, balanceMinor: 6_000, payment: 'cash', notes: 2, slot: SLOT_FILES[0], wrote: true } });
    const slots = await readMedium();
    expect(slots.current?.view).toMatchObject({ generation: 1, displayBalanceMinor: 6_000, currency: 'JPY', issuerId: 7 });
    expect(mediumIdHex(slots.current!.view.mediumId)).toBe(o['mediumId']);
  }, 90_000);

  it('an issue answered but not written (no medium) survives a kill -9 of the agent: the restarted agent writes the same medium, booked once', async () => {
    rmSync(mountDir, { recursive: true, force: true }); // the first customer took their medium; none in the drive
    const note = accepted(agent);
    expect(sim.validator.model.insert('JP1000A')).toBe('escrow');
    await note;
    const answered = outcome(agent, (o) => o['trigger'] === 'command', 'the unwritten issue');
    agent.send('command issue');
    const o = await answered;
    expect(o).toMatchObject({ result: 'error', code: 'TERM_PREPAID_NOT_WRITTEN', details: { amountMinor: 10_000, reason: 'DEV_MEDIUM_ABSENT' } });
    const mediumId = String(o['mediumId']);

    agent.signal('SIGKILL');
    expect((await agent.exited).signal).toBe('SIGKILL');
    mkdirSync(mountDir); // a blank medium in the drive
    const again = new CliProcess(T, ['terminal', '--config', join(world.dir, `${T}.json`)], { PCSCLITE_CSOCK_NAME: world.sim!.info().pcscSocket });
    restarted.push(again);
    const recovered = outcome(again, (o) => o['trigger'] === 'recover', 'the journal\'s repeat', 60_000);
    await again.ready(60_000);
    expect(await recovered).toMatchObject({ result: 'done', details: { recovered: 'done' } });
    const slots = await readMedium();
    expect(slots.current?.view).toMatchObject({ generation: 1, displayBalanceMinor: 10_000 });
    expect(mediumIdHex(slots.current!.view.mediumId)).toBe(mediumId);

    await again.stop();
    await world.centerCli!.close();
    const storage = await openStorage(dbPath);
    try {
      const media = await storage.read((q) => q.all<{ id: string; balance: number }>('SELECT id, balance FROM prepaid_media ORDER BY balance'));
      expect(media.map((m) => Number(m.balance))).toEqual([6_000, 10_000]);
      expect(media[1]!.id).toBe(mediumId);
      expect(await storage.read((q) => q.all('SELECT ref FROM prepaid_payments'))).toHaveLength(3);
      const ledger = await Ledger.open(storage, systemClock);
      const accounts = await ledger.lookupAccounts([`cash-box@${T}`, `cash-takings@${T}`, `prepaid@${mediumId}`]);
      expect(accounts.map((a) => [a.id, a.debitsPostedMinor - a.creditsPostedMinor])).toEqual([
        [`cash-box@${T}`, 16_000],
        [`cash-takings@${T}`, 0],
        [`prepaid@${mediumId}`, -10_000],
      ]);
      expect((await auditLedger(storage, [PREPAID_AUDIT])).ok).toBe(true);
    } finally {
      await storage.close();
    }
  }, 180_000);
});
