import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { SeededRandom } from '../../../core/random.js';
import { mediumIdOf } from '../../../center/validity/ids.js';
import { VALIDITY_LIMITS } from '../../../center/validity/limits.js';
import { ValidityStore } from '../../../center/validity/validity-store.js';
import { T0_MS } from './fixtures.js';
import { SimDriver } from './sim-driver.js';
import { SimSource } from './sim-source.js';

function rig(opts: { media?: number; refreshIntervalMs?: number; latencySteps?: number } = {}) {
  const clock = new ManualClock(T0_MS);
  const source = new SimSource(new SeededRandom(7), opts.latencySteps ?? 1, 1);
  for (let i = 0; i < (opts.media ?? 3); i++) source.putMedium({ id: mediumIdOf(7, i), status: 'active', expiresAtMs: null });
  source.putTerminal({ id: 'T-1', status: 'active' });
  const store = new ValidityStore({
    source,
    clock,
    log: silentLogger,
    cacheMedia: true,
    cacheTerminals: true,
    refreshIntervalMs: opts.refreshIntervalMs ?? 0,
  });
  return { clock, source, store, driver: new SimDriver(source, clock) };
}

describe('ValidityStore', () => {
  it('prefetches every page of media (keyset paging) and reports its bytes per medium', async () => {
    const n = VALIDITY_LIMITS.loadPageRowsMax * 2 + 17;
    const { store, driver } = rig({ media: n, latencySteps: 0 });
    await driver.until(store.start());
    const stats = store.stats();
    expect(stats.media).toBe(n);
    expect(stats.terminals).toBe(1);
    expect(store.judgeMedium(mediumIdOf(7, n - 1), T0_MS)).toEqual({ ok: true });
    expect(store.judgeMedium(mediumIdOf(8, 0), T0_MS)).toMatchObject({ reason: 'MEDIUM_UNKNOWN' });
    // sized from countMedia before the load (+10 % headroom): 13 bytes a slot at <= 80 % fill
    expect(stats.mediaTableBytes / stats.media).toBeCloseTo((13 * 1.1) / 0.8, 1);
    await driver.until(store.stop());
  });

  it('takes 10 % new media after a prefetch without growing (no rehash between reloads)', async () => {
    const { store, driver, source } = rig({ media: 10_000, latencySteps: 0 });
    await driver.until(store.start());
    const slots = store.stats().mediaSlots;
    for (let i = 0; i < 1_000; i++) source.putMedium({ id: mediumIdOf(8, i), status: 'active', expiresAtMs: null });
    await driver.step();
    await driver.until(store.settled());
    expect(store.stats()).toMatchObject({ media: 11_000, mediaSlots: slots, reloads: 1 });
    await driver.until(store.stop());
  });

  it('applies pushed changes from the change feed without a reload', async () => {
    const { store, driver, source } = rig();
    await driver.until(store.start());
    source.putMedium({ id: mediumIdOf(7, 1), status: 'stolen', expiresAtMs: null });
    source.putMedium({ id: mediumIdOf(9, 9), status: 'active', expiresAtMs: null });
    source.putTerminal({ id: 'T-1', status: 'blocked' });
    for (let i = 0; i < 6; i++) await driver.step();
    expect(store.judgeMedium(mediumIdOf(7, 1), T0_MS)).toMatchObject({ reason: 'MEDIUM_STOLEN', capture: true });
    expect(store.judgeMedium(mediumIdOf(9, 9), T0_MS)).toEqual({ ok: true });
    expect(store.judgeTerminal('T-1')).toMatchObject({ reason: 'TERMINAL_BLOCKED' });
    // 4 initial commits + 3: every one applied, by the feed alone
    expect(store.stats()).toMatchObject({ reloads: 1, version: 7 });
    await driver.until(store.stop());
  });

  it('reloads everything after a lost listening connection (pushes not replayed)', async () => {
    const { store, driver, source } = rig();
    await driver.until(store.start());
    await driver.until(store.settled());
    source.beginOutage();
    source.putMedium({ id: mediumIdOf(7, 2), status: 'lost', expiresAtMs: null });
    for (let i = 0; i < 4; i++) await driver.step();
    // no push: memory still says active
    expect(store.judgeMedium(mediumIdOf(7, 2), T0_MS)).toEqual({ ok: true });
    source.endOutage();
    for (let i = 0; i < 12; i++) await driver.step();
    expect(store.judgeMedium(mediumIdOf(7, 2), T0_MS)).toMatchObject({ reason: 'MEDIUM_LOST' });
    expect(store.stats().reloads).toBe(2);
    await driver.until(store.stop());
  });

  it('reloads on its refresh interval (catches a change whose push never came)', async () => {
    const { store, driver, source } = rig({ refreshIntervalMs: 200 });
    await driver.until(store.start());
    await driver.until(store.settled());
    source.beginOutage();
    source.putMedium({ id: mediumIdOf(7, 0), status: 'expired', expiresAtMs: null });
    for (let i = 0; i < 30; i++) await driver.step();
    expect(store.stats().reloads).toBeGreaterThanOrEqual(2);
    expect(store.judgeMedium(mediumIdOf(7, 0), T0_MS)).toMatchObject({ reason: 'MEDIUM_EXPIRED' });
    await driver.until(store.stop());
  });

  it('keeps serving its old lists while the database is down, and recovers by reloading', async () => {
    const { store, driver, source } = rig();
    await driver.until(store.start());
    source.failReads = true;
    source.putMedium({ id: mediumIdOf(7, 1), status: 'lost', expiresAtMs: null });
    for (let i = 0; i < 10; i++) await driver.step();
    expect(store.judgeMedium(mediumIdOf(7, 0), T0_MS)).toEqual({ ok: true });
    source.failReads = false;
    // the retry timer (reloadRetryMs) brings the change in
    for (let i = 0; i < VALIDITY_LIMITS.reloadRetryMs / 10 + 20; i++) await driver.step();
    expect(store.judgeMedium(mediumIdOf(7, 1), T0_MS)).toMatchObject({ reason: 'MEDIUM_LOST' });
    await driver.until(store.stop());
  });

  it('marks a captured card in memory at once', async () => {
    const { store, driver } = rig();
    await driver.until(store.start());
    store.markCaptured(mediumIdOf(7, 0));
    expect(store.judgeMedium(mediumIdOf(7, 0), T0_MS)).toMatchObject({ reason: 'MEDIUM_CAPTURED' });
    await driver.until(store.stop());
  });
});
