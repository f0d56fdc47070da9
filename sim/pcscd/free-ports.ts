import { createServer } from 'node:net';
import type { Random } from '../../core/random.js';
import { TesseraError } from '../../core/errors.js';
import { SIM_LIMITS } from '../limits.js';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // vpcd binds INADDR_ANY, so check the same address.
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Picks `count` free base ports, each followed by `span - 1` free ports
 * (vpcd listens on base, base+1 for its two slots). Random so parallel test
 * files rarely race for the same ports; checked so they never knowingly do.
 */
export async function pickFreePortRuns(count: number, span: number, random: Random): Promise<number[]> {
  const picked: number[] = [];
  const taken = new Set<number>();
  const range = SIM_LIMITS.vpcdPortMax - SIM_LIMITS.vpcdPortMin - span;
  for (let attempt = 0; attempt < SIM_LIMITS.portPickAttemptsMax && picked.length < count; attempt++) {
    const base = SIM_LIMITS.vpcdPortMin + random.int(range);
    const run = Array.from({ length: span }, (_, i) => base + i);
    if (run.some((p) => taken.has(p))) continue;
    const free = await Promise.all(run.map(portFree));
    if (!free.every(Boolean)) continue;
    run.forEach((p) => taken.add(p));
    picked.push(base);
  }
  if (picked.length < count) throw new TesseraError('SIM_NO_FREE_PORT', `found ${picked.length} of ${count} free vpcd port runs`);
  return picked;
}
