import type { Command } from 'commander';

/**
 * `tessera provider`: the provider center of seed 000 (center/provider).
 * - `serve --config F`: runs it until SIGTERM/SIGINT: the HTTPS front the PCs
 *   reach (TLS 1.3), its own record, the link to the prepaid center as a
 *   registered terminal. stdout: one JSON line when ready,
 *   `{"ready":true,"providerId":…,"url":…,"port":…,"spkiPin":…}`. `--check` reads the secret files and exits.
 * - `keygen --out DIR`: a self-signed P-256 certificate for the HTTPS front
 *   (`provider-tls.key` 0600, `provider-tls.pem`) by openssl, and its SPKI pin.
 */
export function registerProvider(program: Command): void {
  const provider = program.command('provider').description('the provider center (seed 000 prepaid media): the PCs reach it over HTTPS, it relays to the prepaid center');
  provider.command('serve')
    .description('run the provider center')
    .requiredOption('-c, --config <file>', 'provider config (JSON; center/provider/config-schema.ts)')
    .option('--check', 'check the config and the secret files, then exit')
    .action(async (opts: { config: string; check?: boolean }) => {
      const { serveProvider } = await import('./provider-run.js');
      await serveProvider(opts);
    });
  provider.command('keygen')
    .description('write a self-signed TLS key pair for the HTTPS front and print its SPKI pin')
    .requiredOption('--out <dir>', 'directory for provider-tls.key and provider-tls.pem')
    .option('--host <name>', 'the host name the PCs use', 'localhost')
    .action(async (opts: { out: string; host: string }) => {
      const { keygenProvider } = await import('./provider-run.js');
      keygenProvider(opts);
    });
}
