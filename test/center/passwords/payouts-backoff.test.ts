/**
 * Shop payouts when the TTP's bank account is short of funds (outsider trial
 * #8): on a real bank host (sim/bank, SQLite) behind the relay and the
 * passwords core on a real SQLite database, with a manual clock. The payout
 * stays pending and is retried after 1 s, 2 s, 4 s ... (RELAY_LIMITS), one
 * warn line per attempt naming the account to fund, not a retry and a warn
 * line every sweep; once the account holds the money the payout is paid (by
 * a new bank transfer id: the bank keeps its decline for the old one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Passwords } from '../../../center/passwords/passwords.js';
import { RELAY_LIMITS } from '../../../center/relay/limits.js';
import { Relay } from '../../../center/relay/relay.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { ManualClock } from '../../../core/clock.js';
import { createLogger } from '../../../core/log.js';
import { BankHost } from '../../../sim/bank/bank-host.js';
import { audit, issueReq, openCore, type RecordingDelivery } from './support.js';

const TTP = { bankCode: '0001', branchCode: '001', accountNumber: '7000001' };
const SHOP = { bankCode: '0001', branchCode: '001', accountNumber: '2000001' };
let dir: string;
let storage: Storage;
let bank: BankHost;
let pw: Passwords;
let delivery: RecordingDelivery;
const clock = new ManualClock(Date.parse('2026-12-02T00:00:00Z'));
const warns: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-payout-backoff-'));
  storage = await openStorage(join(dir, 'center.db'));
  const log = createLogger('t', { level: 'warn' }, { write: (line: string) => void warns.push(line) });
  ({ pw, delivery } = await openCore(storage, clock, { log }));
  bank = await BankHost.open({ bankCode: '0001', name: 'Bank A', db: join(dir, 'bank.db') });
  await bank.openAccount({ ...TTP, holder: 'ttp', role: 'provider', pin: '7777', openingMinor: 0 });
  await bank.openAccount({ ...SHOP, holder: 'SHOP-1', role: 'merchant', pin: '9999', openingMinor: 0 });
  await pw.usePayouts({ relay: new Relay({ adapters: [bank] }), payees: new Map([['SHOP-1', SHOP]]), centerAccounts: new Map([['0001', { ...TTP, securityCode: '7777' }]]) }, 'JPY');
});
afterAll(async () => {
  expect(await audit(storage)).toEqual([]);
  await bank?.close();
  await storage?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a shop payout the TTP cannot fund yet', () => {
  it('is retried with exponential backoff (one warn line per attempt, naming the account to fund), then paid once the account holds the money', async () => {
    const a = await pw.issue(issueReq({ amountMinor: 2_000 }));
    await pw.onOutcome({ passwordId: a.passwordId, outcome: 'delivered', channel: 'sms', atMs: clock.nowMs() });
    await pw.redeem({ merchantId: 'SHOP-1', shopId: 'SHOP-1' }, { requestId: 'r1', presented: { code: delivery.code(a.passwordId) }, amountMinor: 1_200, currency: 'JPY', capture: true });
    const pending = () => warns.filter((l) => l.includes('password shop payout pending'));
    // 20 sweeps one second apart: attempts at 0, 1, 3, 7, 15 s (1, 2, 4, 8 s between): 5, not 20.
    for (let s = 0; s < 20; s++) {
      expect(await pw.sweepPayouts()).toMatchObject({ payoutsPaid: 0, payoutsFailed: 0 });
      clock.advance(1_000);
    }
    expect(pending()).toHaveLength(5);
    const last = JSON.parse(pending().at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ code: 'BANK_INSUFFICIENT_FUNDS', attempts: 5, retryInMs: 16 * RELAY_LIMITS.payoutRetryBaseMs });
    expect(String(last['msg'])).toContain('short of funds');
    expect((await pw.statement('SHOP-1')).pendingMinor).toBe(1_200);
    // The credit company's settlement reaches the TTP's account (sim/credit settleTtp); the next attempt pays.
    const CREDIT = { bankCode: '0001', branchCode: '001', accountNumber: '9000001' };
    await bank.openAccount({ ...CREDIT, holder: 'credit-a', role: 'provider', pin: '4321', openingMinor: 5_000 });
    const paid = await new Relay({ adapters: [bank] }).transfer({ transferId: 'a'.repeat(32), from: CREDIT, to: TTP, amountMinor: 2_000, currency: 'JPY', pin: '4321' });
    expect(paid.approved).toBe(true);
    clock.advance(RELAY_LIMITS.payoutRetryMsMax);
    expect(await pw.sweepPayouts()).toMatchObject({ payoutsPaid: 1 });
    expect(await bank.balance(SHOP)).toBe(1_200);
    expect(await pw.statement('SHOP-1')).toMatchObject({ paidOutMinor: 1_200, pendingMinor: 0, payableMinor: 0 });
  });
});
