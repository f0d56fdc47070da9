/**
 * The role interface from a role author's side: a probe role (registered in
 * a test registry, as the e-money roles will be) drives the keypad, the purse
 * (PIN, debit), the journal, the scanner (socat pty) and the removable store
 * through the agent, on the real drivers.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualMedium } from '../../../sim/medium/virtual-medium.js';
import { VirtualScanner } from '../../../sim/scanner/virtual-scanner.js';
import { ScriptedKeypad } from '../../../terminal/agent/keypad.js';
import type { Role } from '../../../terminal/agent/role.js';
import { RoleRegistry } from '../../../terminal/agent/role-registry.js';
import { systemClock } from '../../../core/clock.js';
import { posTerminal, type WorldTerminal } from '../../../sim/world/terminals.js';
import { openWorld, type World } from '../../../sim/world/world.js';

const CARD = 'd100000000000001';

let release: () => void = () => undefined;
let held: Promise<void> = Promise.resolve();

/** An offline shop in miniature: PIN + debit → journal record; scans and store reads echo back. */
const probe: Role = {
  name: 'probe',
  apps: ['purse'],
  async onCardInserted(ctx, card) {
    await card.app('purse').select();
    const mediumId = await card.app('purse').readId();
    await card.app('purse').verifyPin(await ctx.keypad.read('pin'));
    const amountMinor = Number(await ctx.keypad.read('amount'));
    const d = await card.app('purse').debit(amountMinor, ctx.terminalId);
    ctx.journal.appendPurchase({ mediumId, cardCounter: d.counter, amountMinor, currency: 'JPY', terminalId: ctx.terminalId, terminalNonce: d.terminalNonce, cardMac: d.cardMac });
    return { result: 'approved', code: null, mediumId, details: { balanceMinor: d.balanceMinor } };
  },
  async onScan(_ctx, scan) {
    return { result: 'done', code: null, details: { data: scan.data, aim: scan.symbology?.aim ?? null } };
  },
  async onCommand(ctx, cmd) {
    if (cmd.name === 'hold') return held.then(() => ({ result: 'done', code: null }));
    if (cmd.name === 'read-medium') return { result: 'done', code: null, details: { text: (await ctx.devices.store!.readFile('PREPAID.DAT')).toString() } };
    return { result: 'done', code: null, details: { unsettled: ctx.journal.listUnsettled().length } };
  },
};

let world: World;
let term: WorldTerminal;
let scanner: VirtualScanner;
let medium: VirtualMedium;
const keypad = new ScriptedKeypad(systemClock);

beforeAll(async () => {
  world = await openWorld({ hardware: { readerDevices: 1, namePrefix: 'Agent Reader' }, center: { validity: { mode: 'cached' } } });
  await world.card(CARD);
  scanner = new VirtualScanner(world.dir, 'scanner');
  await scanner.plug();
  mkdirSync(join(world.dir, 'shelf'));
  medium = new VirtualMedium('disk-1', join(world.dir, 'shelf'), join(world.dir, 'mnt'));
  medium.putFile('PREPAID.DAT', Buffer.from('prepaid info'));
  term = await world.startTerminal(
    posTerminal('PROBE-1', {
      role: 'probe',
      reader: 0,
      devices: { scanner: { port: scanner.devicePath, baudRate: 9600 } },
      storeMountDir: join(world.dir, 'mnt'),
      roles: new RoleRegistry().register('probe', () => probe),
      keypad: { keypad, enter: () => undefined },
    }),
  );
});
afterAll(async () => {
  await term?.stop();
  await scanner?.unplug();
  await world?.close();
});

describe('a role plugged into the agent', () => {
  it('card flow with keypad PIN and amount, purse debit, journal record', async () => {
    keypad.push('pin', '1234');
    keypad.push('amount', '1200');
    const r = await term.present(CARD);
    await term.take();
    expect(r).toMatchObject({ trigger: 'card', result: 'approved', mediumId: CARD, card: 'returned', details: { balanceMinor: 8_800 } });
    expect(term.agent.context.journal.listUnsettled()).toEqual([expect.objectContaining({ mediumId: CARD, amountMinor: 1200, terminalId: 'PROBE-1', cardCounter: 1 })]);
    expect((await term.agent.command({ name: 'count' })).details).toEqual({ unsettled: 1 });
  });

  it('a wrong PIN is the device code, the card returned, nothing journalled', async () => {
    keypad.push('pin', '9999');
    keypad.push('amount', '100');
    const r = await term.present(CARD);
    await term.take();
    expect(r).toMatchObject({ result: 'error', code: 'DEV_PIN_WRONG', card: 'returned' });
    expect(term.agent.context.journal.listUnsettled()).toHaveLength(1);
    expect(keypad.pending).toBe(1); // the amount was never asked for
    await keypad.read('amount');
  });

  it('scans reach the role with their symbology', async () => {
    const done = term.nextOutcome((o) => o.trigger === 'scan');
    await scanner.scan('4901234567894', { aim: ']E0' });
    expect(await done).toMatchObject({ result: 'done', details: { data: '4901234567894', aim: ']E0' } });
  });

  it('commands can use the removable store', async () => {
    medium.insert();
    let r = await term.agent.command({ name: 'read-medium' });
    for (let i = 0; i < 20 && r.code === 'DEV_MEDIUM_ABSENT'; i++) {
      await systemClock.sleep(100); // the store polls for the medium
      r = await term.agent.command({ name: 'read-medium' });
    }
    expect(r).toMatchObject({ trigger: 'command', result: 'done', details: { text: 'prepaid info' } });
  });

  it('a full work queue refuses more work with TERM_BUSY at once; the queued flows still finish', async () => {
    held = new Promise<void>((r) => (release = r));
    const queued: Promise<{ result: string; code: string | null }>[] = [];
    let busy: { result: string; code: string | null } | undefined;
    for (let i = 0; i < 16 && !busy; i++) {
      const p = term.agent.command({ name: 'hold' });
      const first = await Promise.race([p, systemClock.sleep(20).then(() => undefined)]);
      if (first) busy = first;
      else queued.push(p);
    }
    expect(busy).toMatchObject({ trigger: 'command', result: 'refused', code: 'TERM_BUSY' });
    expect(queued.length).toBeGreaterThan(0);
    release();
    for (const r of await Promise.all(queued)) expect(r).toMatchObject({ result: 'done' });
  });
});
