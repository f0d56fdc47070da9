import type { Command } from 'commander';

/**
 * `tessera bank serve --config <file.json>`: one simulated bank host (seed
 * 004) with its own SQLite database and HTTP endpoint, until SIGTERM/SIGINT.
 * stdout: one JSON line when ready, `{"ready":true,"bankCode":…,"host":…,"port":…,"accounts":n}`
 * (plus `metricsPort` when the config has a `metrics` section: /metrics on loopback).
 * `--check` validates the config and reads the PIN files, then exits. Errors
 * exit 1 with their code (BANKHOST_CONFIG_INVALID, BANKHOST_PIN_FILE, STORE_*, …).
 */
export function registerBank(program: Command): void {
  const bank = program.command('bank').description('simulated bank hosts (seed 004), each its own process with its own database');
  bank
    .command('serve')
    .description('run one bank host: open the configured accounts, serve transfers and reversals over HTTP')
    .requiredOption('-c, --config <file>', 'bank config (JSON; see sim/bank/serve-config.ts)')
    .option('--check', 'validate the config and the PIN files, then exit')
    .action(async (opts: { config: string; check?: boolean }) => {
      // Loaded when the command runs, not when any tessera command starts (the CLI's start time).
      const [{ createLogger }, { readAccountPins, serveBankFromConfig }, { loadBankServeConfig }, { untilSignal }] = await Promise.all([
        import('../../core/log.js'),
        import('../../sim/bank/serve.js'),
        import('../../sim/bank/serve-config.js'),
        import('../until-signal.js'),
      ]);
      const config = loadBankServeConfig(opts.config);
      if (opts.check) {
        readAccountPins(config);
        process.stdout.write(`${JSON.stringify({ ok: true, bankCode: config.bankCode, accounts: config.accounts.length })}\n`);
        return;
      }
      const served = await serveBankFromConfig(config, { log: createLogger('bank') });
      const { address, port } = served.address;
      const metricsPort = served.metricsAddress?.port;
      process.stdout.write(`${JSON.stringify({ ready: true, bankCode: config.bankCode, host: address, port, accounts: config.accounts.length, ...(metricsPort !== undefined && { metricsPort }) })}\n`);
      await untilSignal();
      await served.close();
    });
}
