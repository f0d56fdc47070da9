/**
 * The member-shop pieces that the real-stack e2e (test/e2e/emoney-shop.test.ts)
 * cannot reach cheaply: every branch of the debit-doubt resolution, amount
 * entry parsing, role settings, and an instruction nobody awaits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import { resolveDebitDoubt } from '../../../terminal/agent/roles/emoney/member-shop/debit-doubt.js';
import { parseRoleSettings, shopSettingsSchema } from '../../../terminal/agent/roles/emoney/member-shop/settings.js';
import { ShopSettlement } from '../../../terminal/agent/roles/emoney/member-shop/settlement.js';
import { parseAmount } from '../../../terminal/agent/roles/emoney/shop.js';
import type { RoleContext } from '../../../terminal/agent/role.js';
import { Journal } from '../../../terminal/journal/journal.js';

const CARD = '00000000000000d1';
let dir: string;
let journal: Journal;
let ctx: RoleContext;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-shop-'));
  journal = Journal.open(join(dir, 'j.db'));
  // A test double of the context: the resolution only uses the journal and the log.
  ctx = { journal, log: silentLogger, terminalId: 'SHOP-1' } as unknown as RoleContext;
  journal.debitSent({ mediumId: CARD, counterBefore: 7, balanceBeforeMinor: 1_000, amountMinor: 400, currency: 'JPY', terminalId: 'SHOP-1' });
});
afterEach(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

const purse = (counter: number, balanceMinor: number) => ({ counter, balanceMinor, currency: 'JPY' });

describe('debit in doubt, resolved from the card on its next insertion', () => {
  it('counter unchanged: the debit never happened; the sale goes on', () => {
    expect(resolveDebitDoubt(ctx, CARD, purse(7, 1_000))).toBeNull();
    expect(journal.listDebitsInDoubt()).toEqual([]);
    expect(journal.listAside()).toEqual([]);
  });

  it('counter +1 and balance − amount: it happened without its MAC; the holder is owed; nothing sold now', () => {
    expect(resolveDebitDoubt(ctx, CARD, purse(8, 600))).toEqual({ result: 'declined', code: 'TERM_DEBIT_UNRECORDED', mediumId: CARD, details: { amountMinor: 400, cardCounter: 8, balanceMinor: 600 } });
    expect(journal.listAside()).toMatchObject([{ cardCounter: 8, amountMinor: 400, reason: 'UNRECORDED' }]);
  });

  it('counter +1 with another balance: that transition was something else (a charge): dropped', () => {
    expect(resolveDebitDoubt(ctx, CARD, purse(8, 3_000))).toBeNull();
    expect(journal.listDebitsInDoubt()).toEqual([]);
    expect(journal.listAside()).toEqual([]);
  });

  it('counter moved on twice, or went back (a clone): cannot tell, set aside UNRESOLVED; the sale goes on', () => {
    expect(resolveDebitDoubt(ctx, CARD, purse(9, 100))).toBeNull();
    expect(journal.listAside()).toMatchObject([{ cardCounter: 8, reason: 'UNRESOLVED' }]);
  });

  it('another card is not concerned', () => {
    expect(resolveDebitDoubt(ctx, '00000000000000d2', purse(0, 0))).toBeNull();
    expect(journal.listDebitsInDoubt()).toHaveLength(1);
  });
});

describe('entries and settings', () => {
  it('amounts are digits in minor units, at least 1, safe integers', () => {
    expect(parseAmount('1500')).toBe(1_500);
    expect(parseAmount('007')).toBe(7);
    for (const bad of ['', '0', '-1', '1.5', '1e3', ' 12', '0x10', '99999999999999999']) {
      expect(() => parseAmount(bad)).toThrow(expect.objectContaining({ code: 'TERM_ENTRY_INVALID' }));
    }
  });

  it('shop settings: defaults, and each bad field named', () => {
    expect(parseRoleSettings(shopSettingsSchema, 'shop', {})).toEqual({ pinRequired: false, currency: 'JPY' });
    try {
      parseRoleSettings(shopSettingsSchema, 'shop', { pinRequired: 'yes', currency: 'yen', settleWaitMs: 0 });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'TERM_CONFIG_INVALID' });
      expect((e as { details: { problems: string[] } }).details.problems.map((p) => p.split(':')[0])).toEqual(['roleSettings.pinRequired', 'roleSettings.currency', 'roleSettings.settleWaitMs']);
    }
  });
});

describe('settlement instruction', () => {
  it('one that no settle awaits is refused and erases nothing', async () => {
    journal.appendPurchase({ mediumId: CARD, cardCounter: 1, amountMinor: 100, currency: 'JPY', terminalId: 'SHOP-1', terminalNonce: Buffer.alloc(8), cardMac: Buffer.alloc(8) });
    const msg = { type: 'settlementInstruction' as const, bankCode: '0001', branchCode: '009', accountNumber: '9000001', securityCode: Buffer.alloc(40), totalMinor: 100, currency: 'JPY', results: [{ mediumId: Buffer.from(CARD, 'hex'), cardCounter: 1, status: 0 as const }] };
    const sealer = { seal: () => Buffer.alloc(0), open: () => Buffer.from('x') };
    await expect(new ShopSettlement(undefined).onInstruction(ctx, msg, { sealer, token: Buffer.alloc(16) })).rejects.toMatchObject({ code: 'TERM_SETTLE_TIMEOUT' });
    expect(journal.listUnsettled()).toHaveLength(1);
  });
});
