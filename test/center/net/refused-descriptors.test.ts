/**
 * Refused connections must not leak descriptors. A `tessera center` process
 * (listen.maxConnections = 1, its one place held by an authenticated
 * terminal) refuses 10,000 connections from this process, each sending
 * HELLO like a terminal, half of which read the error frame and half of
 * which leave at once (a refused socket with unread bytes was never
 * destroyed); the center's
 * descriptor count (/proc/<pid>/fd) must come back to where it was, and
 * SIGTERM must still stop it (close() used to wait for the leaked sockets).
 */
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../../center/storage/open.js';
import { encodeFrame } from '../../../protocol/frame/encoder.js';
import { tesseraCommand } from '../../../sim/world/node-command.js';
import { keyDir, seedTerminals, TERMINAL, terminalLink } from '../server/support.js';

const keys = keyDir();
afterAll(() => keys.remove());

const TRIES = 10_000;
const PARALLEL = 100;

function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

const HELLO = encodeFrame({ type: 'hello', terminalId: TERMINAL, nonce: Buffer.alloc(32, 7) }, { seq: 0, requestId: 0, response: false });

/**
 * One terminal that tries and leaves: it sends HELLO as a terminal does on
 * connect, then 'read' waits for the center's answer (the error frame),
 * 'leave' hangs up at once.
 */
function tryOnce(port: number, how: 'read' | 'leave'): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.write(HELLO);
      if (how === 'leave') s.end(() => s.destroy());
    });
    s.on('data', () => s.destroy());
    s.on('error', () => undefined);
    s.on('close', () => resolve());
    s.setTimeout(5_000, () => s.destroy());
  });
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('refused connections (center in its own process)', () => {
  it('10,000 refused connections leave no descriptor behind and SIGTERM still stops the center', async () => {
    const dbPath = join(keys.dir, 'center.db');
    const storage = await openStorage({ engine: 'sqlite', path: dbPath });
    await seedTerminals(storage);
    await storage.close();
    const config = join(keys.dir, 'center.json');
    writeFileSync(config, JSON.stringify({ listen: { port: 0, maxConnections: 1 }, db: dbPath, validity: { mode: 'direct' }, terminalKeys: { masterKeyFile: keys.masterKeyFile } }));
    const center = tesseraCommand(['center', '--config', config]);
    const child = spawn(center.command, center.args, {
      cwd: process.cwd(),
      env: { ...process.env, TESSERA_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
      const port = (JSON.parse(line) as { listening: number }).listening;
      const pid = child.pid as number;
      const link = terminalLink(keys.masterKey, TERMINAL, port);
      try {
        expect((await link.request({ type: 'ping' })).type).toBe('pong'); // the one place is taken
        const baseline = fdCount(pid);
        const started = Date.now();
        for (let i = 0; i < TRIES; i += PARALLEL) {
          await Promise.all(Array.from({ length: PARALLEL }, (_, j) => tryOnce(port, (i + j) % 2 === 0 ? 'read' : 'leave')));
        }
        const settled = await until(() => fdCount(pid) <= baseline + 2, 10_000);
        const held = fdCount(pid) - baseline;
        console.log(`${TRIES} refused connections in ${Date.now() - started} ms; center descriptors above baseline afterwards: ${held}`);
        expect(settled, `${held} descriptors still held`).toBe(true);
        expect((await link.request({ type: 'ping' })).type).toBe('pong'); // the session lived through it
      } finally {
        await link.close();
      }
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('hung'), 10_000))]);
      expect(code).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
