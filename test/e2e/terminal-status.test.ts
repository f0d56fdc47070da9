/**
 * TERMINAL_STATUS end to end: a `tessera terminal` process (PC/SC reader on
 * our own pcscd, a serial scanner on a socat pty) against a real center
 * (createCenter on SQLite). The center keeps the agent's report: its
 * software and protocol version, reader and scanner online. The scanner's
 * pty is closed (its socat killed): the agent reports the scanner offline
 * with DEV_PORT_GONE; plugged back, online again. The agent stops: the
 * terminal is no longer connected, its last report kept.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { softwareVersion } from '../../core/version.js';
import { killPtyOwner, replugAfterKill, startTestScanner, type TestScanner } from '../support/pty.js';
import { openWorld, type World } from '../../sim/world/world.js';
import type { CliProcess } from '../../sim/world/cli-process.js';

const T = 'KIOSK-ST1';
let world: World;
let scanner: TestScanner;
let agent: CliProcess;

beforeAll(async () => {
  world = await openWorld({ hardware: { readerDevices: 1, namePrefix: 'Agent Reader' }, center: { validity: { mode: 'direct' } } });
  scanner = await startTestScanner('status-scanner');
  // `tessera terminal --config` on the world's pcscd, its config and key file written by the world.
  agent = await world.startTerminalProcess({
    terminalId: T,
    role: 'validity-pos',
    reader: 0,
    callback: false,
    link: { requestTimeoutMs: 5_000, attempts: 3 },
    devices: { scanner: { port: scanner.scanner.devicePath, baudRate: 9600 } },
    config: { transaction: { kind: 'PURCHASE', amountMinor: 100, currency: 'JPY' } },
  });
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
