/**
 * `tessera <command>` as a child process (the world's parts run through the
 * CLI, e2e and CLI tests): stdout read as JSON
 * lines (non-JSON lines kept as text), everything it printed kept for secret
 * scans, waits bounded, and a stop that ends it (SIGTERM, then SIGKILL after
 * a grace period) so a failed test leaves nothing running.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { tesseraCommand } from './node-command.js';

export type JsonLine = Record<string, unknown>;

export class CliProcess {
  readonly lines: JsonLine[] = [];
  /** Every byte of stdout and stderr, for secret scans and failure messages. */
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;
  private waiters: Array<{ pred: (o: JsonLine) => boolean; resolve: (o: JsonLine) => void }> = [];

  constructor(
    readonly name: string,
    args: string[],
    env: Record<string, string> = {},
  ) {
    const { command, args: argv } = tesseraCommand(args);
    this.child = spawn(command, argv, {
      cwd: process.cwd(),
      env: { ...process.env, TESSERA_LOG_LEVEL: 'info', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
    // 'close': after the exit and after stdout/stderr ended, so every line has been seen.
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private onLine(line: string): void {
    this.output += `${line}\n`;
    let o: JsonLine;
    try {
      o = JSON.parse(line) as JsonLine;
    } catch {
      return;
    }
    if (o === null || typeof o !== 'object') return;
    this.lines.push(o);
    const w = this.waiters.find((x) => x.pred(o));
    if (w) {
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve(o);
    }
  }

  /** The next stdout JSON line matching pred (lines already seen do not count); rejects on exit or timeout. */
  next(pred: (o: JsonLine) => boolean, timeoutMs = 10_000, what = 'line'): Promise<JsonLine> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = {
        pred,
        resolve: (o: JsonLine) => {
          clearTimeout(timer);
          resolve(o);
        },
      };
      timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== waiter);
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms; output:\n${this.output.slice(-3_000)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
      void this.exited.then(({ code }) => {
        if (!this.waiters.includes(waiter)) return;
        clearTimeout(timer);
        reject(new Error(`${this.name}: exited ${code} before the ${what}; output:\n${this.output.slice(-3_000)}`));
      });
    });
  }

  /** The ready line (`{"ready":true,…}` or the center's `{"listening":…}`). */
  ready(timeoutMs = 15_000): Promise<JsonLine> {
    return this.next((o) => o['ready'] === true || typeof o['listening'] === 'number', timeoutMs, 'ready line');
  }

  /** Sends a signal (SIGKILL: the process dies mid-work; SIGSTOP/SIGCONT: it freezes and resumes). */
  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  endInput(): void {
    this.child.stdin.end();
  }

  /** SIGTERM, then SIGKILL if still running after graceMs; resolves with how it ended. */
  async stop(graceMs = 8_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.running && this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs `tessera <args>` to its end: exit code and output. */
export async function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 15_000): Promise<{ code: number | null; output: string; lines: JsonLine[] }> {
  const p = new CliProcess(args.join(' '), args, env);
  p.endInput();
  const timer = setTimeout(() => void p.stop(1_000), timeoutMs);
  const { code } = await p.exited;
  clearTimeout(timer);
  return { code, output: p.output, lines: p.lines };
}
