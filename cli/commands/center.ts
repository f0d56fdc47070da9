import type { Command } from 'commander';
import { createLogger } from '../../core/log.js';
import { loadCenterConfig } from '../../center/server/config.js';
import { createCenter } from '../../center/server/create-center.js';

/**
 * `tessera center --config <file.json>`: runs a center node until SIGTERM or
 * SIGINT. Prints one JSON line when ready: `{"listening":<port>,"mode":…,"engine":…}`.
 * `--check` validates the config and exits. Errors exit 1 with their code
 * (CENTER_CONFIG_INVALID, CENTER_KEY_FILE, STORE_*, CENTER_LISTEN_FAILED, …).
 */
export function registerCenter(program: Command): void {
  program
    .command('center')
    .description('run a center node (validity checking with early ack, transactions)')
    .requiredOption('-c, --config <file>', 'center config (JSON; see center/server/config.ts)')
    .option('--check', 'validate the config and exit')
    .action(async (opts: { config: string; check?: boolean }) => {
      const config = loadCenterConfig(opts.config);
      if (opts.check) {
        process.stdout.write(`${JSON.stringify({ ok: true, config })}\n`);
        return;
      }
      const log = createLogger('center');
      const center = await createCenter(config, { log });
      const ready = {
        listening: center.address.port,
        mode: config.validity.mode,
        engine: center.storage.engine,
        ...(center.admin && { admin: center.admin.port }),
      };
      process.stdout.write(`${JSON.stringify(ready)}\n`);
      await untilSignal();
      await center.close();
    });
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
}
