import type { Command } from 'commander';

/**
 * `tessera hq`: the store headquarters of seed 002 (center/hq).
 * - `serve --config F`: runs the HQ until SIGTERM/SIGINT: startCenter with the
 *   validity and hq modules on the HQ's own database; its tills connect to it
 *   over the terminal protocol. stdout: one JSON line when ready,
 *   `{"ready":true,"hqId":…,"listening":<port>}`. `--check` reads the key files and exits.
 * - `settle --config F --day YYYY-MM-DD`: builds the HQ's daily file from its
 *   journal, fetches the center's, compares them line by line and by control
 *   totals, and books the day's payment; HQ_FILE_MISMATCH (exit 1) lists the differing lines.
 * - `keygen --out DIR`: writes the HQ's Ed25519 key pair, `hq-signing.key`
 *   (0600, PKCS#8 PEM) and `hq-signing.pub` (SPKI PEM, for the settlement center); never over a file.
 */
export function registerHq(program: Command): void {
  const hq = program.command('hq').description('the store headquarters (seed 002 vouchers): tills connect to it, it forwards sales to the settlement center');
  hq.command('serve')
    .description('run the HQ: its tills\' voucher sales journalled and forwarded over the signed link')
    .requiredOption('-c, --config <file>', 'HQ config (JSON: the center config\'s core fields, validity, and the hq section; center/hq/config-schema.ts)')
    .option('--check', 'check the config and the key files, then exit')
    .action(async (opts: { config: string; check?: boolean }) => {
      const { serveHq } = await import('./hq-run.js');
      await serveHq(opts);
    });
  hq.command('settle')
    .description('reconcile a business day\'s file with the settlement center and book its payment')
    .requiredOption('-c, --config <file>', 'HQ config')
    .requiredOption('--day <day>', 'business day, YYYY-MM-DD')
    .action(async (opts: { config: string; day: string }) => {
      const { settleHq } = await import('./hq-run.js');
      await settleHq(opts);
    });
  hq.command('keygen')
    .description('write the HQ\'s Ed25519 signing key pair (private key 0600)')
    .requiredOption('--out <dir>', 'directory for hq-signing.key and hq-signing.pub')
    .action(async (opts: { out: string }) => {
      const { keygenHq } = await import('./hq-run.js');
      keygenHq(opts);
    });
}
