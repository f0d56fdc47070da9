/**
 * The prepaid medium and generation state machines are written as the
 * tables every state UPDATE is checked against (center/prepaid/rows.ts) and
 * in center/prepaid/README.md and docs/PREPAID.md for readers. This test
 * holds them equal.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeTable, fromToTable as docTable, markdownSection as section } from '../../support/state-tables.js';
import { GENERATION_STATES, MEDIUM_STATES } from '../../../center/prepaid/rows.js';

const readme = readFileSync(new URL('../../../center/prepaid/README.md', import.meta.url), 'utf8');
const design = readFileSync(new URL('../../../docs/PREPAID.md', import.meta.url), 'utf8');




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
