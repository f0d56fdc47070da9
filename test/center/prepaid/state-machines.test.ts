/**
 * The prepaid medium and generation state machines are written as the
 * tables every state UPDATE is checked against (center/prepaid/rows.ts) and
 * in center/prepaid/README.md and docs/PREPAID.md for readers. This test
 * holds them equal.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StateMachine } from '../../../center/kit/transitions.js';
import { GENERATION_STATES, MEDIUM_STATES } from '../../../center/prepaid/rows.js';

const readme = readFileSync(new URL('../../../center/prepaid/README.md', import.meta.url), 'utf8');
const design = readFileSync(new URL('../../../docs/PREPAID.md', import.meta.url), 'utf8');

function section(text: string, heading: string): string {
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

function docTable(text: string): Record<string, string[]> {
  const lines = text.split('\n');
  const head = lines.findIndex((l) => /^\| from \| to \|$/.test(l.trim()));
  expect(head, 'a | from | to | table').toBeGreaterThanOrEqual(0);
  const out: Record<string, string[]> = {};
  for (const l of lines.slice(head + 2)) {
    if (!l.startsWith('|')) break;
    const [from, to] = l.split('|').slice(1, 3).map((c) => c.trim());
    out[from!] = to === '—' ? [] : to!.split(',').map((s) => s.trim()).sort();
  }
  return out;
}

function codeTable(m: StateMachine<string>): Record<string, string[]> {
  const out: Record<string, string[]> = { '(new)': [...m.initial].sort() };
  for (const s of m.states) out[s] = [...m.next[s]!].sort();
  return out;
}

describe('prepaid state machines: code and docs agree', () => {
  it('medium: README and docs/PREPAID.md list exactly the transitions of MEDIUM_STATES, diagrams name every state', () => {
    const s = section(readme, '## Medium state machine');
    expect(docTable(s)).toEqual(codeTable(MEDIUM_STATES));
    const d = section(design, '## The rotation state machine (two-phase)');
    expect(docTable(d)).toEqual(codeTable(MEDIUM_STATES));
    for (const state of MEDIUM_STATES.states) {
      expect(s, state).toContain(state);
      expect(d, state).toContain(state);
    }
  });

  it('generation: README lists exactly the transitions of GENERATION_STATES', () => {
    expect(docTable(section(readme, '## Generation state machine'))).toEqual(codeTable(GENERATION_STATES));
  });

  it('docs/PREPAID.md names each of the seed\'s steps S31-S43 with the code that does it', () => {
    for (const step of ['S31', 'S33', 'S35', 'S37', 'S41', 'S43']) expect(design).toMatch(new RegExp(`\\| ${step} \\|`));
  });
});
