/**
 * The end of the prepaid-medium scene: what happened (the scene's events),
 * what the prepaid center's books say for the scene's media (balances, the
 * vendor's and the provider's receipts from the usage records, still
 * payable: the demo runs no payout), the frozen copy, and the ledger audit
 * with the prepaid checks. Value paid in at the kiosk = the media's
 * balances + the vendor's receipts + the provider's fees. Every failed
 * check names its DEMO_ code.
 */
import { auditLedger } from '../../../center/ledger/audit.js';
import { PREPAID_AUDIT } from '../../../center/prepaid/audit-check.js';
import type { Storage } from '../../../center/storage/types.js';
import type { Check } from '../check.js';
import { formatMinor, formatSeconds } from '../progress.js';
import type { PrepaidEvent, PrepaidSceneRun } from './scene.js';
import { PREPAID_KIOSK } from './setup.js';

export interface PrepaidSummary {
  readonly issued: number;
  readonly paidInMinor: number;
  /** The notes in the kiosk's cash box (the cash module's account). */
  readonly cashBoxMinor: number;
  /** The notes in the kiosk's cash box by the kiosk's own journal (stacked at its validator). */
  readonly kioskJournalMinor: number;
  readonly balancesMinor: number;
  readonly vendorMinor: number;
  readonly providerFeeMinor: number;
  readonly registrations: number;
  readonly tornRecovered: boolean;
  readonly cloneFrozen: boolean;
  readonly audit: { ok: boolean; accounts: number; transfers: number; failed: string[] };
  readonly checks: Check[];
}

export async function summarizePrepaid(run: PrepaidSceneRun, o: { storage: Storage }): Promise<PrepaidSummary> {
  const e = run.events;
  const ids = JSON.stringify(run.mediumIds);
  const n = (x: unknown): number => Number(x ?? 0);
  const books = await o.storage.read(async (q) => ({
    media: await q.get<{ balance: number }>('SELECT COALESCE(SUM(balance), 0) AS balance FROM prepaid_media WHERE id IN (SELECT value FROM json_each(?))', [ids]),
    usage: await q.all<{ kind: string; amount: number }>('SELECT kind, COALESCE(SUM(amount), 0) AS amount FROM prepaid_usage WHERE medium_id IN (SELECT value FROM json_each(?)) GROUP BY kind', [ids]),
    cashBox: await q.get<{ b: number }>('SELECT debits_posted - credits_posted AS b FROM ledger_accounts WHERE id = ?', [`cash-box@${PREPAID_KIOSK}`]),
    cloned: run.clonedMediumId === null ? undefined : await q.get<{ state: string; clones: number }>('SELECT state, (SELECT COUNT(*) FROM prepaid_clones c WHERE c.medium_id = m.id) AS clones FROM prepaid_media m WHERE id = ?', [run.clonedMediumId]),
  }));
  const usage = (kind: string): number => n(books.usage.find((u) => u.kind === kind)?.amount);
  const report = await auditLedger(o.storage, [PREPAID_AUDIT]);
  const audit = { ok: report.checks.every((c) => c.ok), accounts: report.accounts, transfers: report.transfers, failed: report.checks.filter((c) => !c.ok).map((c) => c.name) };
  const s = {
    issued: e.filter((x) => x.kind === 'issue' && x.asExpected).length,
    paidInMinor: run.paidInMinor,
    cashBoxMinor: n(books.cashBox?.b),
    kioskJournalMinor: run.kioskCashBoxMinor,
    balancesMinor: n(books.media?.balance),
    vendorMinor: usage('vendor'),
    providerFeeMinor: usage('provider-fee'),
    registrations: e.filter((x) => x.kind === 'register' && x.asExpected).length,
    tornRecovered: e.some((x) => x.kind === 'torn' && x.asExpected) && e.some((x) => x.kind === 'resume' && x.asExpected),
    cloneFrozen: books.cloned?.state === 'frozen' && n(books.cloned.clones) >= 1,
    audit,
  };
  const checks: Check[] = [
    { code: 'DEMO_UNEXPECTED_OUTCOME', name: 'prepaid: every step ended as planned (media issued at the kiosk, balance, a registration with its signed receipt and licence on the medium, the provider\'s fee, a torn rewrite resumed)', ok: e.length > 0 && e.every((x) => x.asExpected) && s.issued === 2 && s.registrations === 1 && s.tornRecovered },
    {
      code: 'DEMO_MONEY_NOT_CONSERVED',
      name: `prepaid: value paid in ${formatMinor(s.paidInMinor)} (notes in the kiosk's cash box ${formatMinor(s.cashBoxMinor)} at the center, ${formatMinor(s.kioskJournalMinor)} by the kiosk's journal) = media balances ${formatMinor(s.balancesMinor)} + vendor payable ${formatMinor(s.vendorMinor)} + provider fees ${formatMinor(s.providerFeeMinor)}`,
      ok: s.paidInMinor > 0 && usage('issued') === s.paidInMinor && s.cashBoxMinor === s.paidInMinor && s.kioskJournalMinor === s.paidInMinor && s.paidInMinor === s.balancesMinor + s.vendorMinor + s.providerFeeMinor,
    },
    { code: 'DEMO_UNEXPECTED_OUTCOME', name: 'prepaid: the copy used after the original was refused and the medium id frozen (its value kept)', ok: s.cloneFrozen },
    { code: 'DEMO_AUDIT_FAILED', name: 'prepaid: ledger audit of the center with the prepaid checks (Σ prepaid@* = balances held)', ok: audit.ok },
  ];
  return { ...s, checks };
}

export function prepaidSummaryLines(p: PrepaidSummary): string[] {
  return [
    `  prepaid      ${p.issued} media issued at the kiosk ${formatMinor(p.paidInMinor)} paid in notes (cash box ${formatMinor(p.cashBoxMinor)}, kiosk journal ${formatMinor(p.kioskJournalMinor)}); ${p.registrations} registration with licence; torn rewrite ${p.tornRecovered ? 'recovered' : 'NOT recovered'}; clone ${p.cloneFrozen ? 'frozen' : 'NOT frozen'}`,
    `  prepaid books paid in ${formatMinor(p.paidInMinor)} = balances ${formatMinor(p.balancesMinor)} + vendor ${formatMinor(p.vendorMinor)} + provider ${formatMinor(p.providerFeeMinor)}; audit ${p.audit.ok ? 'ok' : `FAILED (${p.audit.failed.join(', ')})`} (${p.audit.accounts} accounts, ${p.audit.transfers} transfers)`,
  ];
}

/** One progress line per scene step (no key, proof or licence in full). */
export function prepaidEventLine(e: PrepaidEvent): string {
  const mark = e.asExpected ? '' : '  ✗ unexpected';
  const what = {
    issue: `issued at the kiosk, paid in ${formatMinor(e.amountMinor)} (${e.result}; prepaid-issuer, ccTalk validator)`,
    balance: 'balance at the PC',
    register: `shareware registration ${formatMinor(e.amountMinor)}, receipt and licence ${e.licencePrefix ?? '?'}… stored on the medium`,
    fee: `provider's usage fee ${formatMinor(e.amountMinor)}`,
    torn: `pays ${formatMinor(e.amountMinor)}: the rewrite tears; the mirror slot keeps generation ${e.generation}`,
    resume: `PC resumes the same request ${formatMinor(e.amountMinor)}`,
    clone: `medium used after the original: ${e.code ?? 'accepted'}, medium ${e.result}`,
  }[e.kind];
  return `${formatSeconds(e.atMs).padStart(7)}  prepaid  ${e.who.padEnd(14)} ${e.mediumPrefix} ${what}; balance ${formatMinor(e.balanceMinor)} gen ${e.generation}${e.code && e.kind !== 'clone' && e.kind !== 'torn' ? ` (${e.code})` : ''}${mark}`;
}
