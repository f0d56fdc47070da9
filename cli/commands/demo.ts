import type { Command } from 'commander';
import { TesseraError } from '../../core/errors.js';
import { systemRandom } from '../../core/random.js';
import { DEMO_LIMITS } from '../../sim/demo/limits.js';

/** Exit code when the demo ran and a check failed (1 is an error, 2 a bad argument; as `tessera audit`). */
export const DEMO_CHECK_FAILED_EXIT_CODE = 3;
/** A run stopped by a signal still shuts everything down, then exits 128 + the signal number. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
/** If a stray handle kept the process alive after a finished run, exit anyway after this long. */
const EXIT_GRACE_MS = 5_000;

interface DemoFlags {
  users: string;
  seed?: string;
  stateDir: string;
  json?: boolean;
}

/**
 * `tessera demo`: the center, banks A and B, and a simulated fleet (provider
 * kiosks, shops, a vending machine, cards with PINs, a till's barcode scanner,
 * the shops' removable media) on the real driver stacks (pcscd + vpcd +
 * virtual cards, socat ptys, mount directories); charges, purchases (some
 * scanned), settlements with receipts on the media; then a summary with the
 * books checked. Exit 0 when every check passes, 3 when one fails (its DEMO_ code
 * on stderr), 1 on an error, 130/143 when interrupted (after a clean shutdown).
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the e-money world on simulated hardware (center, 2 banks, kiosks, shops with a scanner and media, vending machine) and check the books')
    .option('--users <n>', `simulated users (${DEMO_LIMITS.usersMin}-${DEMO_LIMITS.usersMax})`, String(DEMO_LIMITS.usersDefault))
    .option('--seed <n>', 'seed of the story: who goes where, amounts, PINs (default: random, printed)')
    .option('--state-dir <dir>', 'where each run gets its own directory', '.tessera/demo')
    .option('--json', 'also print the result as one JSON line at the end')
    .action(async (flags: DemoFlags) => demo(flags));
}

async function demo(flags: DemoFlags): Promise<void> {
  const abort = new AbortController();
  let signalName: string | null = null;
  const onSignal = (name: NodeJS.Signals): void => {
    signalName ??= name;
    process.stderr.write(`tessera demo: ${name}, shutting down\n`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const seed = flags.seed === undefined ? systemRandom.int(2 ** 32) : toInt(flags.seed, 'seed');
    // The demo's code is loaded when this command runs, not when any tessera command starts.
    const { runDemo } = await import('../../sim/demo/run-demo.js');
    const result = await runDemo({ users: toInt(flags.users, 'users'), seed, stateRoot: flags.stateDir }, { out: (l) => process.stdout.write(`${l}\n`), signal: abort.signal });
    if (flags.json) process.stdout.write(`${JSON.stringify({ ok: result.ok, seed, runDir: result.runDir, elapsedMs: result.elapsedMs, failures: result.failures, shutdown: result.shutdown, summary: result.summary })}\n`);
    if (!result.ok) {
      process.stderr.write(`tessera demo: FAILED ${result.failures.join(', ')} (seed ${seed}, run ${result.runDir})\n`);
      process.exitCode = DEMO_CHECK_FAILED_EXIT_CODE;
    }
  } catch (e) {
    if (signalName) {
      process.stderr.write('tessera demo: DEMO_INTERRUPTED: stopped; everything it started is shut down\n');
      process.exitCode = SIGNAL_EXIT[signalName] ?? 1;
    } else if (e instanceof TesseraError) {
      // The message starts with the code; the cause's code says which part failed.
      process.stderr.write(`tessera demo: ${e.message}\n`);
      process.exitCode = 1;
    } else throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    setTimeout(() => {
      process.stderr.write('tessera demo: a handle stayed open after shutdown; exiting\n');
      process.exit();
    }, EXIT_GRACE_MS).unref();
  }
}

function toInt(text: string, what: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new TesseraError('DEMO_BAD_OPTION', `${what} must be a non-negative integer`);
  return n;
}
