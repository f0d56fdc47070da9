#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerBank } from './commands/bank.js';
import { registerCenter } from './commands/center.js';
import { registerDemo } from './commands/demo.js';
import { registerKeys } from './commands/keys.js';
import { registerReport } from './commands/report.js';
import { registerSim } from './commands/sim.js';
import { registerTerminal } from './commands/terminal.js';

const program = new Command('tessera')
  .description('Tessera: card terminals and the center they talk to')
  .exitOverride()
  .showHelpAfterError();

registerCenter(program);
registerTerminal(program);
registerSim(program);
registerAudit(program);
registerKeys(program);
registerReport(program);
registerDemo(program);
registerBank(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version exit 0; a bad argument exits 2 with commander's coded message.
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'INTERNAL';
    process.stderr.write(`tessera: ${code}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
