import type { Command } from 'commander';
import { createLogger } from '../../core/log.js';
import { readEmoneySecrets, startEmoneyCenter } from '../../center/emoney/from-config.js';
import { loadCenterConfig } from '../../center/server/config.js';
import { createCenter } from '../../center/server/create-center.js';
import { untilSignal } from '../until-signal.js';

/**
 * `tessera center --config <file.json>`: runs a center node until SIGTERM or
 * SIGINT. Prints one JSON line when ready: `{"listening":<port>,"mode":…,"engine":…}`
 * (plus `"emoney":true` when the config has an `emoney` section: the seed-004
 * flow, relay and sweep, center/emoney/from-config.ts). `--check` validates the
 * config (and reads the e-money secret files) and exits. Errors exit 1 with
 * their code (CENTER_CONFIG_INVALID, CENTER_KEY_FILE, CENTER_*_FILE, STORE_*, …).
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
        if (config.emoney) readEmoneySecrets(config.emoney);
        process.stdout.write(`${JSON.stringify({ ok: true, config })}\n`);
        return;
      }
      const log = createLogger('center');
      const withEmoney = config.emoney ? await startEmoneyCenter(config, config.emoney, { log }) : null;
      const center = withEmoney?.center ?? (await createCenter(config, { log }));
      const ready = {
        listening: center.address.port,
        mode: config.validity.mode,
        engine: center.storage.engine,
        ...(center.admin && { admin: center.admin.port }),
        ...(withEmoney && { emoney: true }),
      };
      process.stdout.write(`${JSON.stringify(ready)}\n`);
      await untilSignal();
      await (withEmoney ? withEmoney.close() : center.close());
    });
}
