/** Ledger moves with derived ids on a real ledger (SQLite). */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cashTransferId } from '../../../center/cash/ledger-map.js';
import { derivedId as emoneyDerivedId } from '../../../center/emoney/ledger-map.js';
import { applyMoves, derivedId } from '../../../center/kit/ledger-moves.js';
import { Ledger } from '../../../center/ledger/ledger.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { ManualClock } from '../../../core/clock.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 32);

describe('derivedId', () => {
  it('is 32 hex of sha256 over the capability and parts joined by ":": the ids e-money and cash booked before the kit stay the same', () => {
    expect(derivedId('emoney', 'PAY', 'ab')).toBe(sha('emoney:PAY:ab'));
    expect(emoneyDerivedId('0'.repeat(32), 'CHARGE_APPROVED')).toBe(sha(`emoney:CHARGE_APPROVED:${'0'.repeat(32)}`));
    expect(cashTransferId('KIOSK-1', 'NOTE_STACKED', 'k1')).toBe(sha('cash:NOTE_STACKED:KIOSK-1:k1'));
    expect(derivedId('emoney', 'x', 'y')).not.toBe(derivedId('cash', 'x', 'y'));
    expect(() => derivedId('emoney')).toThrow(/parts/);
  });
});

describe('applyMoves', () => {
  let storage: Storage;
  let ledger: Ledger;
  beforeEach(async () => {
    storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
    ledger = await Ledger.open(storage, new ManualClock(1_000));
    await ledger.createAccounts([
      { id: 'a', owner: 'o', kind: 'external', currency: 'JPY' },
      { id: 'b', owner: 'o', kind: 'merchant', currency: 'JPY', flags: { creditsMustNotExceedDebits: true } },
    ]);
  });
  afterEach(() => storage.close());
  const move = (id: string, debit: string, credit: string, amountMinor: number) => ({ id: derivedId('kit', id), debitAccountId: debit, creditAccountId: credit, amountMinor, currency: 'JPY', code: 1 });

  it('applies moves in the caller\'s unit; a repeat is `exists` and books nothing more', async () => {
    await storage.transact((tx) => applyMoves(tx, ledger, [move('m1', 'b', 'a', 5)], 'CASH_LEDGER_REFUSED'));
    await storage.transact((tx) => applyMoves(tx, ledger, [move('m1', 'b', 'a', 5)], 'CASH_LEDGER_REFUSED'));
    const [b] = await ledger.lookupAccounts(['b']);
    expect(b!.debitsPostedMinor).toBe(5);
  });

  it('any other outcome throws the caller\'s code and rolls the whole unit back (its own rows too)', async () => {
    await storage.migrate({ module: 'kit_moves_test', migrations: [{ version: 1, name: 't', sql: 'CREATE TABLE kit_steps (id TEXT PRIMARY KEY)' }] });
    const unit = storage.transact(async (tx) => {
      await tx.run("INSERT INTO kit_steps (id) VALUES ('s1')");
      await applyMoves(tx, ledger, [move('m2', 'a', 'b', 5)], 'EMONEY_LEDGER_REFUSED'); // b's credits would exceed its debits
    });
    await expect(unit).rejects.toMatchObject({ code: 'EMONEY_LEDGER_REFUSED', details: { id: derivedId('kit', 'm2') } });
    expect(await storage.read((q) => q.all('SELECT id FROM kit_steps'))).toEqual([]);
    const [b] = await ledger.lookupAccounts(['b']);
    expect(b!.creditsPostedMinor).toBe(0);
  });
});
