/**
 * The charge and settlement-batch state machines are written twice: as the
 * tables every state UPDATE is checked against (charge-row.ts, batch-row.ts)
 * and in center/emoney/README.md for readers. This test holds them equal:
 * each README section's "from | to" table lists exactly the code's
 * transitions, and its diagram names every state.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BATCH_STATES } from '../../../center/emoney/batch-row.js';
import { CHARGE_STATES } from '../../../center/emoney/charge-row.js';
import type { StateMachine } from '../../../center/kit/transitions.js';

const readme = readFileSync(new URL('../../../center/emoney/README.md', import.meta.url), 'utf8');

function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The `| from | to |` table of a section: from (or '(new)') → sorted next states. */
function readmeTable(text: string): Record<string, string[]> {
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

describe('e-money state machines: README.md and the code\'s tables', () => {
  it.each([
    ['Charge state machine', CHARGE_STATES],
    ['Settlement batch state machine', BATCH_STATES],
  ] as const)('%s: the README table is the code table, and the diagram names every state', (heading, machine) => {
    const text = section(heading);
    expect(readmeTable(text)).toEqual(codeTable(machine as StateMachine<string>));
    const diagram = /```\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    for (const s of machine.states) expect(diagram, `${heading} diagram names ${s}`).toMatch(new RegExp(`\\b${s}\\b`));
  });
});
