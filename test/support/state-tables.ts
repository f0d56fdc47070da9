/**
 * Holding a module's documented state machines equal to its code: the
 * `| from | to |` table of a markdown section and a kit StateMachine, both
 * as `{ from: sorted next states }` ('(new)' for the initial states).
 */
import { expect } from 'vitest';
import type { StateMachine } from '../../center/kit/transitions.js';

/** The markdown from the line `headingLine` (e.g. `## Card state machine`) to the next `## ` heading. */
export function markdownSection(text: string, headingLine: string): string {
  const start = text.indexOf(`\n${headingLine}\n`);
  expect(start, headingLine).toBeGreaterThanOrEqual(0);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The first `| from | to |` table of the text; `—` is no next state. */
export function fromToTable(text: string): Record<string, string[]> {
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

/** The code's machine in the same shape. */
export function codeTable(m: StateMachine<string>): Record<string, string[]> {
  const out: Record<string, string[]> = { '(new)': [...m.initial].sort() };
  for (const s of m.states) out[s] = [...m.next[s]!].sort();
  return out;
}
