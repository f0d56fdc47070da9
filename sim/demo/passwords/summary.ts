/**
 * The end of the settlement-password scene: what happened (the scene's
 * events), what the TTP's books say (the passwords' numbers and the ledger
 * audit with the passwords' checks), and whether value was conserved: the
 * value issued equals what is still outstanding on live passwords (spendable
 * or reserved), plus what shops captured, plus what went back to the credit
 * company. Every failed check names its DEMO_ code.
 */
import { auditLedger } from '../../../center/ledger/audit.js';
import { PASSWORDS_AUDIT } from '../../../center/passwords/audit-check.js';
import type { Storage } from '../../../center/storage/types.js';
import type { Check } from '../check.js';
import { formatMinor } from '../progress.js';
import type { PasswordSceneRun } from './scene.js';

export interface PasswordSummary {
  readonly ordered: number;
  readonly delivered: { sms: number; email: number };
  readonly paidOnlineMinor: number;
  readonly paidInStoreMinor: number;
  readonly issuedMinor: number;
  readonly outstandingMinor: number;
  readonly capturedMinor: number;
  readonly returnedMinor: number;
  readonly audit: { ok: boolean; accounts: number; transfers: number; failed: string[] };
  readonly checks: Check[];
}

export async function summarizePasswords(run: PasswordSceneRun, o: { storage: Storage }): Promise<PasswordSummary> {
  const e = run.events;
  const ids = JSON.stringify(run.serials);
  const books = await o.storage.read((q) =>
    q.get<{ amount: number; outstanding: number; captured: number; returned: number }>(
      'SELECT COALESCE(SUM(amount), 0) AS amount, COALESCE(SUM(remaining + reserved), 0) AS outstanding, COALESCE(SUM(captured), 0) AS captured, COALESCE(SUM(returned), 0) AS returned FROM passwords WHERE id IN (SELECT value FROM json_each(?))',
      [ids],
    ),
  );
  const n = (x: unknown): number => Number(x ?? 0);
  const report = await auditLedger(o.storage, [PASSWORDS_AUDIT]);
  const audit = { ok: report.checks.every((c) => c.ok), accounts: report.accounts, transfers: report.transfers, failed: report.checks.filter((c) => !c.ok).map((c) => c.name) };
  const sum = (kind: string): number => e.filter((x) => x.kind === kind && x.asExpected).reduce((a, x) => a + x.amountMinor, 0);
  const s = {
    ordered: e.filter((x) => x.kind === 'order' && x.asExpected).length,
    delivered: { sms: e.filter((x) => x.kind === 'delivered' && x.asExpected && x.channel === 'sms').length, email: e.filter((x) => x.kind === 'delivered' && x.asExpected && x.channel === 'email').length },
    paidOnlineMinor: sum('pay-online'),
    paidInStoreMinor: sum('pay-store'),
    issuedMinor: run.issuedMinor,
    outstandingMinor: n(books?.outstanding),
    capturedMinor: n(books?.captured),
    returnedMinor: n(books?.returned),
    audit,
  };
  const checks: Check[] = [
    { code: 'DEMO_UNEXPECTED_OUTCOME', name: 'passwords: every step ended as planned (orders, delivery by SMS and by e-mail, the online and the in-store payment, the expiry refunded)', ok: e.length > 0 && e.every((x) => x.asExpected) && s.delivered.sms > 0 && s.delivered.email > 0 },
    {
      code: 'DEMO_MONEY_NOT_CONSERVED',
      name: `passwords: value issued ${formatMinor(s.issuedMinor)} = outstanding ${formatMinor(s.outstandingMinor)} + captured by shops ${formatMinor(s.capturedMinor)} + returned to the credit company ${formatMinor(s.returnedMinor)}`,
      ok: n(books?.amount) === s.issuedMinor && s.issuedMinor === s.outstandingMinor + s.capturedMinor + s.returnedMinor && s.capturedMinor === s.paidOnlineMinor + s.paidInStoreMinor,
    },
    { code: 'DEMO_AUDIT_FAILED', name: 'passwords: ledger audit of the center with the passwords checks (outstanding = the TTP\'s liability)', ok: audit.ok },
  ];
  return { ...s, checks };
}

export function passwordSummaryLines(p: PasswordSummary): string[] {
  return [
    `  passwords    ${p.ordered} ordered ${formatMinor(p.issuedMinor)}, delivered ${p.delivered.sms} by SMS and ${p.delivered.email} by e-mail; paid online ${formatMinor(p.paidOnlineMinor)}, in store ${formatMinor(p.paidInStoreMinor)}`,
    `  password books issued ${formatMinor(p.issuedMinor)} = outstanding ${formatMinor(p.outstandingMinor)} + captured ${formatMinor(p.capturedMinor)} + returned ${formatMinor(p.returnedMinor)}; audit ${p.audit.ok ? 'ok' : `FAILED (${p.audit.failed.join(', ')})`} (${p.audit.accounts} accounts, ${p.audit.transfers} transfers)`,
  ];
}
