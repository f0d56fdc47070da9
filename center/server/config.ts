import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import { emoneySectionSchema } from '../emoney/config-schema.js';
import { ValidityLimits } from '../validity/limits.js';
import { VALIDITY_MODES } from '../validity/types.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { LISTEN_MAX_CONNECTIONS_MAX } from '../limits.js';

/**
 * `tessera center --config <file.json>`. Every field has a default but the
 * key file, so `{ "terminalKeys": { "masterKeyFile": "..." } }` is a whole
 * config: SQLite in ./tessera-center.db, cached mode (configuration 1),
 * listening on 127.0.0.1:7700, no TLS, no admin API.
 */
export const centerConfigSchema = z
  .object({
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(7_700),
        /** Authenticated terminal sessions served at once; connections still in the handshake have their own smaller cap (PROTOCOL.md §8). */
        maxConnections: z.number().int().min(1).max(LISTEN_MAX_CONNECTIONS_MAX).default(PROTOCOL_LIMITS.MAX_CONNECTIONS),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 7_700, maxConnections: PROTOCOL_LIMITS.MAX_CONNECTIONS }),
    /** SQLite file path (default engine) or postgres://… URL (several center nodes). */
    db: z.string().min(1).default('./tessera-center.db'),
    validity: z
      .object({
        mode: z.enum(VALIDITY_MODES).default('cached'),
        refreshIntervalMs: z
          .number()
          .int()
          .min(ValidityLimits.refreshIntervalMsMin)
          .max(ValidityLimits.refreshIntervalMsMax)
          .default(300_000),
        deferredCheckTimeoutMs: z.number().int().min(10).max(60_000).default(ValidityLimits.deferredCheckTimeoutMs),
      })
      .strict()
      .default({ mode: 'cached', refreshIntervalMs: 300_000, deferredCheckTimeoutMs: ValidityLimits.deferredCheckTimeoutMs }),
    /** Terminal keys are derived from this master key and each terminal's keyRef; the key is never in the config. */
    terminalKeys: z.object({ masterKeyFile: z.string().min(1) }).strict(),
    tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).strict().optional(),
    /** The operator HTTP API (loopback by default): media/terminal admin, ledger. */
    admin: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535),
        /** HTTPS for operators at their desks; without it the admin API listens only on loopback. */
        tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).strict().optional(),
      })
      .strict()
      .optional(),
    /** Seed 004 e-money (center/emoney/config-schema.ts): when present the center runs the Emoney flow, the relay and the sweep. */
    emoney: emoneySectionSchema.optional(),
  })
  .strict();

export type CenterConfig = z.infer<typeof centerConfigSchema>;
export type CenterConfigInput = z.input<typeof centerConfigSchema>;

/** Validates a config object; CENTER_CONFIG_INVALID lists every bad field by path. */
export function parseCenterConfig(input: unknown): CenterConfig {
  const r = centerConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new TesseraError('CENTER_CONFIG_INVALID', problems.join('; '), { problems });
}

/** Reads and validates a JSON config file. */
export function loadCenterConfig(path: string): CenterConfig {
  let text: string;
  let json: unknown;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TesseraError('CENTER_CONFIG_UNREADABLE', `cannot read ${path}`, { path }, { cause: e });
  }
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TesseraError('CENTER_CONFIG_UNREADABLE', `${path} is not JSON`, { path }, { cause: e });
  }
  try {
    return parseCenterConfig(json);
  } catch (e) {
    // The same error, naming the file the bad fields are in.
    if (e instanceof TesseraError) throw new TesseraError(e.code, e.message.slice(e.code.length + 2), { path, ...e.details });
    throw e;
  }
}
