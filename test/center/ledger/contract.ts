/**
 * The ledger suite, run on every storage engine (sqlite.test.ts, postgres.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { SeededRandom } from '../../../core/random.js';
import { auditLedger } from '../../../center/ledger/audit.js';
import { Ledger } from '../../../center/ledger/ledger.js';
import { CreateAccountResult as AR, CreateTransferResult as TR } from '../../../center/ledger/results.js';
import type { NewAccount, NewTransfer } from '../../../center/ledger/types.js';
import type { Storage } from '../../../center/storage/types.js';

export interface LedgerHarness {
  storage: Storage;
  cleanup(): Promise<void>;
}

let idCounter = 0;
/** A fresh 16-byte transfer id (hex). */
export const tid = (): string => (++idCounter).toString(16).padStart(32, 'a');

const acct = (id: string, extra: Partial<NewAccount> = {}): NewAccount => ({
  id,
  owner: `owner-${id}`,
  kind: 'user_bank',
  currency: 'JPY',
  institution: '0001',
  ...extra,
});

export function ledgerContract(engine: string, make: () => Promise<LedgerHarness>): void {
  describe(`ledger: ${engine}`, () => {
    let h: LedgerHarness;
    let clock: ManualClock;
    let ledger: Ledger;

    const results = async (ts: NewTransfer[], atomic = false): Promise<TR[]> =>
      (await ledger.createTransfers(ts, { atomic })).map((o) => o.result);
    const balance = async (id: string): Promise<[number, number, number, number]> => {
      const [a] = await ledger.lookupAccounts([id]);
      if (!a) throw new Error(`no account ${id}`);
      return [a.debitsPostedMinor, a.creditsPostedMinor, a.debitsPendingMinor, a.creditsPendingMinor];
    };

    beforeEach(async () => {
      h = await make();
      clock = new ManualClock(1_700_000_000_000);
      ledger = await Ledger.open(h.storage, clock);
      const setup = await ledger.createAccounts([
        acct('world', { kind: 'external', institution: null }),
        acct('alice', { flags: { debitsMustNotExceedCredits: true } }),
        acct('bob', { flags: { debitsMustNotExceedCredits: true } }),
        acct('shop', { kind: 'merchant' }),
        acct('cap', { kind: 'suspense', flags: { creditsMustNotExceedDebits: true } }),
        acct('usd', { currency: 'USD' }),
      ]);
      expect(setup.every((o) => o.result === AR.ok)).toBe(true);
      expect(await results([{ id: tid(), debitAccountId: 'world', creditAccountId: 'alice', amountMinor: 10_000, currency: 'JPY' }])).toEqual([TR.ok]);
    });
    afterEach(async () => {
      const report = await auditLedger(h.storage);
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      await h.cleanup();
    });

    describe('accounts', () => {
      it('creates accounts idempotently and names the differing field', async () => {
        const out = await ledger.createAccounts([
          acct('alice', { flags: { debitsMustNotExceedCredits: true } }),
          acct('alice'),
          acct('bob', { owner: 'mallory', flags: { debitsMustNotExceedCredits: true } }),
          acct('shop', { kind: 'merchant', currency: 'USD' }),
          acct('shop', { kind: 'fees' }),
          acct('shop', { kind: 'merchant', institution: '0002' }),
        ]);
        expect(out.map((o) => o.result)).toEqual([
          AR.exists,
          AR.exists_with_different_flags,
          AR.exists_with_different_owner,
          AR.exists_with_different_currency,
          AR.exists_with_different_kind,
          AR.exists_with_different_institution,
        ]);
        const [alice] = await ledger.lookupAccounts(['alice']);
        expect(alice).toMatchObject({ id: 'alice', kind: 'user_bank', currency: 'JPY', institution: '0001', creditsPostedMinor: 10_000 });
        expect(alice?.flags).toEqual({ debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false });
      });

      it('rejects malformed accounts with their codes', async () => {
        const out = await ledger.createAccounts([
          acct('bad id!'),
          acct('x1', { owner: '' }),
          acct('x2', { institution: 'bank one' }),
          acct('x3', { kind: 'piggy' as 'fees' }),
          acct('x4', { currency: 'yen' }),
          acct('x5', { reference: 'r'.repeat(200) }),
          acct('x6', { flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: true } }),
        ]);
        expect(out.map((o) => o.result)).toEqual([
          AR.id_invalid,
          AR.owner_invalid,
          AR.institution_invalid,
          AR.kind_invalid,
          AR.currency_invalid,
          AR.reference_too_long,
          AR.flags_are_mutually_exclusive,
        ]);
        expect(await ledger.lookupAccounts(['x1', 'x2', 'x6'])).toEqual([]);
      });

      it('creates all accounts of an atomic call or none', async () => {
        const out = await ledger.createAccounts([acct('n1'), acct('n2', { currency: 'jpy' })], { atomic: true });
        expect(out.map((o) => o.result)).toEqual([AR.linked_event_failed, AR.currency_invalid]);
        expect(await ledger.lookupAccounts(['n1'])).toEqual([]);
      });
    });

    describe('transfers', () => {
      it('moves money, keeps balances, and answers a retry with exists', async () => {
        const t: NewTransfer = { id: tid(), debitAccountId: 'alice', creditAccountId: 'shop', amountMinor: 2_500, currency: 'JPY', reference: 'order-1', code: 7 };
        expect(await results([t])).toEqual([TR.ok]);
        expect(await results([t])).toEqual([TR.exists]);
        expect(await balance('alice')).toEqual([2_500, 10_000, 0, 0]);
        expect(await balance('shop')).toEqual([0, 2_500, 0, 0]);
        const [stored] = await ledger.lookupTransfers([t.id]);
        expect(stored).toMatchObject({ id: t.id, amountMinor: 2_500, reference: 'order-1', code: 7, timestampMs: clock.nowMs(), pendingStatus: null });
        expect((await ledger.accountTransfers('shop', 10)).map((x) => x.id)).toEqual([t.id]);
      });

      it('answers the same id with different fields with exists_with_different_<field>', async () => {
        const t = { id: tid(), debitAccountId: 'alice', creditAccountId: 'shop', amountMinor: 100, currency: 'JPY' };
        await results([t]);
        expect(
          await results([
            { ...t, amountMinor: 101 },
            { ...t, debitAccountId: 'bob' },
            { ...t, creditAccountId: 'world' },
            { ...t, currency: 'USD' },
            { ...t, reference: 'x' },
            { ...t, code: 1 },
            { ...t, flags: { pending: true } },
          ]),
        ).toEqual([
          TR.exists_with_different_amount,
          TR.exists_with_different_debit_account,
          TR.exists_with_different_credit_account,
          TR.exists_with_different_currency,
          TR.exists_with_different_reference,
          TR.exists_with_different_code,
          TR.exists_with_different_flags,
        ]);
        expect(await balance('alice')).toEqual([100, 10_000, 0, 0]);
      });

      it('refuses bad transfers with coded results and applies nothing', async () => {
        const ok = { debitAccountId: 'alice', creditAccountId: 'shop', amountMinor: 1, currency: 'JPY' };
        expect(
          await results([
            { ...ok, id: 'nothex' },
            { ...ok, id: '0'.repeat(32) },
            { ...ok, id: tid(), amountMinor: 0 },
            { ...ok, id: tid(), amountMinor: 1.5 },
            { ...ok, id: tid(), amountMinor: 2 ** 53 },
            { ...ok, id: tid(), currency: 'JP' },
            { ...ok, id: tid(), creditAccountId: 'alice' },
            { ...ok, id: tid(), debitAccountId: 'nobody' },
            { ...ok, id: tid(), creditAccountId: 'nobody' },
            { ...ok, id: tid(), creditAccountId: 'usd' },
            { ...ok, id: tid(), currency: 'USD' },
            { ...ok, id: tid(), amountMinor: 10_001 },
            { ...ok, id: tid(), debitAccountId: 'world', creditAccountId: 'cap' },
            { ...ok, id: tid(), timeoutMs: 5 },
            { ...ok, id: tid(), flags: { pending: true, voidPending: true } },
            { ...ok, id: tid(), pendingId: tid() },
            { ...ok, id: tid(), code: 70_000 },
          ]),
        ).toEqual([
          TR.id_invalid,
          TR.id_invalid,
          TR.amount_invalid,
          TR.amount_invalid,
          TR.amount_invalid,
          TR.currency_invalid,
          TR.accounts_must_be_different,
          TR.debit_account_not_found,
          TR.credit_account_not_found,
          TR.currency_mismatch,
          TR.currency_mismatch,
          TR.insufficient_funds,
          TR.exceeds_debits,
          TR.timeout_reserved_for_pending,
          TR.flags_are_mutually_exclusive,
          TR.pending_id_must_be_blank,
          TR.code_invalid,
        ]);
        expect(await balance('alice')).toEqual([0, 10_000, 0, 0]);
      });

      it('applies independent transfers one by one, each seeing the ones before', async () => {
        const mk = (amountMinor: number): NewTransfer => ({ id: tid(), debitAccountId: 'alice', creditAccountId: 'bob', amountMinor, currency: 'JPY' });
        const a = mk(6_000);
        expect(await results([a, mk(6_000), mk(4_000), { ...a }])).toEqual([TR.ok, TR.insufficient_funds, TR.ok, TR.exists]);
        expect(await balance('alice')).toEqual([10_000, 10_000, 0, 0]);
      });

      it('applies an atomic group all or nothing', async () => {
        const group: NewTransfer[] = [
          { id: tid(), debitAccountId: 'alice', creditAccountId: 'bob', amountMinor: 3_000, currency: 'JPY' },
          { id: tid(), debitAccountId: 'bob', creditAccountId: 'shop', amountMinor: 3_000, currency: 'JPY' },
          { id: tid(), debitAccountId: 'bob', creditAccountId: 'shop', amountMinor: 1, currency: 'JPY' },
        ];
        expect(await results(group, true)).toEqual([TR.linked_event_failed, TR.linked_event_failed, TR.insufficient_funds]);
        expect(await ledger.lookupTransfers(group.map((t) => t.id))).toEqual([]);
        expect(await balance('bob')).toEqual([0, 0, 0, 0]);
        const fixed = group.slice(0, 2);
        expect(await results(fixed, true)).toEqual([TR.ok, TR.ok]);
        expect(await results(fixed, true)).toEqual([TR.exists, TR.exists]);
        expect(await balance('shop')).toEqual([0, 3_000, 0, 0]);
      });

      it('refuses more than CENTER_LIMITS.ledgerEventsMax events in one call with LEDGER_TOO_MANY_EVENTS', async () => {
        await expect(ledger.createTransfers([])).rejects.toMatchObject({ code: 'LEDGER_TOO_MANY_EVENTS' });
      });
    });

    describe('two-phase transfers', () => {
      const pending = (amountMinor: number, timeoutMs = 0): NewTransfer => ({
        id: tid(),
        debitAccountId: 'alice',
        creditAccountId: 'shop',
        amountMinor,
        currency: 'JPY',
        flags: { pending: true },
        timeoutMs,
      });

      it('reserves funds, then posts part of them; a second post is refused, a retried one exists', async () => {
        const p = pending(7_000);
        expect(await results([p])).toEqual([TR.ok]);
        expect(await balance('alice')).toEqual([0, 10_000, 7_000, 0]);
        expect(await results([{ ...pending(3_001) }])).toEqual([TR.insufficient_funds]);
        const post: NewTransfer = { id: tid(), pendingId: p.id, flags: { postPending: true }, amountMinor: 5_000 };
        expect(await results([post])).toEqual([TR.ok]);
        expect(await balance('alice')).toEqual([5_000, 10_000, 0, 0]);
        expect(await balance('shop')).toEqual([0, 5_000, 0, 0]);
        expect(await results([post])).toEqual([TR.exists]);
        expect(await results([{ ...post, id: tid() }])).toEqual([TR.pending_already_posted]);
        expect(await results([{ id: tid(), pendingId: p.id, flags: { voidPending: true } }])).toEqual([TR.pending_already_posted]);
        expect((await ledger.lookupTransfers([p.id]))[0]?.pendingStatus).toBe('posted');
      });

      it('voids a pending transfer and refuses what does not match it', async () => {
        const p = pending(4_000);
        await results([p]);
        expect(
          await results([
            { id: tid(), pendingId: tid(), flags: { voidPending: true } },
            { id: tid(), pendingId: p.id, flags: { postPending: true }, amountMinor: 4_001 },
            { id: tid(), pendingId: p.id, flags: { voidPending: true }, amountMinor: 3_999 },
            { id: tid(), pendingId: p.id, flags: { voidPending: true }, debitAccountId: 'bob' },
            { id: tid(), pendingId: p.id, flags: { voidPending: true }, creditAccountId: 'bob' },
            { id: tid(), pendingId: p.id, flags: { voidPending: true }, currency: 'USD' },
            { id: tid(), flags: { postPending: true } },
          ]),
        ).toEqual([
          TR.pending_not_found,
          TR.exceeds_pending_amount,
          TR.pending_different_amount,
          TR.pending_different_debit_account,
          TR.pending_different_credit_account,
          TR.pending_different_currency,
          TR.pending_id_required,
        ]);
        const plain = { id: tid(), debitAccountId: 'alice', creditAccountId: 'bob', amountMinor: 1, currency: 'JPY' };
        await results([plain]);
        expect(await results([{ id: tid(), pendingId: plain.id, flags: { voidPending: true } }])).toEqual([TR.pending_not_pending]);
        expect(await results([{ id: tid(), pendingId: p.id, flags: { voidPending: true } }])).toEqual([TR.ok]);
        expect(await balance('alice')).toEqual([1, 10_000, 0, 0]);
        expect(await results([{ id: tid(), pendingId: p.id, flags: { postPending: true } }])).toEqual([TR.pending_already_voided]);
      });

      it('creates and posts a pending transfer in one atomic call', async () => {
        const p = pending(1_000);
        const post: NewTransfer = { id: tid(), pendingId: p.id, flags: { postPending: true } };
        expect(await results([p, post], true)).toEqual([TR.ok, TR.ok]);
        expect(await balance('shop')).toEqual([0, 1_000, 0, 0]);
        expect((await ledger.lookupTransfers([p.id, post.id])).map((t) => t.pendingStatus)).toEqual(['posted', null]);
      });

      it('expires a pending transfer after its timeout: post refused, the sweep releases the funds', async () => {
        const p = pending(8_000, 60_000);
        const forever = pending(1_000);
        await results([p, forever]);
        clock.advance(59_999);
        expect(await ledger.voidExpiredPending()).toBe(0);
        clock.advance(1);
        expect(await results([{ id: tid(), pendingId: p.id, flags: { postPending: true } }])).toEqual([TR.pending_expired]);
        expect(await balance('alice')).toEqual([0, 10_000, 9_000, 0]);
        expect(await ledger.voidExpiredPending()).toBe(1);
        expect(await ledger.voidExpiredPending()).toBe(0);
        expect(await balance('alice')).toEqual([0, 10_000, 1_000, 0]);
        expect(await balance('shop')).toEqual([0, 0, 0, 1_000]);
        expect((await ledger.lookupTransfers([p.id]))[0]?.pendingStatus).toBe('expired');
        expect(await results([{ id: tid(), pendingId: p.id, flags: { voidPending: true } }])).toEqual([TR.pending_expired]);
      });

      it('runs the expiry sweep on the injected clock', async () => {
        await results([pending(2_000, 1_000)]);
        const errors: unknown[] = [];
        const stop = ledger.startExpirySweep(500, (e) => errors.push(e));
        try {
          clock.advance(500);
          await new Promise((r) => setTimeout(r, 50));
          expect(await balance('alice')).toEqual([0, 10_000, 2_000, 0]);
          clock.advance(500);
          for (let i = 0; i < 100 && (await balance('alice'))[2] !== 0; i++) await new Promise((r) => setTimeout(r, 10));
          expect(await balance('alice')).toEqual([0, 10_000, 0, 0]);
        } finally {
          stop();
        }
        expect(errors).toEqual([]);
      });
    });

    describe('audit', () => {
      it('finds a balance that does not match its transfers, a missing account and unbalanced totals', async () => {
        expect((await auditLedger(h.storage)).ok).toBe(true);
        await h.storage.transact((tx) => tx.run("UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE id = 'bob'"));
        await h.storage.transact((tx) =>
          tx.run(
            `INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount, currency, flags, pending_id, timeout_ms, code, reference, timestamp_ms, pending_status, expires_at_ms)
             VALUES (?, 'ghost', 'shop', 5, 'JPY', 0, NULL, 0, 0, '', 0, NULL, NULL)`,
            [tid()],
          ),
        );
        const report = await auditLedger(h.storage);
        expect(report.ok).toBe(false);
        const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
        expect(failed).toEqual([
          'all debits equal all credits',
          'every transfer names existing accounts',
          'account balances equal the sum of their transfers',
        ]);
        // Repair so afterEach's audit can pass.
        await h.storage.transact(async (tx) => {
          await tx.run("UPDATE ledger_accounts SET credits_posted = credits_posted - 1 WHERE id = 'bob'");
          await tx.run("DELETE FROM ledger_transfers WHERE debit_account_id = 'ghost'");
        });
      });

      it('finds an account flagged must-not-go-negative that is negative', async () => {
        await h.storage.transact(async (tx) => {
          await tx.run("UPDATE ledger_accounts SET debits_posted = 20000 WHERE id = 'bob'");
          await tx.run("UPDATE ledger_accounts SET credits_posted = credits_posted + 20000 WHERE id = 'world'");
        });
        const report = await auditLedger(h.storage);
        const neg = report.checks.find((c) => c.name.includes('must-not-go-negative'));
        expect(neg).toMatchObject({ ok: false, violations: 1 });
        expect(neg?.examples[0]).toContain('bob');
        await h.storage.transact(async (tx) => {
          await tx.run("UPDATE ledger_accounts SET debits_posted = 0 WHERE id = 'bob'");
          await tx.run("UPDATE ledger_accounts SET credits_posted = credits_posted - 20000 WHERE id = 'world'");
        });
      });
    });

    it('keeps the books balanced under many concurrent random calls (seeded)', async () => {
      const seed = Number(process.env['TESSERA_LEDGER_SEED'] ?? 1234);
      const rnd = new SeededRandom(seed);
      const users = ['alice', 'bob', 'shop'];
      const calls: Promise<unknown>[] = [];
      const pendings: string[] = [];
      for (let i = 0; i < 200; i++) {
        const dr = users[rnd.int(3)]!;
        const cr = users.filter((u) => u !== dr)[rnd.int(2)]!;
        const roll = rnd.int(10);
        let t: NewTransfer;
        if (roll < 2 && pendings.length > 0) {
          t = { id: tid(), pendingId: pendings[rnd.int(pendings.length)]!, flags: roll === 0 ? { postPending: true } : { voidPending: true } };
        } else {
          t = { id: tid(), debitAccountId: dr, creditAccountId: cr, amountMinor: 1 + rnd.int(3_000), currency: 'JPY', flags: { pending: roll === 2 } };
          if (roll === 2) pendings.push(t.id);
        }
        calls.push(ledger.createTransfers(rnd.int(4) === 0 ? [t, { ...t }] : [t], { atomic: rnd.int(2) === 0 }));
      }
      await Promise.all(calls);
      const accounts = await ledger.lookupAccounts(['world', ...users]);
      const net = accounts.reduce((s, a) => s + a.creditsPostedMinor - a.debitsPostedMinor, 0);
      expect(net).toBe(0);
      for (const a of accounts.filter((x) => x.flags.debitsMustNotExceedCredits)) {
        expect(a.debitsPostedMinor + a.debitsPendingMinor).toBeLessThanOrEqual(a.creditsPostedMinor);
      }
      expect((await auditLedger(h.storage)).ok).toBe(true);
    });
  });
}
