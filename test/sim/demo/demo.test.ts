/**
 * `tessera demo` end to end, as a user runs it: the CLI in its own process
 * (its own pcscd, banks, center and fleet on the real driver stacks), a
 * small fleet of users. The summary must pass and agree with the seeded
 * plan (the e-money scene, then the voucher scene, then the settlement-password scene, then the prepaid-medium scene); SIGTERM mid-run shuts everything down; after a SIGKILLed run the
 * next one ends the pcscd it left and starts from scratch; nothing secret
 * reaches the output.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../core/random.js';
import { castSecrets, makeCast } from '../../../sim/demo/cast.js';
import { allSteps, makePlan } from '../../../sim/demo/itinerary.js';
import { helpersOf } from '../../../sim/demo/run-dir.js';
import type { DemoSummary } from '../../../sim/demo/summary.js';
import { makeVoucherPlan } from '../../../sim/demo/vouchers/plan.js';
import { scratchPanels } from '../../../sim/demo/vouchers/scene.js';
import { tesseraCommand } from '../../../sim/world/node-command.js';
import { PhoneStore } from '../../../sim/phone/store.js';
import { DirRemovableStore } from '../../../terminal/devices/files/dir-removable-store.js';
import { readFileSync } from 'node:fs';

const root = mkdtempSync(join(tmpdir(), 'tessera-demo-'));
const SEED = 20_260_601;
const USERS = 2;

/** The first test's run, for the run-again test. */
let firstRun: { runDir: string; summary: DemoSummary } | undefined;

afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tessera demo` in one node process (signals reach the demo itself; compiled, see sim/world/node-command.ts). */
function demo(args: string[], onLine?: (line: string, child: ReturnType<typeof spawn>) => void): Promise<Exit> {
  const { command, args: argv } = tesseraCommand(['demo', '--state-dir', root, ...args]);
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    const text = b.toString('utf8');
    stdout += text;
    for (const line of text.split('\n')) if (line) onLine?.(line, child);
  });
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

function resultOf(out: Exit): { ok: boolean; runDir: string; failures: string[]; shutdown: string[]; summary: DemoSummary } {
  const last = out.stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last) as ReturnType<typeof resultOf>;
}

function plan() {
  const random = new SeededRandom(SEED);
  return makePlan(makeCast(SEED, USERS, random), random);
}

describe('tessera demo', () => {
  it('runs the whole world, passes every check and agrees with its seeded plan', async () => {
    const first = await demo(['--users', String(USERS), '--seed', String(SEED), '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const r = resultOf(first);
    expect(r.ok).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.shutdown).toEqual([]);
    const s = r.summary;
    for (const c of s.checks) expect(c.ok, c.name).toBe(true);
    expect(s.audits.map((a) => a.ledger)).toEqual(['center', 'bank 0001', 'bank 0002']);
    expect(s.audits.every((a) => a.ok && a.transfers > 0)).toBe(true);

    // What happened is what the seed planned.
    const steps = allSteps(plan());
    const approved = (kind: string) => steps.filter((x) => x.kind === kind && x.expect === 'approved');
    expect(s.charges.approved).toBe(USERS);
    expect(s.charges.approvedMinor).toBe(approved('charge').reduce((t, x) => t + x.amountMinor, 0));
    expect(s.charges.declined).toEqual({ BANK_WRONG_PIN: 1, BANK_INSUFFICIENT_FUNDS: 1 });
    expect(s.purchases.approved).toBe(approved('purchase').length);
    expect(s.purchases.amountMinor).toBe(approved('purchase').reduce((t, x) => t + x.amountMinor, 0));
    expect(s.purchases.declined).toEqual({ TERM_BALANCE_INSUFFICIENT: 1 });
    expect(s.settlements).toMatchObject({ settled: 3, records: s.purchases.approved, amountMinor: s.purchases.amountMinor, failed: 0 });
    // Goods scanned at the till (serial scanner on a socat pty) paid as planned; every shop's receipt read back from its medium.
    expect(s.purchases.scanned).toBe(steps.filter((x) => x.kind === 'purchase' && x.items !== undefined && x.expect === 'approved').length);
    expect(s.purchases.scanned).toBeGreaterThan(0);
    expect(s.receipts).toEqual({ written: 3, totalMinor: s.settlements.amountMinor, unreadable: 0 });
    expect(first.stdout).toMatch(/^ {2}receipts {5}3 written to media, [0-9,]+ JPY in all$/m);
    expect(first.stdout).toMatch(/SHOP-A1 +purchase +user1 +[1-3] scanned +[0-9,]+ JPY +ok/);

    // The books: the provider's net position is its bank balance; money is conserved.
    for (const b of s.banks) expect(b.providerNetMinor).toBe(b.providerBalanceMinor);
    expect(s.banks.reduce((t, b) => t + b.providerBalanceMinor, 0)).toBe(s.floatMinor);
    expect(s.money.after.totalMinor).toBe(s.money.before.totalMinor);
    expect(s.money.after.shopsBankMinor).toBe(s.purchases.amountMinor);
    expect(s.money.after.unsettledMinor).toBe(0);

    // The voucher scene after it: the seeded plan's sales at the two tills (each card's barcode read off the
    // printed sheet), payments at the web shop with one card and with two, the planned refusal of a card
    // nobody bought, the books (conservation, the HQ's daily file = the center's, the voucher audit).
    const vp = makeVoucherPlan(SEED);
    const v = s.vouchers!;
    expect(v).toBeDefined();
    expect(v.printed).toBe(vp.count);
    expect(v.sales).toMatchObject({ approved: vp.sales.length, amountMinor: vp.sales.length * vp.denomination, failed: 0 });
    expect(v.sales.byTill).toEqual({ 'POS-N1': 2, 'POS-N2': 2 });
    expect(v.orders).toMatchObject({ paid: 3, multiCard: 2, refused: { VOUCHER_PIN_REFUSED: 1 }, failed: 0 });
    expect(v.shipped).toBe(1);
    expect(v.storesTookMinor).toBe(v.onCardsMinor + v.heldMinor + v.redeemedMinor);
    expect(v.redeemedMinor).toBe(v.orders.amountMinor);
    expect(v.cards['issued']).toMatchObject({ count: vp.count - vp.sales.length, balanceMinor: 0 });
    expect(v.hqDays.length).toBeGreaterThan(0);
    expect(v.hqDays.every((d) => d.agrees)).toBe(true);
    expect(v.hqDays.reduce((t, d) => t + d.netFaceMinor, 0)).toBe(v.storesTookMinor);
    expect(v.audit.ok).toBe(true);
    expect(first.stdout).toMatch(/POS-N[12] +sale +card +\d+ +…\d{4} +[0-9,]+ JPY +ok/);
    expect(first.stdout).toMatch(/webshop +order +thief .*REFUSED VOUCHER_PIN_REFUSED \(planned refusal\)/);

    // The settlement-password scene: ordered at the credit company (bank debit, the TTP's issuer API), delivered by SMS
    // (SMPP receipt) and by e-mail (SMTP) to the phones, paid online (code) and at the store's password-pos till (the
    // device-signed QR decoded from the phone's image, typed by its pty scanner), one expired and refunded to the customer;
    // value issued = outstanding + captured + returned; the passwords audit. No code or token in the output.
    const p = s.passwords!;
    expect(p).toBeDefined();
    expect(p).toMatchObject({ ordered: 3, delivered: { sms: 2, email: 1 }, paidOnlineMinor: 2_000, paidInStoreMinor: 1_800, issuedMinor: 6_500, returnedMinor: 1_500, capturedMinor: 3_800, outstandingMinor: 1_200 });
    expect(p.audit.ok).toBe(true);
    expect(first.stdout).toMatch(/Chie +received +password [0-9a-f]{8}… by SMS \(SMPP, DELIVRD receipt\)/);
    expect(first.stdout).toMatch(/credit +order +Ben +2,000 JPY paid from the bank account; TTP issued [0-9a-f]{8}…, its e-mail queued in the same unit +ok/);
    expect(first.stdout).toMatch(/POS-PW1 +password +Aiko's phone showed a device-signed QR, the till's scanner read it +1,800 JPY captured, 1,200 JPY left +ok/);
    expect(first.stdout).toMatch(/TTP +expiry +Chie's password [0-9a-f]{8}… expired unused: 1,500 JPY back to the credit company \(refunded\), refunded to Chie's bank account +ok/);
    const phoneCodes = ['aiko', 'ben', 'chie'].flatMap((n) =>
      new PhoneStore(join(r.runDir, 'passwords', `phone-${n}`)).messages.flatMap((m) => [m.code, m.token]).filter((x): x is string => x !== null),
    );
    expect(phoneCodes.length).toBeGreaterThanOrEqual(3);
    for (const secret of phoneCodes) expect(first.stdout).not.toContain(secret);
    expect(first.stdout).not.toMatch(/TPW1:/);

    // The prepaid-medium scene (seed 000): two media issued at the kiosk (the prepaid-issuer role: notes through its ccTalk validator
    // on a pty, PREPAID_ISSUE, booked to its cash box = its journal's, generation 1 written by the role), Aki's balance, a shareware registration from the
    // vendor (signed receipt and licence key stored on her medium) and the provider's fee at her PC through the provider
    // center; Ben's rewrite torn (the mirror slot kept generation 1) and resumed, paid once; a copy of Aki's medium used after
    // the original refused and the medium frozen; value paid in = balances + vendor + provider; the prepaid audit.
    const pp = s.prepaid!;
    expect(pp).toBeDefined();
    expect(pp).toMatchObject({ issued: 2, registrations: 1, tornRecovered: true, cloneFrozen: true, paidInMinor: 8_000, cashBoxMinor: 8_000, kioskJournalMinor: 8_000, balancesMinor: 6_200, vendorMinor: 1_700, providerFeeMinor: 100 });
    expect(pp.audit.ok).toBe(true);
    expect(s.checks.filter((c) => c.name.startsWith('prepaid:')).map((c) => c.ok)).toEqual([true, true, true, true]);
    expect(first.stdout).toMatch(/prepaid +Ben +[0-9a-f]{8} issued at the kiosk, paid in 3,000 JPY \(3 notes, slot prepaid-a\.tspm; prepaid-issuer, ccTalk validator\); balance 3,000 JPY gen 1/);
    expect(first.stdout).toMatch(/prepaid +Aki +[0-9a-f]{8} shareware registration 1,200 JPY, receipt and licence [A-Z0-9]{5}… stored on the medium; balance 3,800 JPY gen 2/);
    expect(first.stdout).toMatch(/prepaid +Ben +[0-9a-f]{8} pays 500 JPY: the rewrite tears; the mirror slot keeps generation 1/);
    expect(first.stdout).toMatch(/prepaid +Ben +[0-9a-f]{8} PC resumes the same request 500 JPY; balance 2,500 JPY gen 2$/m);
    expect(first.stdout).toMatch(/prepaid +copy of Aki's +[0-9a-f]{8} medium used after the original: PREPAID_CLONE_REFUSED, medium frozen/);
    const akiMedium = new DirRemovableStore({ mountDir: join(r.runDir, 'prepaid', 'medium-aki') });
    const licence = (await akiMedium.readFile('licence-sw-editor.txt')).toString('utf8').trim();
    await akiMedium.close();
    expect(licence.length).toBeGreaterThan(5);
    expect(first.stdout).not.toContain(licence);
    expect(first.stdout).not.toContain(readFileSync(join(r.runDir, 'prepaid', 'prepaid-master.key'), 'utf8').trim());

    // Nothing the demo started outlives it; no PIN or security code was printed (nor a voucher PIN: read off the sheet).
    expect(helpersOf(r.runDir)).toEqual([]);
    for (const secret of castSecrets(plan().cast)) expect(first.stdout).not.toMatch(new RegExp(`\\b${secret}\\b`));
    const pins = await scratchPanels(join(r.runDir, 'vouchers', 'sheet.pdf'));
    expect(pins).toHaveLength(vp.count);
    for (const pin of pins) expect(first.stdout).not.toContain(pin);

    firstRun = { runDir: r.runDir, summary: s };
  }, 150_000);

  it('shuts everything down and exits 143 on SIGTERM mid-run', async () => {
    let runDir = '';
    let sent = false;
    const out = await demo(['--users', '6', '--seed', '7'], (line, child) => {
      const m = /run (\/\S+)$/.exec(line);
      if (m) runDir = m[1]!;
      if (!sent && /\bcharge\b.*\bok\b/.test(line)) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    expect(sent).toBe(true);
    expect(out.code).toBe(143);
    expect(out.stderr).toContain('DEMO_INTERRUPTED');
    expect(out.stdout).not.toContain('PASS');
    expect(runDir).not.toBe('');
    expect(helpersOf(runDir)).toEqual([]);
  }, 120_000);

  it('after a run killed with SIGKILL, the next run ends its leftover pcscd, starts from scratch and passes', async () => {
    let killedDir = '';
    let leftovers: number[] = [];
    const killed = await demo(['--users', '6', '--seed', '9'], (line, child) => {
      const m = /run (\/\S+)$/.exec(line);
      if (m) killedDir = m[1]!;
      if (leftovers.length === 0 && /\bcharge\b.*\bok\b/.test(line)) {
        leftovers = helpersOf(killedDir);
        child.kill('SIGKILL');
      }
    });
    expect(killed.code).toBeNull();
    expect(leftovers.length).toBeGreaterThan(0); // its pcscd (no chance to stop it)
    await new Promise((r) => setTimeout(r, 200));
    expect(helpersOf(killedDir)).toEqual(leftovers);

    const again = await demo(['--users', String(USERS), '--seed', String(SEED), '--json']);
    // On a failure the message carries the run's failed checks and error lines (a flake seen once in CI, exit 3).
    const why = again.code === 0 ? '' : `${again.stdout}\n${again.stderr}`.split('\n').filter((l) => /FAIL|DEMO_|TERM_|DEV_|error/i.test(l)).slice(0, 40).join('\n');
    expect(again.code, why).toBe(0);
    expect(again.stdout).toContain(`ended ${leftovers.length} leftover processes`);
    expect(helpersOf(killedDir)).toEqual([]);
    const r = resultOf(again);
    expect(r.ok).toBe(true);
    // A fresh run directory and fresh banks: the same money before, the same story as the first run.
    expect(firstRun).toBeDefined();
    expect(r.runDir).not.toBe(firstRun!.runDir);
    expect(existsSync(firstRun!.runDir)).toBe(true);
    expect(r.summary.money.before).toEqual(firstRun!.summary.money.before);
    expect(r.summary.charges).toEqual(firstRun!.summary.charges);
    expect(r.summary.purchases).toEqual(firstRun!.summary.purchases);
  }, 180_000); // two demo runs, the second with both scenes

  it('refuses a bad option with a coded error', async () => {
    const out = await demo(['--users', '1']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('DEMO_BAD_OPTION');
  }, 60_000);
});
