import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { systemClock } from '../../core/clock.js';
import { createLogger } from '../../core/log.js';
import { applyControlLine } from '../../terminal/agent/control-lines.js';
import { createAgent } from '../../terminal/agent/create-agent.js';
import { ScriptedKeypad } from '../../terminal/agent/keypad.js';
import { builtinRoles } from '../../terminal/agent/roles/builtin.js';
import { readTerminalKey } from '../../terminal/config/key-file.js';
import { loadTerminalConfig } from '../../terminal/config/load.js';
import { untilSignal } from '../until-signal.js';

/**
 * `tessera terminal --config <file.json>`: runs a terminal agent until
 * SIGTERM/SIGINT. stdout: one JSON line when ready
 * (`{"ready":true,"terminalId":…,"role":…,"callbackPort":…}`), then one per
 * finished flow (`{"outcome":{…}}`). stdin (optional): control lines,
 * `keypad <prompt> <value>` and `command <name> [json]`. `--check` validates
 * the config and the key file and exits. Errors exit 1 with their code
 * (TERM_CONFIG_INVALID, TERM_KEY_FILE, TERM_UNKNOWN_ROLE, DEV_READER_NOT_FOUND, …).
 */
export function registerTerminal(program: Command): void {
  program
    .command('terminal')
    .description('run a terminal agent (card reader, link to the center, durable journal)')
    .requiredOption('-c, --config <file>', 'terminal config (JSON; see terminal/config/schema.ts)')
    .option('--check', 'validate the config and the key file, then exit')
    .action(async (opts: { config: string; check?: boolean }) => {
      const config = loadTerminalConfig(opts.config);
      readTerminalKey(config.keyFile);
      const roles = builtinRoles();
      if (opts.check) {
        process.stdout.write(`${JSON.stringify({ ok: true, terminalId: config.terminalId, role: config.role, roleAvailable: roles.has(config.role) })}\n`);
        return;
      }
      const keypad = new ScriptedKeypad(systemClock);
      const agent = createAgent(config, { log: createLogger('terminal'), keypad, roles });
      agent.on('outcome', (o) => process.stdout.write(`${JSON.stringify({ outcome: o })}\n`));
      await agent.start();
      process.stdout.write(`${JSON.stringify({ ready: true, terminalId: config.terminalId, role: config.role, callbackPort: agent.context.callbackPort })}\n`);
      const lines = createInterface({ input: process.stdin });
      lines.on('line', (line) => void applyControlLine(line, agent, keypad).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`)));
      await untilSignal();
      lines.close();
      await agent.stop();
    });
}
