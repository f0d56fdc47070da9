/**
 * `npm run bench -- voucher --json` in a tiny profile: the suite runs end to
 * end as a real process (its own SQLite file and its own PostgreSQL server)
 * and its last stdout line is one JSON object with every figure issue 12
 * asks for, each a positive number (redemptions on both engines against
 * their raw commit rates; activations from tills through a real HQ and the
 * signed HQ link to the center). No timing assertions: the figures
 * depend on the machine; only their presence, type and consistency are
 * checked, and that every redemption answered was captured in the center.
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

const PER_ENGINE = ['redeemPerSec', 'redeemP50Ms', 'redeemP99Ms', 'rawCommitPerSec', 'redeemToRawRatio', 'redemptions', 'unitsPerCommit', 'rawUnitsPerCommit'] as const;
const ACTIVATION = ['activationsPerSec', 'activationP50Ms', 'activationP99Ms', 'activations'] as const;

describe('npm run bench -- voucher (tiny profile)', () => {
  it('prints one JSON line: redemptions/s and p50/p99 on SQLite and PostgreSQL against the raw commit rate of each, and activations through the HQ', async () => {
    const r = await runBench(['voucher', '--json', '--duration', '0.3', '--in-flight', '2', '--activations', '6']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1); // with --json, progress goes to stderr and stdout is the one JSON line
    const j = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(j).toMatchObject({ suite: 'voucher', durationS: 0.3, inFlight: 2, failedRedemptions: 0 });
    const keys = [...PER_ENGINE.flatMap((k) => [`${k}Sqlite`, `${k}Postgres`]), ...ACTIVATION];
    for (const k of keys) {
      expect(typeof j[k], k).toBe('number');
      expect(Number.isFinite(j[k]) && (j[k] as number) > 0, `${k} = ${String(j[k])}`).toBe(true);
    }
    for (const e of ['Sqlite', 'Postgres']) {
      expect(j[`redeemP50Ms${e}`] as number, e).toBeLessThanOrEqual(j[`redeemP99Ms${e}`] as number);
      // The ratio is the quotient of the figures beside it.
      expect(j[`redeemToRawRatio${e}`]).toBeCloseTo((j[`redeemPerSec${e}`] as number) / (j[`rawCommitPerSec${e}`] as number), 1);
    }
    expect(j['activationP50Ms'] as number).toBeLessThanOrEqual(j['activationP99Ms'] as number);
    expect(j['activations']).toBe(6);
    expect(j['failedActivations']).toBe(0);
    // Every sale approved at the till is one active card at the center (through the HQ and the signed link).
    expect(j['activeInCenter']).toBe(6);
    // Every redemption answered is one captured redemption in the center: none lost, none doubled.
    const engines = j['engines'] as Record<string, { redemptions: number; capturedInCenter: number }>;
    for (const e of ['sqlite', 'postgres']) expect(engines[e]!.capturedInCenter, e).toBe(engines[e]!.redemptions);
  }, 180_000);
});
