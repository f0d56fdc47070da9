/**
 * `npm run bench -- prepaid --json` in a tiny profile: the suite runs end to
 * end as a real process (the center with the prepaid, merchant API and
 * validity modules, the provider over HTTPS, the vendor, the PC on a mount
 * directory) and its last stdout line is one JSON object with every figure
 * issue 13 asks for. No timing assertions: the figures depend on the
 * machine; only their presence, type and consistency are checked, that no
 * use failed, that the medium's balance is what the uses left, and that the
 * ledger audits.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nodeCommand } from '../../sim/world/node-command.js';

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const { command, args: argv } = nodeCommand('bench/run.ts', args);
    const child = spawn(command, argv, { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const HOPS = ['vendor', 'medium', 'pcProvider', 'providerCenter', 'prepaidApi', 'pc'];

describe('npm run bench -- prepaid (tiny profile)', () => {
  it('prints one JSON line: a use end to end p50/p99 with each hop\'s share, against the empty round trips of the same run; nothing failed, balance and audit ok', async () => {
    const r = await runBench(['prepaid', '--json', '--uses', '4']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1); // with --json, progress goes to stderr and stdout is the one JSON line
    const j = JSON.parse(lines[0]!) as Record<string, any>;
    expect(j).toMatchObject({ suite: 'prepaid', uses: 4, failedUses: 0, balanceOk: true, auditOk: true });
    for (const k of ['useP50Ms', 'useP99Ms', 'usesPerSec', 'emptyP50Ms', 'emptyP99Ms', 'useToEmptyP50', 'fileBytes']) {
      expect(Number.isFinite(j[k]) && j[k] > 0, `${k} = ${String(j[k])}`).toBe(true);
    }
    expect(j['useP50Ms']).toBeLessThanOrEqual(j['useP99Ms']);
    expect(j['emptyP50Ms']).toBeLessThanOrEqual(j['emptyP99Ms']);
    expect(Object.keys(j['hopShare']).sort()).toEqual([...HOPS].sort());
    // Every hop took time, and the shares are of the whole use.
    for (const h of HOPS.filter((x) => x !== 'pc')) expect(j['hopMeanMs'][h], h).toBeGreaterThan(0);
    const sum = HOPS.reduce((a, h) => a + (j['hopShare'][h] as number), 0);
    expect(sum).toBeGreaterThan(0.9);
    expect(sum).toBeLessThan(1.1);
    for (const k of ['https', 'framed', 'vendorHttp', 'medium']) expect(j['emptyMeanMs'][k], k).toBeGreaterThan(0);
  }, 120_000);
});
