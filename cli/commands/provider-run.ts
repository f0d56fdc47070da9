import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProviderConfig } from '../../center/provider/config-schema.js';
import { readProviderSecrets, spkiPinOf, startProvider } from '../../center/provider/server.js';
import { systemClock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { systemRandom } from '../../core/random.js';
import { untilSignal } from '../until-signal.js';

export async function serveProvider(opts: { config: string; check?: boolean }): Promise<void> {
  const config = loadProviderConfig(opts.config);
  if (opts.check) {
    const s = readProviderSecrets(config);
    s.terminalKey.fill(0);
    process.stdout.write(`${JSON.stringify({ ok: true, providerId: config.providerId, spkiPin: spkiPinOf(s.tls.cert) })}\n`);
    return;
  }
  const log = createLogger('provider');
  const server = await startProvider(config, { clock: systemClock, random: systemRandom, log });
  process.stdout.write(`${JSON.stringify({ ready: true, providerId: config.providerId, url: server.url, port: server.port, spkiPin: server.spkiPin })}\n`);
  await untilSignal();
  await server.close();
}

export function keygenProvider(opts: { out: string; host: string }): void {
  const key = join(opts.out, 'provider-tls.key');
  const cert = join(opts.out, 'provider-tls.pem');
  for (const p of [key, cert]) if (existsSync(p)) throw new TesseraError('PROVIDER_TLS_FILE', 'the file exists already (keygen never writes over a key)', { path: p });
  if (!/^[A-Za-z0-9.-]{1,253}$/.test(opts.host)) throw new TesseraError('PROVIDER_CONFIG_INVALID', 'host: a DNS name', { path: '--host' });
  const umask = process.umask(0o077); // the private key is never readable by others, not even for a moment
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '825', '-subj', `/CN=${opts.host}`,
      '-addext', `subjectAltName=DNS:${opts.host}`, '-keyout', key, '-out', cert], { stdio: 'ignore', env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
  } catch (e) {
    throw new TesseraError('PROVIDER_TLS_FILE', 'openssl could not make the key pair (is openssl installed?)', { path: opts.out }, { cause: e });
  } finally {
    process.umask(umask);
  }
  chmodSync(key, 0o600);
  chmodSync(cert, 0o644);
  process.stdout.write(`${JSON.stringify({ ok: true, key, cert, spkiPin: spkiPinOf(readFileSync(cert)) })}\n`);
}
