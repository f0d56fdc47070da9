import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Field names whose values are never logged. Keys, PINs and secrets are
 * redacted by name wherever they appear (two levels deep); code should not
 * pass them to a logger in the first place, this is the safety net.
 */
export const REDACTED_FIELDS = [
  'pin',
  'newPin',
  'key',
  'keys',
  'secret',
  'password',
  'masterKey',
  'terminalKey',
  'sessionKey',
  'macKey',
  'encKey',
  'authKey',
  'securityCode',
  'systemPassword',
] as const;

const redactPaths = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

export function createLogger(name: string, options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const level = process.env['TESSERA_LOG_LEVEL'] ?? (process.env['VITEST'] ? 'silent' : 'info');
  const opts: LoggerOptions = { name, level, redact: { paths: redactPaths, censor: '[redacted]' }, ...options };
  return destination ? pino(opts, destination) : pino(opts);
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = pino({ level: 'silent' });
