/**
 * The virtual card's line answers pcscd's ATR polls from its worker thread, so
 * a synchronous PC/SC call on a busy JS thread in the same process does not
 * deadlock (before: hung every time). Run in a child process with a deadline,
 * so a regression fails this test instead of hanging the suite.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nodeCommand } from '../../sim/world/node-command.js';

describe('vpcd line worker', () => {
  it('a synchronous disconnect while the JS thread was busy past a presence poll returns', () => {
    const { command, args } = nodeCommand('test/sim/support/disconnect-while-polled.ts');
    const r = spawnSync(command, args, { encoding: 'utf8', timeout: 25_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('disconnect returned');
  });
});
