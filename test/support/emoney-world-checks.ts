/**
 * What must hold after every e-money world test, on either engine: money is
 * conserved, the center's and the banks' ledger audits pass, and the
 * provider's books agree with the banks (its net position at each bank is
 * its balance there).
 */
import { expect } from 'vitest';
import { auditLedger } from '../../center/ledger/audit.js';
import { EMONEY_AUDIT } from '../../center/emoney/audit-check.js';
import { emoneyReport } from '../../center/emoney/reports.js';
import { WORLD } from '../../sim/world/accounts.js';
import { moneyInWorld, type EmoneyWorld as World } from '../../sim/world/emoney-world.js';

export async function expectWorldConsistent(w: World, money0: number): Promise<void> {
  expect(await moneyInWorld(w)).toBe(money0);
  const audit = await auditLedger(w.storage, [EMONEY_AUDIT]);
  expect(audit.checks.filter((c) => !c.ok)).toEqual([]);
  expect(audit.checks.map((c) => c.name)).toContain('e-money float equals e-money outstanding (issued - settled)');
  for (const b of [w.banks.a, w.banks.b]) expect((await auditLedger(b.storage)).ok).toBe(true);
  const report = await emoneyReport(w.storage);
  expect(report.banks.find((b) => b.bankCode === '0001')!.providerNetMinor).toBe(await w.banks.a.balance(WORLD.providerA.ref));
  expect(report.banks.find((b) => b.bankCode === '0002')!.providerNetMinor).toBe(await w.banks.b.balance(WORLD.providerB.ref));
}
