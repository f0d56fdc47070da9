import { generateKeyPairSync } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { systemRandom } from '../../core/random.js';
import type { HqSection } from '../../center/hq/config-schema.js';
import { settleDay } from '../../center/hq/daily-file.js';
import { HQ_MODULE, hqModule, linkOf, readHqKey } from '../../center/hq/module.js';
import { hqMigrations } from '../../center/hq/schema.js';
import { loadCenterConfig, sectionOf } from '../../center/server/config.js';
import { readTls, startCenter } from '../../center/server/start-center.js';
import { readMasterKey } from '../../center/server/terminal-keys.js';
import { openStorage } from '../../center/storage/open.js';
import { validityModule } from '../../center/validity/module.js';
import { untilSignal } from '../until-signal.js';

/** What `tessera hq serve` runs: the terminal list (validity) and the HQ. */
export function hqModules() {
  return [validityModule(), hqModule()] as const;
}

function hqSection(config: ReturnType<typeof loadCenterConfig>): HqSection {
  const section = sectionOf<HqSection | undefined>(config, hqModule());
  if (!section) throw new TesseraError('HQ_CONFIG_INVALID', 'the config has no hq section', { path: 'hq' });
  return section;
}

export async function serveHq(opts: { config: string; check?: boolean }): Promise<void> {
  const modules = hqModules();
  const config = loadCenterConfig(opts.config, modules);
  const section = hqSection(config);
  if (opts.check) {
    readMasterKey(config.terminalKeys.masterKeyFile).fill(0);
    if (config.tls) readTls(config.tls);
    readHqKey(section.center.keyFile);
    process.stdout.write(`${JSON.stringify({ ok: true, hqId: section.hqId })}\n`);
    return;
  }
  const log = createLogger('hq');
  const center = await startCenter(config, modules, { log });
  process.stdout.write(`${JSON.stringify({ ready: true, hqId: section.hqId, listening: center.address.port, modules: center.modules, ...(center.admin && { admin: center.admin.port }) })}\n`);
  await untilSignal();
  await center.close();
}

export async function settleHq(opts: { config: string; day: string }): Promise<void> {
  const config = loadCenterConfig(opts.config, hqModules());
  const section = hqSection(config);
  const link = linkOf(section, { clock: systemClock, random: systemRandom });
  const storage = await openStorage(config.db, { clock: systemClock, log: createLogger('hq') });
  try {
    await storage.migrate(hqMigrations);
    const r = await storage.read((q) => settleDay({ q, section, link, day: opts.day }));
    const f = r.file;
    process.stdout.write(`${JSON.stringify({ settled: true, hqId: section.hqId, day: r.day, paidMinor: r.paidMinor, activations: f.activations, voids: f.voids, netFaceMinor: f.netFaceMinor, commissionMinor: f.commissionMinor, lines: f.lines.length })}\n`);
  } finally {
    await storage.close();
  }
}

export function keygenHq(opts: { out: string }): void {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeNew(join(opts.out, 'hq-signing.key'), privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 0o600);
  writeNew(join(opts.out, 'hq-signing.pub'), publicKey.export({ format: 'pem', type: 'spki' }) as string, 0o644);
  process.stdout.write(`${JSON.stringify({ ok: true, privateKey: join(opts.out, 'hq-signing.key'), publicKey: join(opts.out, 'hq-signing.pub') })}\n`);
}

/** Created with its mode (never over an existing file). */
function writeNew(path: string, text: string, mode: number): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', mode);
  } catch (e) {
    throw new TesseraError('HQ_KEY_FILE', 'cannot create the key file (it exists, or the directory is not writable)', { path }, { cause: e });
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export { HQ_MODULE };
