import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONFIG_DOC_COMMAND, CONFIG_DOC_PATH, configFieldRows, configSchemasForDocs, renderConfigDoc } from '../../scripts/config-doc.js';

describe('docs/CONFIG.md', () => {
  it('is current (regenerate with npx tsx scripts/config-doc.ts)', () => {
    const doc = renderConfigDoc();
    let onDisk = '';
    try {
      onDisk = readFileSync(CONFIG_DOC_PATH, 'utf8');
    } catch {
      // missing: stale
    }
    expect(onDisk, `docs/CONFIG.md is stale: run ${CONFIG_DOC_COMMAND}`).toBe(doc);
  });

  it('documents the center, terminal and bank host configs with types, defaults and bounds', () => {
    const titles = configSchemasForDocs().map((s) => s.title);
    expect(titles).toEqual(['Center', 'Terminal', 'Bank host (simulator)', 'Web shop (simulator)', 'Provider center (seed 000)', 'Credit company (simulator, seed 003)', 'Software vendor (simulator, seed 000)', 'SMSC (simulator, seed 003)', 'Mailbox (simulator, seed 003)', 'Phone (simulator, seed 003)']);
    const doc = renderConfigDoc();
    expect(doc).toContain('| `listen.port` | integer | `7700` | 0 … 65535 |');
    expect(doc).toContain('| `validity.mode` | "direct" \\| "cached" \\| "cached-medium" \\| "cached-terminal" | `"cached"` |');
    expect(doc).toContain('| `emoney.providerAccounts[].securityCodeFile` | string | **required** |');
    expect(doc).toContain('| `link.requestTimeoutMs` | integer | `5000` | 1 … 60000 |');
    expect(doc).toContain('| `accounts[].pinFile` | string | **required** |');
  });

  it('gives every field of every config a description (.describe() in the schema)', () => {
    for (const s of configSchemasForDocs()) {
      const rows = configFieldRows(s.schema);
      expect(rows.length, s.title).toBeGreaterThan(5);
      const undescribed = rows.filter((r) => r.description.trim().length < 5).map((r) => r.path);
      expect(undescribed, `${s.title}: add .describe() to these fields`).toEqual([]);
    }
  });

  it('lists every field of every config (each leaf accepted by the schema appears)', () => {
    for (const s of configSchemasForDocs()) {
      const paths = new Set(configFieldRows(s.schema).map((r) => r.path));
      for (const p of zodPaths(s.schema, '')) expect(paths.has(p), `${s.title}: ${p}`).toBe(true);
    }
  });

  it('documents secrets as file paths only: no key, PIN, code or password field holds a value, none has a default', () => {
    const secretWords = new Set(['key', 'pin', 'secret', 'password', 'token', 'security', 'passphrase']);
    const words = (path: string): string[] => (path.split('.').pop() ?? '').split(/(?=[A-Z])/).map((w) => w.toLowerCase());
    let seen = 0;
    for (const s of configSchemasForDocs()) {
      // A public key (a phone app's Ed25519 key the credit company registers) is not a secret.
      for (const r of configFieldRows(s.schema).filter((x) => !x.section && words(x.path).some((w) => secretWords.has(w)) && !/\bpublic key\b/i.test(x.description))) {
        seen++;
        expect(r.path, 'a secret is named by a file path field (…File)').toMatch(/File$/);
        expect(r.defaultJson, r.path).toBeUndefined();
        expect(r.description, r.path).toMatch(/0600/);
      }
    }
    expect(seen).toBeGreaterThanOrEqual(5);
  });
});

/** Field paths found by walking the zod schema itself (independent of the JSON Schema the page is made from). */
function zodPaths(schema: z.ZodType, prefix: string): string[] {
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType> } } })._zod.def;
  if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') return zodPaths(def.innerType!, prefix);
  if (def.type === 'pipe') return zodPaths(def.in!, prefix);
  if (def.type === 'array') return zodPaths(def.element!, `${prefix}[]`);
  if (def.type === 'object') {
    return Object.entries(def.shape!).flatMap(([k, v]) => {
      const p = `${prefix === '' ? '' : prefix.endsWith('[]') ? `${prefix}.` : `${prefix}.`}${k}`;
      return [p, ...zodPaths(v, p)];
    });
  }
  return [];
}
