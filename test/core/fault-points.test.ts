import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAULT_ENV, FAULT_FILE_ENV, faultPoint } from '../../core/fault-points.js';

// The kill itself (SIGKILL at an armed point) is what test/crash/prepaid-crash.test.ts sees in every cell.
describe('fault points (test hook)', () => {
  const saved = { env: process.env[FAULT_ENV], file: process.env[FAULT_FILE_ENV] };
  afterEach(() => {
    for (const [k, v] of [[FAULT_ENV, saved.env], [FAULT_FILE_ENV, saved.file]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('passes every point when nothing is armed', () => {
    delete process.env[FAULT_ENV];
    delete process.env[FAULT_FILE_ENV];
    expect(faultPoint('client.written')).toBe('pass');
  });

  it('answers drop for a point armed :drop in TESSERA_FAULT, every time, and passes the others', () => {
    process.env[FAULT_ENV] = 'a.b:drop, client.use-answered:drop';
    expect(faultPoint('client.use-answered')).toBe('drop');
    expect(faultPoint('client.use-answered')).toBe('drop');
    expect(faultPoint('client.use')).toBe('pass');
  });

  it('takes a point hit out of TESSERA_FAULT_FILE (the restart runs clean), leaving the others armed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsr-fault-'));
    try {
      const file = join(dir, 'faults');
      writeFileSync(file, 'provider.relayed.use:drop\nprepaid.use.booked\n');
      process.env[FAULT_FILE_ENV] = file;
      expect(faultPoint('provider.relayed.use')).toBe('drop');
      expect(readFileSync(file, 'utf8')).toBe('prepaid.use.booked\n');
      expect(faultPoint('provider.relayed.use')).toBe('pass');
      rmSync(file);
      expect(faultPoint('prepaid.use.booked')).toBe('pass'); // no file: nothing armed
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
