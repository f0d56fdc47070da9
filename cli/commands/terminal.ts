import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { PidLock } from '../../core/files.js';
import { createLogger } from '../../core/log.js';
import type { Agent } from '../../terminal/agent/agent.js';
import { termError } from '../../terminal/agent/errors.js';
import { ScriptedKeypad } from '../../terminal/agent/keypad.js';
import type { RoleRegistry } from '../../terminal/agent/role-registry.js';
import { readTerminalKey } from '../../terminal/config/key-file.js';
import { loadTerminalConfig } from '../../terminal/config/load.js';
import type { TerminalConfig } from '../../terminal/config/schema.js';
import { untilSignal } from '../until-signal.js';

/**
 * `tessera terminal --config <file.json>`: runs a terminal agent until
 * SIGTERM/SIGINT. stdout: one JSON line when ready
 * (`{"ready":true,"terminalId":…,"role":…,"callbackPort":…}`), then one per
 * finished flow (`{"outcome":{…}}`). stdin (optional): control lines,
 * `keypad <prompt> <value>` and `command <name> [json]`. `--check` checks
 * what a start checks before it opens a device (config, key file, role and
 * roleSettings, journal directory) and exits. Errors exit 1 with their code
 * (TERM_CONFIG_INVALID, TERM_KEY_FILE, TERM_UNKNOWN_ROLE, DEV_READER_NOT_FOUND, …).
 */
export function registerTerminal(program: Command): void {
  program
    .command('terminal')
    .description('run a terminal agent (card reader, link to the center, durable journal)')
    .requiredOption('-c, --config <file>', 'terminal config (JSON; see terminal/config/schema.ts)')
    .option('--check', 'check the config, key file, role settings and journal directory, then exit')
    .action(async (opts: { config: string; check?: boolean }) => {
      const config = loadTerminalConfig(opts.config);
      readTerminalKey(config.keyFile);
      // The roles and the agent (devices, PC/SC) are loaded when this command runs, not when any tessera command starts.
      const { builtinRoles } = await import('../../terminal/agent/roles/builtin.js');
      const roles = builtinRoles();
      // What a start checks before it touches a device: the role exists and takes its roleSettings, the journal's directory is there.
      roles.create(config);
      checkJournalDir(config.journal);
      if (opts.check) {
        process.stdout.write(`${JSON.stringify({ ok: true, terminalId: config.terminalId, role: config.role, roleAvailable: true })}\n`);
        return;
      }
      // One agent per journal: a second one on the same config would race the first for the card.
      const lock = config.journal === ':memory:' ? null : PidLock.acquire(`${config.journal}.lock`, 'TERM_JOURNAL_IN_USE', `the terminal journal ${config.journal}`);
      try {
        await run(config, roles);
      } finally {
        lock?.release();
      }
    });
}

/** How long a failed start may take to stop what it started before the process exits anyway. */
const STOP_AFTER_FAILED_START_MS = 5_000;

async function run(config: TerminalConfig, roles: RoleRegistry): Promise<void> {
  const [{ createAgent }, { applyControlLine }] = await Promise.all([import('../../terminal/agent/create-agent.js'), import('../../terminal/agent/control-lines.js')]);
  const keypad = new ScriptedKeypad(systemClock);
  const agent = createAgent(config, { log: createLogger('terminal'), keypad, roles });
  agent.on('outcome', (o) => process.stdout.write(`${JSON.stringify({ outcome: o })}\n`));
  await startOrStop(agent);
  process.stdout.write(`${JSON.stringify({ ready: true, terminalId: config.terminalId, role: config.role, callbackPort: agent.context.callbackPort, ...(agent.metricsPort !== null && { metricsPort: agent.metricsPort }) })}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => void applyControlLine(line, agent, keypad).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`)));
  await untilSignal();
  lines.close();
  await agent.stop();
}

/**
 * The agent's timers do not hold the process open, so while the reader is
 * awaited (no pcscd, no matching reader) node used to exit 13 in silence:
 * a held handle lets the open time out into its coded error
 * (DEV_READER_NOT_FOUND, after devices.reader.openTimeoutMs), and a failed
 * start stops what it started, so the process exits 1 instead of hanging.
 */
async function startOrStop(agent: Agent): Promise<void> {
  const hold = setInterval(() => undefined, 60_000);
  try {
    await agent.start();
  } catch (e) {
    await Promise.race([agent.stop().catch(() => undefined), delay(STOP_AFTER_FAILED_START_MS)]);
    throw e;
  } finally {
    clearInterval(hold);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function checkJournalDir(journal: string): void {
  if (journal === ':memory:' || existsSync(dirname(journal))) return;
  throw termError('TERM_JOURNAL_OPEN', 'the directory of the journal does not exist', { path: journal });
}
