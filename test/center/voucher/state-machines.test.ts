/**
 * The voucher state machines are written twice: the tables every state
 * UPDATE is checked against (center/voucher/rows.ts) and the README's
 * `from | to` tables. This test holds them equal and checks each diagram
 * names every state.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StateMachine } from '../../../center/kit/transitions.js';
import { codeTable, fromToTable as readmeTable, markdownSection } from '../../support/state-tables.js';
import { ACTIVATION_STATES, CARD_STATES, REDEMPTION_STATES } from '../../../center/voucher/rows.js';
import { PAYOUT_STATES } from '../../../center/voucher/payouts.js';

const readme = readFileSync(new URL('../../../center/voucher/README.md', import.meta.url), 'utf8');
const section = (heading: string): string => markdownSection(readme, `## ${heading}`);




describe('voucher state machines: README.md and the code\'s tables', () => {
  it.each([
    ['Card state machine', CARD_STATES, true],
    ['Redemption state machine', REDEMPTION_STATES, true],
    ['Activation state machine', ACTIVATION_STATES, false],
    ['Shop payouts (`payouts.ts`)', PAYOUT_STATES, false],
  ] as const)('%s: the README table is the code table', (heading, machine, diagram) => {
    const text = section(heading);
    expect(readmeTable(text)).toEqual(codeTable(machine as StateMachine<string>));
    if (!diagram) return;
    const d = /```\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    for (const s of machine.states) expect(d, `${heading} diagram names ${s}`).toContain(s);
  });
});
