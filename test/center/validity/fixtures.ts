import { ManualClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { SeededRandom } from '../../../core/random.js';
import { ValidityEngine } from '../../../center/validity/engine.js';
import { ValidityStore } from '../../../center/validity/validity-store.js';
import type { ValidityMode } from '../../../center/validity/types.js';
import { SimDriver } from './sim-driver.js';
import { SimSource } from './sim-source.js';

export const T0_MS = 1_700_000_000_000;
export const GOOD_MEDIUM = '00000000000000a1';
export const LOST_MEDIUM = '00000000000000b2';
export const EXPIRING_MEDIUM = '00000000000000c3';
export const GOOD_TERMINAL = 'T-GOOD';
export const INACTIVE_TERMINAL = 'T-INACT';

export interface Rig {
  readonly source: SimSource;
  readonly clock: ManualClock;
  readonly driver: SimDriver;
  readonly store: ValidityStore | null;
  readonly engine: ValidityEngine;
}

/** The list(s) each mode keeps in memory. */
export function cachesOf(mode: ValidityMode): { media: boolean; terminals: boolean } {
  return {
    media: mode === 'cached' || mode === 'cached-medium',
    terminals: mode === 'cached' || mode === 'cached-terminal',
  };
}

/** An engine in `mode` over a SimSource seeded with the standard fixtures, store started. */
export async function makeRig(
  mode: ValidityMode,
  opts: { latencySteps?: number; pushSteps?: number; refreshIntervalMs?: number; seed?: number } = {},
): Promise<Rig> {
  const clock = new ManualClock(T0_MS);
  const source = new SimSource(new SeededRandom(opts.seed ?? 1), opts.latencySteps ?? 0, opts.pushSteps ?? 0);
  source.putMedium({ id: GOOD_MEDIUM, status: 'active', expiresAtMs: null });
  source.putMedium({ id: LOST_MEDIUM, status: 'lost', expiresAtMs: null });
  source.putMedium({ id: EXPIRING_MEDIUM, status: 'active', expiresAtMs: T0_MS + 1_000 });
  source.putTerminal({ id: GOOD_TERMINAL, status: 'active' });
  source.putTerminal({ id: INACTIVE_TERMINAL, status: 'inactive' });
  const driver = new SimDriver(source, clock);
  const caches = cachesOf(mode);
  const store =
    mode === 'direct'
      ? null
      : new ValidityStore({
          source,
          clock,
          log: silentLogger,
          cacheMedia: caches.media,
          cacheTerminals: caches.terminals,
          refreshIntervalMs: opts.refreshIntervalMs ?? 0,
        });
  if (store) await driver.until(store.start());
  await driver.settle();
  const engine = new ValidityEngine({ mode, source, store, clock, log: silentLogger });
  return { source, clock, driver, store, engine };
}
