#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { formatOperatorError, TesseraError } from '../core/errors.js';
import { registerAdmin } from './commands/admin.js';
import { registerAudit } from './commands/audit.js';
import { registerBank } from './commands/bank.js';
import { registerClient } from './commands/client.js';
import { registerCenter } from './commands/center.js';
import { registerCredit } from './commands/credit.js';
import { registerDemo } from './commands/demo.js';
import { registerHq } from './commands/hq.js';
import { registerKeys } from './commands/keys.js';
import { registerMerchant } from './commands/merchant.js';
import { registerMessaging } from './commands/messaging.js';
import { registerOperator } from './commands/operator.js';
import { registerProvider } from './commands/provider.js';
import { registerPrepaid } from './commands/prepaid.js';
import { registerReport } from './commands/report.js';
import { registerSim } from './commands/sim.js';
import { registerTerminal } from './commands/terminal.js';
import { registerVoucher } from './commands/voucher.js';
import { registerVoucherPrint } from './commands/voucher-print.js';
import { registerVendor } from './commands/vendor.js';
import { registerWebshop } from './commands/webshop.js';
import './registries.js';

/** Exit code of a bad command line (commander's own errors, an unknown command). */
const BAD_ARGUMENT_EXIT_CODE = 2;
/** After a failure is printed, how long handles may still keep the process alive. */
const EXIT_GRACE_MS = 3_000;

const program = new Command('tessera')
  .description('Tessera: card terminals and the center they talk to')
  .version(packageVersion(), '-V, --version', 'print the version of tessera')
  .exitOverride()
  // Set before the commands are added, so every subcommand inherits it: commander's messages get a code.
  .configureOutput({ outputError: (text, write) => write(`tessera: CLI_BAD_ARGUMENT: ${text.replace(/^error: /, '')}`) })
  .showHelpAfterError('(run with --help for the options)');

registerCenter(program);
registerTerminal(program);
registerSim(program);
registerAudit(program);
registerKeys(program);
registerReport(program);
registerDemo(program);
registerBank(program);
registerMerchant(program);
registerOperator(program);
registerAdmin(program);
registerVoucher(program);
registerHq(program);
registerMessaging(program);
registerWebshop(program);
registerCredit(program);
registerProvider(program);
registerClient(program);
registerVendor(program);
registerPrepaid(program);
// After every other command: `voucher print` joins the `voucher` command when another file made it.
registerVoucherPrint(program);

try {
  refuseUnknownCommand(program, process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version exit 0; a bad argument exits 2 with commander's message (coded by outputError).
    process.exitCode = e.exitCode === 0 ? 0 : BAD_ARGUMENT_EXIT_CODE;
  } else {
    process.stderr.write(`tessera: ${formatOperatorError(e, 'CLI_INTERNAL')}\n`);
    // A failed command must end: if a handle it opened keeps node alive, exit anyway.
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
    process.exitCode = e instanceof TesseraError && (e.code === 'CLI_UNKNOWN_COMMAND' || e.code === 'CLI_BAD_ARGUMENT') ? BAD_ARGUMENT_EXIT_CODE : 1;
  }
}

/**
 * `tessera <unknown> --help` would print the general help and exit 0
 * (commander handles --help before it looks at the command name): an
 * unknown first word is refused here, whatever follows it.
 */
function refuseUnknownCommand(root: Command, args: readonly string[]): void {
  const first = args[0];
  if (first === undefined || first.startsWith('-') || first === 'help') return;
  const known = root.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (!known.includes(first)) {
    throw new TesseraError('CLI_UNKNOWN_COMMAND', `unknown command '${first}' (commands: ${known.join(', ')})`, { command: first });
  }
}

/** The version in package.json (next to cli/ when run from source, two levels up when built into dist/). */
function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tessera' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}
