import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../center/ledger/ledger.js';
import { auditLedger } from '../../../center/ledger/audit.js';
import { CreateTransferResult as TR } from '../../../center/ledger/results.js';
import { openStorage } from '../../../center/storage/open.js';
import { systemClock } from '../../../core/clock.js';
import { createTestDatabase } from '../../support/postgres.js';
import { ledgerContract, tid } from './contract.js';

ledgerContract('postgres', async () => {
  const db = await createTestDatabase('ledger');
  const storage = await openStorage({ engine: 'postgres', url: db.url });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      await db.drop();
    },
  };
});

describe('ledger on postgres: several center nodes', () => {
  it('never double-spends when two nodes debit the same account and retry the same ids at once', async () => {
    const db = await createTestDatabase('ledger_nodes');
    const [sa, sb] = await Promise.all([openStorage(db.url), openStorage(db.url)]);
    try {
      const a = await Ledger.open(sa, systemClock);
      const b = await Ledger.open(sb, systemClock);
      await a.createAccounts([
        { id: 'src', owner: 'o', kind: 'external', currency: 'JPY' },
        { id: 'payer', owner: 'o', kind: 'user_bank', currency: 'JPY', flags: { debitsMustNotExceedCredits: true } },
        { id: 'payee', owner: 'o', kind: 'merchant', currency: 'JPY' },
      ]);
      await a.createTransfers([{ id: tid(), debitAccountId: 'src', creditAccountId: 'payer', amountMinor: 1_000, currency: 'JPY' }]);
      const spends = Array.from({ length: 40 }, () => ({ id: tid(), debitAccountId: 'payer', creditAccountId: 'payee', amountMinor: 50, currency: 'JPY' }));
      // Every spend is sent to both nodes at once: each id must apply once, and 1000 / 50 = 20 at most.
      const out = await Promise.all(spends.flatMap((t) => [a.createTransfers([t]), b.createTransfers([t])]));
      const byId = new Map<string, TR[]>();
      for (const o of out.flat()) byId.set(o.id, [...(byId.get(o.id) ?? []), o.result]);
      let applied = 0;
      for (const rs of byId.values()) {
        const sorted = [...rs].sort((x, y) => x - y);
        if (sorted[0] === TR.ok) {
          applied++;
          expect(sorted).toEqual([TR.ok, TR.exists]);
        } else {
          expect(sorted).toEqual([TR.insufficient_funds, TR.insufficient_funds]);
        }
      }
      expect(applied).toBe(20);
      const [payer] = await b.lookupAccounts(['payer']);
      expect(payer?.debitsPostedMinor).toBe(1_000);
      expect((await auditLedger(sa)).ok).toBe(true);
    } finally {
      await sa.close();
      await sb.close();
      await db.drop();
    }
  });
});
