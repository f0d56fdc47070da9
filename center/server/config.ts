import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { CENTER_LIMITS } from '../limits.js';
import { assert } from '../../core/assert.js';

/**
 * `tessera center --config <file.json>`: the core's fields, and one section
 * per module under the module's key (`validity`, `emoney`, …), composed by
 * {@link centerConfigSchema} from the module list (center/modules.ts). Every
 * core field has a default but the key file, so
 * `{ "terminalKeys": { "masterKeyFile": "..." } }` is a whole config: SQLite
 * in ./tessera-center.db, listening on 127.0.0.1:7700, no TLS, no admin API
 * (and each module's defaults: validity in cached mode, configuration 1).
 */
export const coreConfigSchema = z.object({
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the terminal protocol listener binds.'),
        port: z.number().int().min(0).max(65_535).default(7_700).describe('TCP port of the terminal protocol listener; 0 picks a free port.'),
        maxConnections: z
          .number()
          .int()
          .min(1)
          .max(CENTER_LIMITS.listenConnectionsMaxMax)
          .default(PROTOCOL_LIMITS.connectionsMaxDefault)
          .describe('Authenticated terminal sessions served at once; connections still in the handshake have their own smaller cap (PROTOCOL.md §8).'),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 7_700, maxConnections: PROTOCOL_LIMITS.connectionsMaxDefault })
      .describe('Where terminals connect (the framed, MAC\'d terminal protocol).'),
    db: z.string().min(1).default('./tessera-center.db').describe('SQLite file path (default engine) or postgres://… URL (several center nodes).'),
    terminalKeys: z
      .object({
        masterKeyFile: z.string().min(1).describe('Path of the terminal master key file, mode 0600; the key itself is never in the config.'),
      })
      .strict()
      .describe("Terminal keys are derived from this master key and each terminal's keyRef."),
    tls: z
      .object({
        certFile: z.string().min(1).describe('Path of the PEM certificate of the terminal listener.'),
        keyFile: z.string().min(1).describe('Path of the PEM private key of the terminal listener, mode 0600.'),
      })
      .strict()
      .optional()
      .describe('TLS on the terminal listener; plain TCP when absent.'),
    admin: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the operator HTTP API binds.'),
        port: z.number().int().min(0).max(65_535).describe('TCP port of the operator HTTP API; 0 picks a free port.'),
        tls: z
          .object({
            certFile: z.string().min(1).describe('Path of the PEM certificate of the admin listener.'),
            keyFile: z.string().min(1).describe('Path of the PEM private key of the admin listener, mode 0600.'),
          })
          .strict()
          .optional()
          .describe('HTTPS for operators at their desks; without it the admin API listens only on loopback.'),
      })
      .strict()
      .optional()
      .describe('The operator HTTP API (loopback by default): media/terminal admin, ledger; off when absent.'),
});

export type CoreCenterConfig = z.infer<typeof coreConfigSchema>;

/**
 * What the config needs of a module (center/server/module.ts's CenterModule
 * has these fields; declared here so config and module do not import each other).
 */
export interface ConfiguredModule<S = unknown> {
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any section's schema
  readonly config?: { readonly key: string; readonly schema: z.ZodType<S, any> };
}
type AnyCenterModule = ConfiguredModule<any>;

/** A parsed config: the core's fields and each module's section under its key (read a section with {@link sectionOf}). */
export type CenterConfig = CoreCenterConfig & { readonly [moduleKey: string]: unknown };
export type CenterConfigInput = z.input<typeof coreConfigSchema> & { readonly [moduleKey: string]: unknown };

/** The whole schema: the core's fields and each module's section; strict (an unknown key is an error). */
export function centerConfigSchema(modules: readonly AnyCenterModule[]): z.ZodType<CenterConfig, unknown> {
  const sections: Record<string, z.ZodType> = {};
  for (const m of modules) {
    if (!m.config) continue;
    assert(!(m.config.key in coreConfigSchema.shape) && !(m.config.key in sections), `config key ${m.config.key} taken twice`);
    sections[m.config.key] = m.config.schema as z.ZodType;
  }
  return coreConfigSchema.extend(sections).strict() as unknown as z.ZodType<CenterConfig, unknown>;
}

/** A module's parsed section of a config (undefined when the module has no section or the config lacks it). */
export function sectionOf<S>(config: CenterConfig, module: ConfiguredModule<S>): S {
  return (module.config ? config[module.config.key] : undefined) as S;
}

/** Validates a config object; CENTER_CONFIG_INVALID lists every bad field by path. */
export function parseCenterConfig(input: unknown, modules: readonly AnyCenterModule[]): CenterConfig {
  const r = centerConfigSchema(modules).safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new TesseraError('CENTER_CONFIG_INVALID', problems.join('; '), { problems });
}

/** Reads and validates a JSON config file. */
export function loadCenterConfig(path: string, modules: readonly AnyCenterModule[]): CenterConfig {
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
    return parseCenterConfig(json, modules);
  } catch (e) {
    // The same error, naming the file the bad fields are in.
    if (e instanceof TesseraError) throw new TesseraError(e.code, e.message.slice(e.code.length + 2), { path, ...e.details });
    throw e;
  }
}
