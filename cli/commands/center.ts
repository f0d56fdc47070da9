import type { Command } from 'commander';

/**
 * `tessera center --config <file.json>`: runs a center node until SIGTERM or
 * SIGINT. Prints one JSON line when ready: `{"listening":<port>,"mode":…,"engine":…}`
 * (plus `"emoney":true` when the config has an `emoney` section: the seed-004
 * module runs). The modules are center/modules.ts. `--check` reads
 * what a start reads before it opens the database (config, master key, TLS
 * files, each module's secret files, the database's directory) and exits. Errors exit 1 with
 * their code (CENTER_CONFIG_INVALID, CENTER_KEY_FILE, CENTER_*_FILE, STORE_*, …).
 */
export function registerCenter(program: Command): void {
  program
    .command('center')
    .description('run a center node (validity checking with early ack, transactions)')
    .requiredOption('-c, --config <file>', 'center config (JSON; see center/server/config.ts)')
    .option('--check', 'check the config, the key and secret files and the database directory, then exit')
    .action(async (opts: { config: string; check?: boolean }) => {
      // The center's code is loaded when this command runs, not when any tessera command starts.
      const { runCenter } = await import('./center-run.js');
      await runCenter(opts);
    });
}
