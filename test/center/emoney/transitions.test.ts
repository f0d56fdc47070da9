/**
 * Every state UPDATE of a charge or a batch goes through its table
 * (charge-row.ts, batch-row.ts): on a real SQLite store with the e-money
 * migrations, a change the table lists is written with its fields, one it
 * does not is CENTER_TRANSITION_REFUSED and nothing of the unit is written,
 * and a row read in a state it has left is not overwritten.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBatch, updateBatch } from '../../../center/emoney/batch-row.js';
import { loadCharge, updateCharge } from '../../../center/emoney/charge-row.js';
import { noteDebitEvidence } from '../../../center/emoney/records.js';
import { emoneyMigrations } from '../../../center/emoney/schema.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';

const ID = 'c'.repeat(32);
const CARD = '0102030405060708';
let storage: Storage;

beforeEach(async () => {
  storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
  await storage.migrate(emoneyMigrations);
  await storage.transact(async (tx) => {
    await tx.run(
      `INSERT INTO emoney_charges (id, terminal_id, bank_code, branch, account, amount, currency, state, code, card_id, auth_counter, created_ms, updated_ms)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      [ID, 'KIOSK-1', '0001', '001', '1234567', 500, 'JPY', 'issued', 'OK', CARD, 7, 1, 1],
    );
    await tx.run(
      `INSERT INTO emoney_batches (id, terminal_id, shop_id, bank_code, state, records, results, total, currency, code, created_ms, updated_ms)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
      ['b1', 'SHOP-1', 'shop', '0001', 'acked', '[]', '[]', 0, 'JPY', 'OK', 1, 1],
    );
  });
});
afterEach(() => storage.close());

const charge = () => storage.read((q) => loadCharge(q, ID));

describe('e-money state changes checked against their tables', () => {
  it('an issued charge is never moved back (issued → approved, → reversing): refused, nothing of the unit written', async () => {
    for (const state of ['approved', 'reversing'] as const) {
      const unit = storage.transact(async (tx) => {
        const row = (await loadCharge(tx, ID, tx.forUpdate))!;
        await updateCharge(tx, row, 50, { state, code: 'X' });
      });
      await expect(unit).rejects.toMatchObject({ code: 'CENTER_TRANSITION_REFUSED', details: { machine: 'charge', from: 'issued', to: state, id: ID } });
    }
    expect(await charge()).toMatchObject({ state: 'issued', code: 'OK', updatedMs: 1 });
  });

  it('an allowed change is written with its fields and updatedMs; fields without a state change need no transition', async () => {
    await storage.transact((tx) => tx.run("UPDATE emoney_charges SET state = 'authorized' WHERE id = ?", [ID]));
    await storage.transact(async (tx) => updateCharge(tx, (await loadCharge(tx, ID))!, 60, { inDoubtMs: 60 }));
    await storage.transact(async (tx) => updateCharge(tx, (await loadCharge(tx, ID))!, 70, { state: 'issued' }));
    expect(await charge()).toMatchObject({ state: 'issued', inDoubtMs: 60, updatedMs: 70, bankCode: '0001', amountMinor: 500, authCounter: 7 });
  });

  it('a charge read as authorized that has since been issued is not overwritten by a stale update', async () => {
    const stale = { id: ID, state: 'authorized' as const };
    await expect(storage.transact((tx) => updateCharge(tx, stale, 80, { state: 'approved' }))).rejects.toMatchObject({ code: 'CENTER_TRANSITION_REFUSED', details: { from: 'authorized' } });
    expect(await charge()).toMatchObject({ state: 'issued', updatedMs: 1 });
  });

  it('debit evidence moves only an authorized charge back to approved (authorized → approved is in the table)', async () => {
    await storage.transact((tx) => noteDebitEvidence(tx, CARD, 8, 90));
    expect(await charge()).toMatchObject({ state: 'issued' });
    await storage.transact((tx) => tx.run("UPDATE emoney_charges SET state = 'authorized' WHERE id = ?", [ID]));
    await storage.transact((tx) => noteDebitEvidence(tx, CARD, 8, 95));
    expect(await charge()).toMatchObject({ state: 'approved', cardId: null, authCounter: null, updatedMs: 95 });
  });

  it('a settlement batch goes forward only: acked → settled is written, settled → acked and acked → instructed are refused', async () => {
    const unit = (state: 'instructed' | 'settled' | 'acked') => storage.transact(async (tx) => updateBatch(tx, (await loadBatch(tx, 'b1'))!, 100, { state }));
    await expect(unit('instructed')).rejects.toMatchObject({ code: 'CENTER_TRANSITION_REFUSED', details: { machine: 'settlement batch', from: 'acked', to: 'instructed' } });
    await unit('settled');
    await expect(unit('acked')).rejects.toMatchObject({ code: 'CENTER_TRANSITION_REFUSED', details: { from: 'settled', to: 'acked' } });
    expect(await storage.read((q) => loadBatch(q, 'b1'))).toMatchObject({ state: 'settled', updatedMs: 100 });
  });
});
