/**
 * Generates docs/CONFIG.md, the config reference of every program that reads
 * a JSON config file, from their zod schemas: field path, type, default,
 * bounds and the description given with `.describe()` / `.meta()` next to the
 * field. `npx tsx scripts/config-doc.ts` writes it; `--check` exits 1 when the
 * file on disk is stale (the test suite runs the same comparison).
 *
 * Secrets are never in a config (keys, PINs and security codes live in 0600
 * files the config names), so the page documents file paths only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { CENTER_MODULES } from '../center/modules.js';
import { centerConfigSchema } from '../center/server/config.js';
import { terminalConfigSchema } from '../terminal/config/schema.js';
import { bankServeConfigSchema } from '../sim/bank/serve-config.js';
import { webshopConfigSchema } from '../sim/webshop/config.js';
import { creditConfigSchema } from '../sim/credit/config.js';
import { vendorConfigSchema } from '../sim/vendor/config.js';
import { providerConfigSchema } from '../center/provider/config-schema.js';
import { smscConfigSchema } from '../sim/smsc/serve.js';
import { mailboxConfigSchema } from '../sim/mailbox/serve.js';
import { phoneConfigSchema } from '../sim/phone/config.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CONFIG_DOC_PATH = join(root, 'docs', 'CONFIG.md');
export const CONFIG_DOC_COMMAND = 'npx tsx scripts/config-doc.ts';

export interface ConfigDocSection {
  /** Heading on the page. */
  readonly title: string;
  /** The command that reads this config. */
  readonly command: string;
  /** Where the schema lives (repository-relative). */
  readonly source: string;
  readonly schema: z.ZodType;
}

/**
 * The schemas the page documents, in page order. The one place to change
 * when a config is composed differently (e.g. the center's config assembled
 * from its modules' sections): point `schema` at the composed schema.
 */
export function configSchemasForDocs(): readonly ConfigDocSection[] {
  return [
    {
      title: 'Center',
      command: 'tessera center --config <file.json>',
      source: 'center/server/config.ts (`centerConfigSchema(CENTER_MODULES)`: the core fields and each module\'s section, center/modules.ts)',
      schema: centerConfigSchema(CENTER_MODULES),
    },
    {
      title: 'Terminal',
      command: 'tessera terminal --config <file.json>',
      source: 'terminal/config/schema.ts (`terminalConfigSchema`)',
      schema: terminalConfigSchema,
    },
    {
      title: 'Bank host (simulator)',
      command: 'tessera bank serve --config <file.json>',
      source: 'sim/bank/serve-config.ts (`bankServeConfigSchema`)',
      schema: bankServeConfigSchema,
    },
    {
      title: 'Web shop (simulator)',
      command: 'tessera webshop serve --config <file.json>',
      source: 'sim/webshop/config.ts (`webshopConfigSchema`)',
      schema: webshopConfigSchema,
    },
    {
      title: 'Provider center (seed 000)',
      command: 'tessera provider serve --config <file.json>',
      source: 'center/provider/config-schema.ts (`providerConfigSchema`)',
      schema: providerConfigSchema,
    },
    {
      title: 'Credit company (simulator, seed 003)',
      command: 'tessera credit serve --config <file.json>',
      source: 'sim/credit/config.ts (`creditConfigSchema`)',
      schema: creditConfigSchema,
    },
    {
      title: 'Software vendor (simulator, seed 000)',
      command: 'tessera vendor serve --config <file.json>',
      source: 'sim/vendor/config.ts (`vendorConfigSchema`)',
      schema: vendorConfigSchema,
    },
    {
      title: 'SMSC (simulator, seed 003)',
      command: 'tessera smsc serve --config <file.json>',
      source: 'sim/smsc/serve.ts (`smscConfigSchema`)',
      schema: smscConfigSchema,
    },
    {
      title: 'Mailbox (simulator, seed 003)',
      command: 'tessera mailbox serve --config <file.json>',
      source: 'sim/mailbox/serve.ts (`mailboxConfigSchema`)',
      schema: mailboxConfigSchema,
    },
    {
      title: 'Phone (simulator, seed 003)',
      command: 'tessera phone serve --config <file.json>',
      source: 'sim/phone/config.ts (`phoneConfigSchema`)',
      schema: phoneConfigSchema,
    },
  ];
}

/** One documented field: a leaf, or a section (object / array of objects) whose fields follow it. */
export interface ConfigFieldRow {
  /** Dotted path as written in the file; `[]` marks each element of an array. */
  readonly path: string;
  readonly type: string;
  /** JSON of the default, when the field has one. */
  readonly defaultJson: string | undefined;
  /** True when the field must be given (in its parent, when the parent is given). */
  readonly required: boolean;
  readonly bounds: string;
  readonly description: string;
  readonly section: boolean;
}

type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

/** Every field of one config schema, depth first in declaration order. */
export function configFieldRows(schema: z.ZodType): ConfigFieldRow[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
  const rows: ConfigFieldRow[] = [];
  walkObject(json, '', rows);
  return rows;
}

function walkObject(obj: JsonSchema, prefix: string, rows: ConfigFieldRow[]): void {
  const required = new Set(obj.required ?? []);
  for (const [name, field] of Object.entries(obj.properties ?? {})) {
    const path = prefix + name;
    const nested = nestedObject(field);
    rows.push({
      path,
      type: typeOf(field),
      defaultJson: field.default === undefined ? undefined : JSON.stringify(field.default),
      required: required.has(name),
      bounds: boundsOf(field),
      description: field.description ?? '',
      section: nested !== undefined,
    });
    if (nested) walkObject(nested.schema, `${path}${nested.each ? '[]' : ''}.`, rows);
  }
}

/** The object whose fields are documented under this one: itself, or the element of an array. */
function nestedObject(field: JsonSchema): { schema: JsonSchema; each: boolean } | undefined {
  if (field.properties) return { schema: field, each: false };
  if (field.items?.properties) return { schema: field.items, each: true };
  return undefined;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return alternatives.map(typeOf).join(' \\| ');
  const t = Array.isArray(s.type) ? s.type.join(' \\| ') : s.type;
  if (t === 'array') return s.items ? `array of ${typeOf(s.items)}` : 'array';
  if (t === 'object' && !s.properties) return 'object (free-form)';
  return t ?? 'any';
}

function boundsOf(s: JsonSchema): string {
  const parts: string[] = [];
  // zod's int() carries ±MAX_SAFE_INTEGER bounds: every integer has them, so they say nothing.
  // An integer above n is at least n + 1 (zod's positive() is exclusiveMinimum 0).
  const int = s.type === 'integer';
  const min = s.minimum ?? (int && s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : undefined);
  const max = s.maximum ?? (int && s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : undefined);
  const lo = min !== undefined && min > Number.MIN_SAFE_INTEGER ? min : undefined;
  const hi = max !== undefined && max < Number.MAX_SAFE_INTEGER ? max : undefined;
  if (lo !== undefined && hi !== undefined) parts.push(`${num(lo)} … ${num(hi)}`);
  else if (lo !== undefined) parts.push(`≥ ${num(lo)}`);
  else if (hi !== undefined) parts.push(`≤ ${num(hi)}`);
  if (!int && s.exclusiveMinimum !== undefined) parts.push(`> ${num(s.exclusiveMinimum)}`);
  if (!int && s.exclusiveMaximum !== undefined) parts.push(`< ${num(s.exclusiveMaximum)}`);
  parts.push(...range(s.minLength, s.maxLength, 'chars'));
  parts.push(...range(s.minItems, s.maxItems, 'items'));
  if (s.pattern !== undefined) parts.push(`matches \`${s.pattern}\``);
  return parts.join(', ');
}

function range(min: number | undefined, max: number | undefined, unit: string): string[] {
  if (min === 1 && max === undefined) return [unit === 'chars' ? 'non-empty' : `≥ 1 ${unit.replace(/s$/, '')}`];
  const lo = min !== undefined && min > 0 ? min : undefined;
  if (lo !== undefined && max !== undefined) return [lo === max ? `${num(lo)} ${unit}` : `${num(lo)} … ${num(max)} ${unit}`];
  if (lo !== undefined) return [`≥ ${num(lo)} ${unit}`];
  if (max !== undefined) return [`≤ ${num(max)} ${unit}`];
  return [];
}

function num(n: number): string {
  return String(n);
}

function cell(s: string): string {
  return s.replace(/\n/g, ' ').replace(/(?<!\\)\|/g, '\\|');
}

function defaultCell(r: ConfigFieldRow): string {
  if (r.defaultJson !== undefined) {
    if (r.section && r.type === 'object') return "each field's default";
    return `\`${r.defaultJson}\``;
  }
  return r.required ? '**required**' : 'optional';
}

export function renderConfigDoc(sections: readonly ConfigDocSection[] = configSchemasForDocs()): string {
  const lines = [
    '# Config reference',
    '',
    `Generated by \`${CONFIG_DOC_COMMAND}\` from the zod schemas (each field's`,
    'description is its `.describe()` in the schema); a test fails when this page is stale.',
    '',
    'Configs are JSON files. Unknown fields are refused; every bad field is reported by path',
    'in one coded error. A field marked **required** must be given when its section is;',
    '*optional* means absent is allowed (the description says what absent means); a section',
    'whose default is "each field\'s default" may be left out. `a.b[].c` is field `c` of every',
    'element of array `a.b`.',
    '',
    'Keys, PINs and security codes are never in a config: the config names a file holding',
    'each (mode 0600), and this page documents only those paths.',
    '',
  ];
  for (const s of sections) {
    lines.push(`## ${s.title}`, '', `\`${s.command}\` — schema: ${s.source}.`, '');
    lines.push('| field | type | default | bounds | description |', '|---|---|---|---|---|');
    for (const r of configFieldRows(s.schema)) {
      const field = r.section ? `**\`${r.path}\`**` : `\`${r.path}\``;
      lines.push(`| ${field} | ${r.type} | ${defaultCell(r)} | ${cell(r.bounds)} | ${cell(r.description)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const doc = renderConfigDoc();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(CONFIG_DOC_PATH, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== doc) {
      process.stderr.write(`docs/CONFIG.md is stale: run ${CONFIG_DOC_COMMAND}\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(CONFIG_DOC_PATH, doc);
  }
}
