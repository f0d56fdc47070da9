/**
 * The node registry and terminal status book (center/fleet) on both engines:
 * a node registers, beats, and marks itself stopped; a node that stops
 * beating turns down; nodes on one PostgreSQL see each other; a real center
 * process killed with SIGKILL turns down for the others; terminal status is
 * kept per terminal with its devices' `since`, and is not `connected` once
 * its session ended or its node is down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFleet, type Fleet } from '../../../center/fleet/fleet.js';
import { FLEET_LIMITS } from '../../../center/fleet/limits.js';
import { startCenter } from '../../../center/server/start-center.js';
import { CENTER_MODULES, centerModules } from '../../../center/modules.js';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { ManualClock, systemClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { SeededRandom } from '../../../core/random.js';
import { softwareVersion } from '../../../core/version.js';
import type { TerminalStatus } from '../../../protocol/messages/types.js';
import { nodeCommand } from '../../../sim/world/node-command.js';
import { createTestDatabase } from '../../support/postgres.js';
import { configOf, keyDir } from '../server/support.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Engine = 'sqlite' | 'postgres';

/** A fresh database; `open()` gives another connection to the same one (a second node). */
async function database(engine: Engine): Promise<{ open: () => Promise<Storage> }> {
  if (engine === 'sqlite') {
    const dir = keyDir();
    cleanups.push(() => dir.remove());
    const path = join(dir.dir, 'center.db');
    return { open: async () => track(await openStorage({ engine: 'sqlite', path })) };
  }
  const db = await createTestDatabase('fleet');
  cleanups.push(() => db.drop());
  return { open: async () => track(await openStorage({ engine: 'postgres', url: db.url })) };
}
function track(s: Storage): Storage {
  cleanups.push(() => s.close());
  return s;
}

async function fleetOn(storage: Storage, clock: ManualClock, nodeId: string, heartbeatIntervalMs = 1000): Promise<Fleet> {
  const f = await startFleet(storage, { clock, random: new SeededRandom(1), log: silentLogger, nodeId, heartbeatIntervalMs, host: 'host-a' });
  cleanups.push(() => f.stop());
  return f;
}

const status = (devices: TerminalStatus['devices']): TerminalStatus => ({ type: 'terminalStatus', softwareVersion: '0.4.0', protocolVersion: 2, devices });

describe.each(['sqlite', 'postgres'] as const)('fleet on %s', (engine) => {
  it('a node registers with its id, host, pid, version and start time, beats, and marks itself stopped on a clean stop', async () => {
    const db = await database(engine);
    const clock = new ManualClock(1_000_000);
    const f = await fleetOn(await db.open(), clock, 'node-a');
    expect(softwareVersion()).toMatch(/^\d+\.\d+\.\d+/); // package.json's, not the fallback
    expect(await f.listNodes()).toEqual([
      { id: 'node-a', host: 'host-a', pid: process.pid, version: softwareVersion(), startedAtMs: 1_000_000, heartbeatAtMs: 1_000_000, heartbeatIntervalMs: 1000, stoppedAtMs: null, protocolVersionMin: 1, protocolVersionMax: 2, state: 'up' },
    ]);
    clock.advance(1000);
    await vi.waitFor(async () => expect((await f.listNodes())[0]!.heartbeatAtMs).toBe(1_001_000));
    clock.advance(500);
    await f.stop();
    expect(await f.listNodes()).toMatchObject([{ id: 'node-a', state: 'stopped', stoppedAtMs: 1_001_500 }]);
  });

  it('a node whose heartbeat stopped (no clean stop) is down after heartbeatMissedMax intervals, up until then', async () => {
    const db = await database(engine);
    const clockA = new ManualClock(1_000_000);
    const clockB = new ManualClock(1_000_000);
    await fleetOn(await db.open(), clockA, 'node-a'); // its clock never moves: it never beats again, like a frozen process
    const b = await fleetOn(await db.open(), clockB, 'node-b');
    clockB.advance(FLEET_LIMITS.heartbeatMissedMax * 1000);
    expect((await b.listNodes()).map((n) => [n.id, n.state])).toEqual([['node-a', 'up'], ['node-b', 'up']]);
    clockB.advance(1);
    await vi.waitFor(async () => expect((await b.listNodes()).map((n) => [n.id, n.state])).toEqual([['node-a', 'down'], ['node-b', 'up']]));
  });

  it('a node id held by a live node is refused (FLEET_NODE_ID_TAKEN); once that node stopped, the id is free', async () => {
    const db = await database(engine);
    const clock = new ManualClock(1_000_000);
    const a = await fleetOn(await db.open(), clock, 'node-a');
    await expect(startFleet(await db.open(), { clock, random: new SeededRandom(2), log: silentLogger, nodeId: 'node-a' })).rejects.toMatchObject({ code: 'FLEET_NODE_ID_TAKEN' });
    await a.stop();
    const again = await fleetOn(await db.open(), clock, 'node-a');
    expect((await again.listNodes()).map((n) => n.state)).toEqual(['up']);
    await expect(again.listNodes({ limit: 0 })).rejects.toMatchObject({ code: 'FLEET_BAD_ARGUMENT' });
    await expect(again.listNodes({ limit: FLEET_LIMITS.nodesListMax + 1 })).rejects.toMatchObject({ code: 'FLEET_BAD_ARGUMENT' });
  });

  it('keeps the latest status per terminal: devices with their since, which node served it, connected until the session ends', async () => {
    const db = await database(engine);
    const clock = new ManualClock(2_000_000);
    const f = await fleetOn(await db.open(), clock, 'node-a');
    const info = { terminalId: 'KIOSK-1', remoteAddress: '127.0.0.1:5000', protocolVersion: 2, sealer: {} as never };
    const h = f.flow.open(info);
    expect(await h.onRequest(status([{ kind: 1, state: 0 }, { kind: 2, state: 0 }]), { requestId: 1 })).toEqual({ type: 'terminalStatusAck' });
    clock.advance(700);
    await h.onRequest(status([{ kind: 1, state: 0 }, { kind: 2, state: 1, reason: 'DEV_PORT_GONE' }]), { requestId: 2 });
    expect(await f.terminalStatus('KIOSK-1')).toEqual({
      terminalId: 'KIOSK-1', softwareVersion: '0.4.0', protocolVersion: 2, sessionProtocolVersion: 2, nodeId: 'node-a',
      remoteAddress: '127.0.0.1:5000', reportedAtMs: 2_000_700, lastSeenAtMs: 2_000_700, connected: true,
      devices: [
        { kind: 'reader', state: 'online', reason: null, sinceMs: 2_000_000 },
        { kind: 'scanner', state: 'offline', reason: 'DEV_PORT_GONE', sinceMs: 2_000_700 },
      ],
    });
    clock.advance(300);
    h.onClose({ code: 'PROTO_CLOSED' } as never);
    await vi.waitFor(async () => expect(await f.terminalStatus('KIOSK-1')).toMatchObject({ connected: false, lastSeenAtMs: 2_001_000 }));
    expect((await f.listTerminalStatus()).map((t) => t.terminalId)).toEqual(['KIOSK-1']);
    expect(await f.terminalStatus('NOBODY')).toBeUndefined();
  });

  it('a terminal whose node went down is not connected, though its session never closed', async () => {
    const db = await database(engine);
    const clockA = new ManualClock(3_000_000);
    const clockB = new ManualClock(3_000_000);
    const a = await fleetOn(await db.open(), clockA, 'node-a');
    const b = await fleetOn(await db.open(), clockB, 'node-b');
    await a.flow.open({ terminalId: 'SHOP-1', remoteAddress: '10.0.0.1:1', protocolVersion: 2, sealer: {} as never }).onRequest(status([]), { requestId: 1 });
    expect(await b.terminalStatus('SHOP-1')).toMatchObject({ nodeId: 'node-a', connected: true });
    clockB.advance(FLEET_LIMITS.heartbeatMissedMax * 1000 + 1);
    expect(await b.terminalStatus('SHOP-1')).toMatchObject({ nodeId: 'node-a', connected: false });
  });
});

describe('several center nodes on one PostgreSQL', () => {
  it('two centers see each other; a center process killed with SIGKILL turns down for the other, never stopped', async () => {
    const db = await createTestDatabase('fleet_nodes');
    cleanups.push(() => db.drop());
    const keys = keyDir();
    cleanups.push(() => keys.remove());
    const storage = track(await openStorage({ engine: 'postgres', url: db.url }));
    const center = await startCenter(configOf(keys.masterKeyFile), CENTER_MODULES, { storage, fleet: { nodeId: 'center-a', heartbeatIntervalMs: 100 } });
    cleanups.push(() => center.close());

    const nodeB = nodeCommand('test/center/fleet/node-child.ts', [JSON.stringify({ url: db.url, masterKeyFile: keys.masterKeyFile, nodeId: 'center-b', heartbeatIntervalMs: 100 })]);
    const child: ChildProcess = spawn(nodeB.command, nodeB.args, {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, sig) => r(sig)));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('READY')) resolve();
      });
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      void exited.then(() => reject(new Error(`child exited: ${out}`)));
    });

    const states = async (): Promise<string[][]> => (await center.fleet.listNodes()).map((n) => [n.id, n.state]);
    expect(await states()).toEqual([['center-a', 'up'], ['center-b', 'up']]);
    // The child's heartbeats keep it up over several of its intervals.
    const before = (await center.fleet.listNodes())[1]!.heartbeatAtMs;
    await vi.waitFor(async () => expect((await center.fleet.listNodes())[1]!.heartbeatAtMs).toBeGreaterThan(before), { timeout: 5_000 });

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await vi.waitFor(async () => expect(await states()).toEqual([['center-a', 'up'], ['center-b', 'down']]), { timeout: 10_000, interval: 50 });
    const b = (await center.fleet.listNodes())[1]!;
    expect(b.stoppedAtMs).toBeNull();
    expect(systemClock.nowMs() - b.heartbeatAtMs).toBeGreaterThan(FLEET_LIMITS.heartbeatMissedMax * 100);

    // A clean close marks center-a stopped (seen through another connection).
    await center.close();
    const other = track(await openStorage({ engine: 'postgres', url: db.url }));
    const rows = await other.read((q) => q.all('SELECT id, stopped_at_ms FROM fleet_nodes ORDER BY id'));
    expect(rows[0]!['stopped_at_ms']).not.toBeNull();
    expect(rows[1]!['stopped_at_ms']).toBeNull();
  }, 60_000);
});
