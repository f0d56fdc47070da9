/**
 * Crash test: a minimal center (center/admin/serve.ts: SQLite storage +
 * ledger + admin API) runs as a child process; concurrent clients drive
 * transfers through the admin API; the center is killed with SIGKILL at
 * seeded random moments and restarted. At the end, every transfer the
 * client saw acknowledged must be stored exactly once with its amount, every
 * transfer acknowledged as refused must be absent, retries of acknowledged
 * ids must answer `exists`, and the audit must pass.
 *
 * Reproduce a run: TESSERA_CRASH_SEED=<seed printed> npx vitest run test/crash
 * More kills: TESSERA_CRASH_KILLS=100.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { auditDatabase } from '../../center/ledger/audit-target.js';
import { CENTER_MODULES } from '../../center/modules.js';
import { auditChecksOf } from '../../center/server/module.js';
import { openStorage } from '../../center/storage/open.js';
import { SeededRandom, SystemRandom } from '../../core/random.js';
import { nodeCommand } from '../../sim/world/node-command.js';

const SEED = Number(process.env['TESSERA_CRASH_SEED'] ?? new SystemRandom().int(2 ** 31));
const KILLS = Number(process.env['TESSERA_CRASH_KILLS'] ?? 20);
const CLIENTS = 8;
const USERS = 8;
const SERVE = join(import.meta.dirname, '../../center/admin/serve.ts');

interface Center {
  proc: ChildProcess;
  url: string;
  exited: Promise<void>;
}

async function startCenter(db: string): Promise<Center> {
  // The admin API needs an operator's token: the first start writes one beside the database, restarts reuse it.
  const tokenFile = `${db}.admin-token`;
  const { command, args } = nodeCommand(SERVE, ['--db', db, '--admin-token-file', tokenFile]);
  const proc = spawn(command, args, {
    env: { ...process.env, TESSERA_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    // A loaded machine can take many seconds to start a node process (the fastify app adds ~1.5 s unloaded): a generous bound.
    const timer = setTimeout(() => reject(new Error('center did not start within 60 s')), 60_000);
    lines.on('line', (line) => {
      const m = /"listening":(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once('exit', (code) => reject(new Error(`center exited with ${code} before listening`)));
  });
  token = readFileSync(tokenFile, 'utf8').trim();
  return { proc, url: `http://127.0.0.1:${port}`, exited };
}

let token = '';

type Outcome = { kind: 'results'; results: { id: string; result: string }[] } | { kind: 'in-doubt' };

async function post(url: string, path: string, body: unknown): Promise<Outcome> {
  try {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) });
    if (res.status !== 200) return { kind: 'in-doubt' };
    return { kind: 'results', ...((await res.json()) as { results: { id: string; result: string }[] }) };
  } catch {
    return { kind: 'in-doubt' };
  }
}

interface Sent {
  amountMinor: number;
  body: Record<string, unknown>;
}

/** What the clients learned: acknowledged as applied, acknowledged as refused, never answered. */
class Book {
  readonly sent = new Map<string, Sent>();
  readonly acked = new Set<string>();
  readonly refused = new Set<string>();
  readonly inDoubt = new Set<string>();
  readonly violations: string[] = [];
  requests = 0;

  record(transfers: { id: string }[], out: Outcome, retry: boolean): void {
    this.requests++;
    if (out.kind === 'in-doubt') {
      for (const t of transfers) if (!this.acked.has(t.id)) this.inDoubt.add(t.id);
      return;
    }
    for (const r of out.results) {
      this.inDoubt.delete(r.id);
      if (retry && this.acked.has(r.id) && r.result !== 'exists') this.violations.push(`retry of acked ${r.id} answered ${r.result}`);
      if (r.result === 'ok' || r.result === 'exists') {
        if (this.refused.has(r.id)) this.violations.push(`${r.id} refused earlier, applied now`);
        this.acked.add(r.id);
      } else if (!this.acked.has(r.id)) {
        this.refused.add(r.id);
      }
    }
  }
}

function transferId(rnd: SeededRandom): string {
  return rnd.bytes(16).toString('hex');
}

/** One client: sends random single transfers, atomic pairs, pending+post pairs and retries until stopped. */
async function client(url: string, rnd: SeededRandom, book: Book, stop: { now: boolean }): Promise<void> {
  for (let i = 0; i < 10_000 && !stop.now; i++) {
    const roll = rnd.int(20);
    const user = (): string => `user-${rnd.int(USERS)}`;
    const amount = 1 + rnd.int(2_000);
    let transfers: Record<string, unknown>[];
    let retry = false;
    if (roll === 0 && book.acked.size > 0) {
      const ids = [...book.acked];
      const id = ids[rnd.int(ids.length)]!;
      transfers = [book.sent.get(id)!.body];
      retry = true;
    } else if (roll < 3) {
      transfers = [{ id: transferId(rnd), debitAccountId: 'funding', creditAccountId: user(), amountMinor: amount * 5, currency: 'JPY' }];
    } else if (roll < 6) {
      const id = transferId(rnd);
      transfers = [
        { id, debitAccountId: user(), creditAccountId: 'shop', amountMinor: amount, currency: 'JPY', flags: { pending: true }, timeoutMs: 60_000 },
        { id: transferId(rnd), pendingId: id, flags: { postPending: true } },
      ];
    } else if (roll < 9) {
      const a = user();
      transfers = [
        { id: transferId(rnd), debitAccountId: a, creditAccountId: 'shop', amountMinor: amount, currency: 'JPY' },
        { id: transferId(rnd), debitAccountId: 'shop', creditAccountId: 'fees', amountMinor: 1, currency: 'JPY', code: 2 },
      ];
    } else {
      const a = user();
      let b = user();
      if (b === a) b = 'shop';
      transfers = [{ id: transferId(rnd), debitAccountId: a, creditAccountId: b, amountMinor: amount, currency: 'JPY' }];
    }
    const atomic = transfers.length > 1;
    for (const t of transfers) if (!book.sent.has(String(t['id']))) book.sent.set(String(t['id']), { amountMinor: Number(t['amountMinor'] ?? 0), body: t });
    const out = await post(url, '/transfers', { transfers, atomic });
    book.record(transfers as { id: string }[], out, retry);
    if (out.kind === 'in-doubt') return;
  }
}

const ACCOUNTS = [
  { id: 'funding', owner: 'bank', kind: 'external', currency: 'JPY' },
  { id: 'shop', owner: 'shop-1', kind: 'merchant', currency: 'JPY', flags: { debitsMustNotExceedCredits: true } },
  { id: 'fees', owner: 'provider', kind: 'fees', currency: 'JPY' },
  ...Array.from({ length: USERS }, (_, i) => ({
    id: `user-${i}`,
    owner: `u${i}`,
    kind: 'user_bank',
    institution: '0001',
    currency: 'JPY',
    flags: { debitsMustNotExceedCredits: true },
  })),
];

describe('ledger crash test (SQLite, kill -9)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-crash-'));
  const db = join(dir, 'center.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`keeps every acknowledged transfer exactly once across ${KILLS} kills`, { timeout: 300_000 }, async () => {
    console.log(`crash test seed=${SEED} kills=${KILLS} (reproduce: TESSERA_CRASH_SEED=${SEED})`);
    const rnd = new SeededRandom(SEED);
    const book = new Book();
    const started = Date.now();
    for (let round = 0; round < KILLS; round++) {
      const center = await startCenter(db);
      const created = await post(center.url, '/accounts', { accounts: ACCOUNTS });
      expect(created.kind).toBe('results');
      const stop = { now: false };
      const clients = Array.from({ length: CLIENTS }, (_, c) => client(center.url, new SeededRandom(rnd.int(2 ** 31) + c), book, stop));
      await new Promise((r) => setTimeout(r, 50 + rnd.int(600)));
      center.proc.kill('SIGKILL');
      stop.now = true;
      await Promise.all([center.exited, ...clients]);
    }
    const runMs = Date.now() - started;

    // Restart once more and retry every in-doubt transfer: idempotency decides, not luck.
    const center = await startCenter(db);
    for (const id of [...book.inDoubt]) {
      const out = await post(center.url, '/transfers', { transfers: [book.sent.get(id)!.body] });
      book.record([{ id }], out, false);
    }
    center.proc.kill('SIGTERM');
    await center.exited;

    const storage = await openStorage({ engine: 'sqlite', path: db });
    const rows = await storage.read((q) => q.all('SELECT id, amount, flags FROM ledger_transfers'));
    await storage.close();
    const stored = new Map(rows.map((r) => [String(r['id']), Number(r['amount'])]));
    expect(rows.length).toBe(stored.size);
    const missing = [...book.acked].filter((id) => !stored.has(id));
    const wrongAmount = [...book.acked].filter((id) => book.sent.get(id)!.amountMinor > 0 && stored.get(id) !== book.sent.get(id)!.amountMinor);
    const refusedButStored = [...book.refused].filter((id) => stored.has(id) && !book.acked.has(id));
    const report = await auditDatabase(db, auditChecksOf(CENTER_MODULES));
    console.log(
      `crash test: ${KILLS} kills in ${runMs} ms, ${book.requests} requests, ${book.acked.size} acked, ` +
        `${book.refused.size} refused, ${rows.length} stored, audit ${report.ok ? 'ok' : 'FAILED'}`,
    );
    expect(book.violations).toEqual([]);
    expect(missing).toEqual([]);
    expect(wrongAmount).toEqual([]);
    expect(refusedButStored).toEqual([]);
    expect(book.inDoubt.size).toBe(0);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(book.acked.size).toBeGreaterThan(KILLS * 5);
  });
});
