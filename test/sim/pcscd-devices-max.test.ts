/**
 * SIM_LIMITS.vpcdDevicesMax is enforced: a simulated pcscd asked for more vpcd
 * devices (or none) refuses at once with SIM_PCSCD_START_FAILED, before it
 * writes a reader configuration or starts anything.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_LIMITS } from '../../sim/limits.js';
import { SimPcscd } from '../../sim/pcscd/sim-pcscd.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('simulated pcscd device count', () => {
  it(`refuses more than vpcdDevicesMax (${SIM_LIMITS.vpcdDevicesMax}) devices before writing anything`, async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-pcscd-max-'));
    // basePorts given (and empty) so nothing probes ports even if the check were missing.
    const start = SimPcscd.start({ dir, devices: SIM_LIMITS.vpcdDevicesMax + 1, basePorts: [] });
    await expect(start).rejects.toMatchObject({ code: 'SIM_PCSCD_START_FAILED', details: { devices: SIM_LIMITS.vpcdDevicesMax + 1 } });
    expect(existsSync(join(dir, 'reader.conf.d'))).toBe(false);
  });

  it('refuses zero devices', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-pcscd-max-'));
    await expect(SimPcscd.start({ dir, devices: 0, basePorts: [] })).rejects.toMatchObject({ code: 'SIM_PCSCD_START_FAILED', details: { devices: 0 } });
    expect(existsSync(join(dir, 'reader.conf.d'))).toBe(false);
  });
});
