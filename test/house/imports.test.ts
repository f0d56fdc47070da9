/**
 * House rules on the import graph (issue 10): the terminal and the center
 * are separate programs that share core/ and protocol/, so neither imports
 * the other (not even through a third file), and no file reaches itself
 * through its imports anywhere in the tree (tests and tools included).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { crossings, cycles, importGraph, reaches } from './import-graph.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('the house import graph', () => {
  const g = importGraph(REPO);

  it('reads the whole tree (a scan that finds nothing proves nothing)', () => {
    expect(g.size).toBeGreaterThan(300);
    expect(g.get('terminal/agent/agent.ts')).toContain('terminal/agent/card-session.ts');
    expect(g.get('center/emoney/issue.ts')).toContain('center/emoney/answer.ts'); // an `import type` counts
  });

  it('has no import from center/ into terminal/ and none from terminal/ into center/, directly or through another file', () => {
    expect(crossings(g, 'terminal', 'center')).toEqual([]);
    expect(crossings(g, 'center', 'terminal')).toEqual([]);
    expect(reaches(g, 'terminal', 'center')).toEqual([]);
    expect(reaches(g, 'center', 'terminal')).toEqual([]);
  });

  it('has no import circle', () => {
    expect(cycles(g)).toEqual([]);
  });
});

describe('the import-graph scan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-imports-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (path: string, text: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  file('center/a.ts', "import type { B } from './b.js';\nexport const a = 1;\n");
  file('center/b.ts', "export { a } from './a.js';\nexport type B = number;\n");
  file('center/c.ts', "import { x } from '../terminal/x.js';\nexport const c = x;\n");
  file('terminal/x.ts', "// import { c } from '../center/c.js';\nconst s = \"import '../center/c.js'\";\nexport const x = s;\n");
  file('terminal/y.ts', "export const y = () => import('./z.js');\n");
  file('terminal/z.ts', "import { y } from './y.js';\nimport { p } from '../core/p.js';\nexport const z = y;\n");
  file('core/p.ts', "import { a } from '../center/a.js';\nexport const p = a;\n");
  const g = importGraph(dir);

  it('finds a circle made by a type import and a re-export, and one made by a dynamic import', () => {
    expect(cycles(g).sort()).toEqual(['center/a.ts → center/b.ts → center/a.ts (2 files)', 'terminal/y.ts → terminal/z.ts → terminal/y.ts (2 files)']);
  });

  it('finds a direct crossing, and one through a third file; an import in a comment or a string is none', () => {
    expect(crossings(g, 'center', 'terminal')).toEqual(['center/c.ts → terminal/x.ts']);
    expect(crossings(g, 'terminal', 'center')).toEqual([]);
    expect(reaches(g, 'terminal', 'center').sort()).toEqual(['terminal/y.ts → terminal/z.ts → core/p.ts → center/a.ts', 'terminal/z.ts → core/p.ts → center/a.ts']);
  });
});
