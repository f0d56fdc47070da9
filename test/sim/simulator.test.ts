/**
 * The whole simulator as a developer uses it: started once, driven through
 * its control socket, with the real drivers on the terminal side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/random.js';
import { sendControlCommand } from '../../sim/control/control-client.js';
import { ControlServer } from '../../sim/control/control-server.js';
import { Simulator } from '../../sim/simulator.js';
import type { BarcodeScanner, Scan } from '../../terminal/devices/barcode-scanner.js';
import { DirRemovableStore } from '../../terminal/devices/files/dir-removable-store.js';
import { PcscCardReader } from '../../terminal/devices/pcsc/pcsc-card-reader.js';
import { PurseCard } from '../../terminal/devices/purse-card.js';
import { SerialBarcodeScanner } from '../../terminal/devices/serial/serial-barcode-scanner.js';
import { eventually, nextEvent } from '../terminal/devices/wait.js';

describe('Simulator driven over its control socket, real drivers on top', () => {
  let dir: string;
  let sim: Simulator;
  let control: ControlServer;
  let socket: string;
  let stopRequested = false;
  const send = (command: Record<string, unknown>) => sendControlCommand(socket, command);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-sim-'));
    sim = await Simulator.start({ stateDir: dir, readerDevices: 1, scanners: 1, random: new SeededRandom(42) });
    process.env['PCSCLITE_CSOCK_NAME'] = sim.info().pcscSocket;
    control = new ControlServer(sim, () => (stopRequested = true));
    socket = join(dir, 'sim.sock');
    await control.listen(socket);
  });
  afterAll(async () => {
    await control?.close();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues and inserts a card; the PC/SC driver reads it and debits it', async () => {
    expect(await send({ cmd: 'issue', cardId: '0102030405060708', pin: '2468', balanceMinor: 3000 })).toMatchObject({ ok: true });
    const reader = new PcscCardReader({ readerPattern: / 00 00$/ });
    try {
      await reader.open();
      const inserted = nextEvent(reader, 'inserted');
      const t0 = performance.now();
      expect(await send({ cmd: 'insert', cardId: '0102030405060708', reader: 0 })).toMatchObject({ ok: true });
      await inserted;
      const insertToReadyMs = performance.now() - t0;
      const purse = new PurseCard(reader, new SeededRandom(1));
      await purse.select();
      expect(await purse.readId()).toBe('0102030405060708');
      await purse.verifyPin('2468');
      expect((await purse.debit(1000, 'SIM-TERM-1')).balanceMinor).toBe(2000);
      expect(insertToReadyMs).toBeLessThan(2_000); // pcscd polls vpcd every 400 ms
      const status = await send({ cmd: 'status' });
      expect(status).toMatchObject({ ok: true, result: { readers: [{ cardId: '0102030405060708' }, { cardId: null }] } });
      const removed = nextEvent(reader, 'removed');
      expect(await send({ cmd: 'remove', reader: 0 })).toMatchObject({ ok: true });
      await removed;
    } finally {
      await reader.close();
    }
  });

  it('scans through the virtual scanner into the serial driver', async () => {
    const path = sim.info().scanners[0]!.path;
    const scanner: BarcodeScanner = new SerialBarcodeScanner({ path, baudRate: 9600, delimiter: 'CR' });
    const scans: Scan[] = [];
    scanner.on('scan', (s) => scans.push(s));
    try {
      await scanner.open();
      expect(await send({ cmd: 'scan', data: '4901234567894', aim: ']E0' })).toMatchObject({ ok: true });
      await eventually(() => scans.length === 1, 5_000, 'scan');
      expect(scans[0]).toMatchObject({ data: '4901234567894', symbology: { name: 'EAN-13' } });
    } finally {
      await scanner.close();
    }
  });

  it('inserts and ejects media seen by the removable-store driver', async () => {
    const store = new DirRemovableStore({ mountDir: sim.info().mediumMountDir, pollMs: 20 });
    try {
      await store.open();
      const inserted = nextEvent(store, 'inserted');
      expect(await send({ cmd: 'medium-insert', name: 'disk1' })).toMatchObject({ ok: true });
      await inserted;
      await store.writeFile('prepaid.dat', Buffer.from('v1'));
      const removed = nextEvent(store, 'removed');
      expect(await send({ cmd: 'medium-eject' })).toMatchObject({ ok: true, result: { ejected: 'disk1' } });
      await removed;
      expect(await send({ cmd: 'medium-insert', name: 'disk1' })).toMatchObject({ ok: true });
      expect((await store.readFile('prepaid.dat')).toString()).toBe('v1');
      await send({ cmd: 'medium-eject' });
    } finally {
      await store.close();
    }
  });

  it('answers bad commands with coded errors and honours stop', async () => {
    expect(await send({ cmd: 'insert', cardId: 'nothex', reader: 0 })).toMatchObject({ ok: false, code: 'SIM_BAD_COMMAND' });
    expect(await send({ cmd: 'insert', cardId: 'ffffffffffffffff', reader: 0 })).toMatchObject({ ok: false, code: 'SIM_BAD_COMMAND' });
    expect(await send({ cmd: 'remove', reader: 7 })).toMatchObject({ ok: false, code: 'SIM_UNKNOWN_READER' });
    expect(await send({ cmd: 'remove', reader: 1 })).toMatchObject({ ok: false, code: 'SIM_SLOT_EMPTY' });
    expect(await send({ cmd: 'medium-eject' })).toMatchObject({ ok: false, code: 'SIM_MEDIUM_STATE' });
    expect(await send({ cmd: 'warp' })).toMatchObject({ ok: false, code: 'SIM_BAD_COMMAND' });
    expect(await send({ cmd: 'stop' })).toMatchObject({ ok: true });
    expect(stopRequested).toBe(true);
  });
});
