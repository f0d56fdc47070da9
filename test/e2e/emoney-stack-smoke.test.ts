import { afterAll, beforeAll, expect, it } from 'vitest';
import { openEmoneyStack, type EmoneyStack } from './support/emoney-stack.js';

let s: EmoneyStack;
beforeAll(async () => {
  s = await openEmoneyStack({ readers: 2 });
});
afterAll(async () => s?.close());

it('harness: charge a card through the center, agent starts, money conserved', async () => {
  const m0 = (await s.moneyInWorld()).total;
  await s.issueCard('e000000000000001');
  await s.chargeCard('e000000000000001', 3_000);
  expect(s.cardBalance('e000000000000001')).toBe(3_000);
  const t = await s.startAgent({ terminalId: 'POS-1', role: 'validity-pos' });
  expect(t.agent.context.callbackPort).toBeGreaterThan(0);
  await s.stopCenter();
  await s.startCenter();
  await s.crashCenter();
  expect((await s.moneyInWorld()).total).toBe(m0);
  expect(await s.audits()).toEqual({ center: true, bankA: true, bankB: true });
});
