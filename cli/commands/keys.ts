import type { Command } from 'commander';
import { provisionTerminalKey } from '../../center/server/provision-key.js';

/**
 * `tessera keys terminal --master <file> --key-ref <ref> --out <file> [--force]`:
 * provisions a terminal's key file from the center's master key. Prints
 * `{"written":"<path>"}`, never the key.
 */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('key provisioning');
  keys
    .command('terminal')
    .description("write a terminal's key file (derived from the center master key and the terminal's keyRef)")
    .requiredOption('--master <file>', 'the center master key file (terminalKeys.masterKeyFile)')
    .requiredOption('--key-ref <ref>', "the terminal's keyRef as registered at the center")
    .requiredOption('--out <file>', 'where to write the key file (mode 0600)')
    .option('--force', 'replace an existing key file')
    .action(async (o: { master: string; keyRef: string; out: string; force?: boolean }) => {
      const { outFile } = await provisionTerminalKey({ masterKeyFile: o.master, keyRef: o.keyRef, outFile: o.out, force: o.force === true });
      process.stdout.write(`${JSON.stringify({ written: outFile })}\n`);
    });
}
