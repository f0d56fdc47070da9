/**
 * TERMINAL_STATUS end to end: a `tessera terminal` process (PC/SC reader on
 * our own pcscd, a serial scanner on a socat pty) against a real center
 * (createCenter on SQLite). The center keeps the agent's report: its
 * software and protocol version, reader and scanner online. The scanner's
 * pty is closed (its socat killed): the agent reports the scanner offline
 * with DEV_PORT_GONE; plugged back, online again. The agent stops: the
 * terminal is no longer connected, its last report kept.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { softwareVersion } from '../../core/version.js';
import { killPtyOwner, replugAfterKill, startTestScanner, type TestScanner } from '../support/pty.js';
import { openWorld, type World } from '../../sim/world/world.js';
import { CliProcess } from '../../sim/world/cli-process.js';

const T = 'KIOSK-ST1';
let world: World;
let scanner: TestScanner;
let agent: CliProcess;

beforeAll(async () => {
  world = await openWorld({ hardware: { readerDevices: 1, namePrefix: 'Agent Reader' }, center: { validity: { mode: 'direct' } } });
  scanner = await startTestScanner('status-scanner');
  const slot = world.readerName(0);
  const config = join(world.dir, `${T}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      terminalId: T,
      keyFile: await world.registerTerminal(T),
      centers: [{ host: '127.0.0.1', port: world.centerPort }],
      devices: { reader: { namePattern: `^${slot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` }, scanner: { port: scanner.scanner.devicePath, baudRate: 9600 } },
      journal: join(world.dir, `${T}.db`),
      transaction: { amountMinor: 100 },
    }),
  );
  agent = new CliProcess('terminal', ['terminal', '--config', config]);
  await agent.next((o) => 'ready' in o, 30_000, 'ready line');
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await scanner?.stop();
  await world?.close();
});

const statusOf = async () => world.center!.fleet.terminalStatus(T);
const scannerOf = async () => (await statusOf())?.devices.find((d) => d.kind === 'scanner');

describe('terminal status from a tessera terminal process', () => {
  it('reports on connect, the scanner going offline when its pty closes and back online, and shows disconnected after it stops', async () => {
    await vi.waitFor(async () => expect(await scannerOf()).toMatchObject({ state: 'online', reason: null }), { timeout: 15_000, interval: 100 });
    expect(await statusOf()).toMatchObject({
      terminalId: T,
      softwareVersion: softwareVersion(),
      protocolVersion: 2,
      sessionProtocolVersion: 2,
      nodeId: world.center!.fleet.nodeId,
      connected: true,
      devices: [
        { kind: 'reader', state: 'online', reason: null },
        { kind: 'scanner', state: 'online', reason: null },
      ],
    });
    const onlineSince = (await scannerOf())!.sinceMs;

    killPtyOwner(scanner.scanner);
    await vi.waitFor(async () => expect(await scannerOf()).toMatchObject({ state: 'offline', reason: 'DEV_PORT_GONE' }), { timeout: 15_000, interval: 100 });
    expect((await scannerOf())!.sinceMs).toBeGreaterThanOrEqual(onlineSince);
    // The reader was not touched: its state and since stay.
    expect((await statusOf())!.devices.find((d) => d.kind === 'reader')).toMatchObject({ state: 'online', reason: null });

    await replugAfterKill(scanner.scanner);
    await vi.waitFor(async () => expect(await scannerOf()).toMatchObject({ state: 'online', reason: null }), { timeout: 30_000, interval: 100 });

    await agent.stop();
    await vi.waitFor(async () => expect(await statusOf()).toMatchObject({ connected: false }), { timeout: 10_000, interval: 100 });
    expect((await scannerOf())!.state).toBe('online');
  }, 90_000);
});
