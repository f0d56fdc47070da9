import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allRegistries } from '../../core/errors.js';
import { renderErrorsDoc } from '../../scripts/errors-doc.js';

describe('docs/ERRORS.md', () => {
  it('lists every registered code and is current (regenerate with npx tsx scripts/errors-doc.ts)', async () => {
    const doc = await renderErrorsDoc();
    const codes = [...allRegistries().values()].flatMap((r) => Object.keys(r));
    expect(codes.length).toBeGreaterThan(50);
    for (const code of codes) expect(doc).toContain(`\`${code}\``);
    expect(readFileSync(new URL('../../docs/ERRORS.md', import.meta.url), 'utf8')).toBe(doc);
  });

  it('gives every code a meaning and an operator action', () => {
    for (const [area, specs] of allRegistries()) {
      for (const [code, spec] of Object.entries(specs)) {
        expect(spec.meaning.length, `${area} ${code}`).toBeGreaterThan(5);
        expect(spec.action.length, `${area} ${code}`).toBeGreaterThan(3);
      }
    }
  });
});
