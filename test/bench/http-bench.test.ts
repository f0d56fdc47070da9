/**
 * `npm run bench -- http --json` in a short profile (tiny phases, a few
 * terminals): the suite runs end to end as a real process and its last
 * stdout line is one JSON object with every figure issue 11 asks for, each a
 * sane value. No timing assertions: the figures themselves depend on the
 * machine; only their presence, type and internal consistency are checked.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nodeCommand } from '../../sim/world/node-command.js';

const TERMINALS = 5;

/** Runs `node bench/run.ts <args>` (compiled, see sim/world/node-command.ts); resolves with stdout, stderr and the exit code. */
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

const POSITIVE_NUMBERS = [
  'bareRps', 'surfaceRps', 'surfaceVsBare', 'readRps', 'readVsBare', 'postRps', 'postOk', 'postRowsWritten', 'postUnitsPerCommit',
  'replayRps', 'rawCommitRps', 'rawUnitsPerCommit', 'postVsRawCommit', 'emptyScrapeMsP50', 'loadedScrapeMsP50', 'scrapeRatio', 'registryScrapeRatio',
] as const;
const LATENCIES = ['bareP50Ms', 'bareP99Ms', 'surfaceP99Ms', 'readP50Ms', 'readP99Ms', 'postP50Ms', 'postP99Ms', 'replayP50Ms', 'replayP99Ms'] as const;

describe('npm run bench -- http (short profile)', () => {
  it('prints one JSON line with every figure: throughput, p50/p99, ratios to the bare route and the raw commit rate, and the scrape ratio', async () => {
    const r = await runBench(['http', '--json', '--duration', '0.3', '--connections', '4', '--terminals', String(TERMINALS), '--scrapes', '3']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1); // with --json, progress goes to stderr and stdout is the one JSON line
    const j = JSON.parse(lines[0]!) as Record<string, unknown>;

    expect(j).toMatchObject({ suite: 'http', durationS: 0.3, connections: 4, readTarget: 0.5, scrapeTerminals: TERMINALS });
    for (const k of POSITIVE_NUMBERS) {
      expect(typeof j[k], k).toBe('number');
      expect(Number.isFinite(j[k]) && (j[k] as number) > 0, `${k} = ${String(j[k])}`).toBe(true);
    }
    for (const k of LATENCIES) {
      expect(typeof j[k], k).toBe('number');
      expect((j[k] as number) >= 0, `${k} = ${String(j[k])}`).toBe(true);
    }
    for (const p of ['bare', 'read', 'post', 'replay'] as const) expect(j[`${p}P50Ms`] as number, p).toBeLessThanOrEqual(j[`${p}P99Ms`] as number);
    // The ratios are the quotients of the figures beside them.
    // Bare and read phases alternate in rounds (the load moves between phases): each read phase against the bare phase
    // just before it, readVsBare the median of those ratios; bareAroundRps and readRps the medians of the rounds.
    expect(j.bareAfterRps as number).toBeGreaterThan(0);
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const bareRounds = j.bareRoundsRps as number[];
    const readRounds = j.readRoundsRps as number[];
    expect(j.rounds).toBe(3);
    expect(bareRounds).toHaveLength(3);
    expect(readRounds).toHaveLength(3);
    expect([j.bareRps, j.bareAfterRps]).toEqual([bareRounds[0], bareRounds[2]]);
    expect(j.bareAroundRps).toBe(median(bareRounds));
    expect(j.readRps).toBe(median(readRounds));
    const ratios = j.readRoundRatios as number[];
    ratios.forEach((r, i) => expect(r).toBeCloseTo(readRounds[i]! / bareRounds[i]!, 1));
    expect(j.readVsBare).toBe(median(ratios));
    expect(j.readVsBareMedians).toBeCloseTo((j.readRps as number) / (j.bareAroundRps as number), 1);
    // Main-thread CPU per request (Linux /proc): the read route does more than the bare one.
    for (const k of ['bareCpuUsPerReq', 'surfaceCpuUsPerReq', 'readCpuUsPerReq', 'readVsBareCpu'] as const) expect(j[k] as number, k).toBeGreaterThan(0);
    expect(j.readVsBareCpu).toBeCloseTo((j.bareCpuUsPerReq as number) / (j.readCpuUsPerReq as number), 1);
    expect(j.postVsRawCommit).toBeCloseTo((j.postRps as number) / (j.rawCommitRps as number), 1);
    expect(j.readMeetsTarget).toBe((j.readVsBare as number) >= 0.5);
    // Every request answered 2xx (no 401/409/429 measured as throughput), and every POST with a new key wrote its row.
    expect(j.failedRequests).toBe(0);
    expect(j.failedByPhase).toEqual({ bare: 0, surface: 0, read: 0, post: 0, replay: 0 });
    expect(j.postRowsWritten as number).toBeGreaterThanOrEqual(j.postOk as number);
    // The scrape figures come from metricsScrapeBench with the terminals really connected.
    expect(j.scrapeSessionsOpen).toBe(TERMINALS);
    const m = j.metrics as Record<string, unknown>;
    expect(m).toMatchObject({ terminals: TERMINALS, sessionsOpen: TERMINALS, scrapeLoadedVsEmpty: j.scrapeRatio });
  }, 180_000);
});
