/**
 * The password and redemption state machines are written twice: as the
 * tables every state UPDATE is checked against (records.ts) and in
 * center/passwords/README.md for readers. This test holds them equal.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StateMachine } from '../../../center/kit/transitions.js';
import { PASSWORD_STATES, REDEMPTION_STATES } from '../../../center/passwords/records.js';

const readme = readFileSync(new URL('../../../center/passwords/README.md', import.meta.url), 'utf8');

function table(heading: string): Record<string, string[]> {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const lines = readme.slice(start).split('\n');
  const head = lines.findIndex((l) => /^\| from \| to \|$/.test(l.trim()));
  const out: Record<string, string[]> = {};
  for (const l of lines.slice(head + 2)) {
    if (!l.startsWith('|')) break;
    const [from, to] = l.split('|').slice(1, 3).map((c) => c.trim());
    out[from!] = to === '—' ? [] : to!.split(',').map((s) => s.trim()).sort();
  }
  return out;
}

function code(m: StateMachine<string>): Record<string, string[]> {
  const out: Record<string, string[]> = { '(new)': [...m.initial].sort() };
  for (const s of m.states) out[s] = [...m.next[s]!].sort();
  return out;
}

describe('center/passwords/README.md', () => {
  it('lists exactly the code\'s password and redemption transitions', () => {
    expect(table('Password states')).toEqual(code(PASSWORD_STATES));
    expect(table('Redemption states')).toEqual(code(REDEMPTION_STATES));
  });
});
