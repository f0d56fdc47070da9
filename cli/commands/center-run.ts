import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TesseraError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { EMONEY_MODULE } from '../../center/emoney/module.js';
import { CENTER_MODULES, centerModules } from '../../center/modules.js';
import { MERCHANT_API_MODULE } from '../../center/merchant-api/module.js';
import type { MerchantApi } from '../../center/merchant-api/server.js';
import { CenterMetrics } from '../../center/metrics/center-metrics.js';
import { httpMetricsHook, metricsRoute } from '../../center/metrics/http.js';
import { VALIDITY_MODULE, type ValidityApi } from '../../center/validity/module.js';
import { loadCenterConfig, sectionOf } from '../../center/server/config.js';
import { readTls, startCenter } from '../../center/server/start-center.js';
import { readMasterKey } from '../../center/server/terminal-keys.js';
import { parseStorageTarget } from '../../center/storage/open.js';
import { untilSignal } from '../until-signal.js';

/** The `tessera center` command's work (cli/commands/center.ts registers it). */
export async function runCenter(opts: { config: string; check?: boolean }): Promise<void> {
  const config = loadCenterConfig(opts.config, CENTER_MODULES);
  if (opts.check) {
    // What a start reads before it opens the database: the master key, the TLS files, each module's secret files, the database's directory.
    readMasterKey(config.terminalKeys.masterKeyFile).fill(0);
    if (config.tls) readTls(config.tls);
    for (const m of CENTER_MODULES) if (m.enabled?.(sectionOf(config, m)) ?? true) m.check?.(sectionOf(config, m));
    checkDatabaseDir(config.db);
    process.stdout.write(`${JSON.stringify({ ok: true, config: { ...config, db: withoutPassword(config.db) } })}\n`);
    return;
  }
  const log = createLogger('center');
  // One registry per center; the admin API serves it at /metrics (center/metrics/http.ts).
  const metrics = new CenterMetrics();
  const center = await startCenter(config, centerModules({ metrics }), { log, metrics, adminRoutes: [httpMetricsHook(metrics), metricsRoute(metrics)] });
  const ready = {
    listening: center.address.port,
    mode: center.module<ValidityApi>(VALIDITY_MODULE).mode,
    engine: center.storage.engine,
    ...(center.admin && { admin: center.admin.port }),
    ...(center.modules.includes(EMONEY_MODULE) && { emoney: true }),
    ...(center.modules.includes('voucher') && { voucher: true }),
    ...(center.modules.includes(MERCHANT_API_MODULE) && { merchantApi: center.module<MerchantApi>(MERCHANT_API_MODULE).port }),
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  await untilSignal();
  await center.close();
}

/** A SQLite database is created at start if missing, but its directory must exist. */
function checkDatabaseDir(db: string): void {
  const target = parseStorageTarget(db);
  if (target.engine !== 'sqlite' || target.path === ':memory:' || existsSync(dirname(resolve(target.path)))) return;
  throw new TesseraError('STORE_CANNOT_OPEN', 'the directory of the database does not exist', { path: target.path });
}

/** A postgres:// URL as it may be printed: the password replaced by `***`. */
function withoutPassword(db: string): string {
  if (!/^postgres(ql)?:\/\//.test(db)) return db;
  try {
    const url = new URL(db);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
