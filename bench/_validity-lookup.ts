import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import { VALIDITY_LIMITS } from '../center/validity/limits.js';
import { MediaTable } from '../center/validity/media-table.js';

import { ValidityStore } from '../center/validity/validity-store.js';
import type { MediumValidity, ValiditySource } from '../center/validity/types.js';

/** An in-memory source holding `n` active media (only what a prefetch reads). */
function memorySource(ids: string[]): ValiditySource {
  const sorted = [...ids].sort();
  const row = (id: string): MediumValidity => ({ id, status: 'active', expiresAtMs: null });
  return {
    getMedium: async (id) => row(id),
    getTerminal: async () => null,
    listMedia: async (after, limit) => {
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (after !== null && (sorted[mid] as string) <= after) lo = mid + 1;
        else hi = mid;
      }
      return sorted.slice(lo, lo + limit).map(row);
    },
    listTerminals: async () => [],
    listMediaChangedSince: async () => [],
    listTerminalsChangedSince: async () => [],
    countMedia: async () => sorted.length,
    validityVersion: async () => 1,
    subscribe: async () => async () => undefined,
    captureMedium: async () => undefined,
  };
}

/** ns per ValidityStore.judgeMedium (hex id → table probe → judgement), p50 over batches; half hits, half misses. */
export async function lookupCost(media: number): Promise<{ nsP50: number; media: number; bytesPerMedium: number }> {
  const ids = Array.from({ length: media }, () => randomBytes(8).toString('hex'));
  const clock = new ManualClock();
  const store = new ValidityStore({ source: memorySource(ids), clock, log: silentLogger, cacheMedia: true, cacheTerminals: false, refreshIntervalMs: 0 });
  await store.start();
  const probes = Array.from({ length: 4_096 }, (_, i) => (i % 2 === 0 ? (ids[(i * 7919) % ids.length] as string) : randomBytes(8).toString('hex')));
  const batchNs: number[] = [];
  let valid = 0;
  for (let batch = 0; batch < 200; batch++) {
    const t0 = performance.now();
    for (const id of probes) if (store.judgeMedium(id, clock.nowMs()).ok) valid++;
    batchNs.push(((performance.now() - t0) * 1e6) / probes.length);
  }
  if (valid !== (200 * probes.length) / 2) throw new Error(`lookup bench: ${valid} hits, expected half`);
  batchNs.sort((a, b) => a - b);
  const stats = store.stats();
  await store.stop();
  return { nsP50: Math.round(batchNs[batchNs.length >> 1] ?? 0), media: stats.media, bytesPerMedium: stats.mediaTableBytes / stats.media };
}

/** Bytes per medium as the process sees them (arrayBuffers delta) for a table sized for `media`, and its build time. */
export function measuredBytesPerMedium(media: number): { bytesPerMedium: number; media: number; buildMs: number } {
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  // sized the way a prefetch sizes it: the count plus the headroom for new media
  const table = new MediaTable(Math.ceil((media * (100 + VALIDITY_LIMITS.tableHeadroomPercent)) / 100));
  for (let i = 0; i < media; i++) table.set((i * 2_654_435_761) >>> 0, i, 'active', 0);
  const buildMs = Math.round(performance.now() - t0);
  const after = process.memoryUsage().arrayBuffers;
  if (table.size !== media || table.find(mediumIdOfHi(media - 1), media - 1) < 0) throw new Error('table build check failed');
  return { bytesPerMedium: (after - before) / media, media, buildMs };
}

function mediumIdOfHi(i: number): number {
  return (i * 2_654_435_761) >>> 0;
}


