import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdminErrors } from '../../../center/admin/errors.js';
import { LedgerErrors } from '../../../center/ledger/errors.js';
import { Ledger } from '../../../center/ledger/ledger.js';
import {
  accountResultCode,
  CreateAccountResult,
  CreateTransferResult,
  transferResultCode,
} from '../../../center/ledger/results.js';
import { StoreErrors } from '../../../center/storage/errors.js';
import { openStorage } from '../../../center/storage/open.js';
import { ManualClock } from '../../../core/clock.js';
import { tesseraCommand } from '../../../sim/world/node-command.js';

const names = (e: object): string[] => Object.keys(e).filter((k) => Number.isNaN(Number(k)));

describe('ledger outcomes and error registries', () => {
  it('pins the transfer outcome numbers (precedence order) and the account outcome numbers', () => {
    expect(names(CreateTransferResult).map((n) => [n, CreateTransferResult[n as keyof typeof CreateTransferResult]])).toMatchSnapshot();
    expect(names(CreateAccountResult).map((n, i) => [n, i])).toEqual(
      names(CreateAccountResult).map((n) => [n, CreateAccountResult[n as keyof typeof CreateAccountResult]]),
    );
    expect(CreateTransferResult.exists).toBeLessThan(CreateTransferResult.debit_account_not_found);
    expect(CreateTransferResult.exists).toBeLessThan(CreateTransferResult.pending_already_posted);
  });

  it('has a registry code with meaning and action for every outcome except ok', () => {
    for (const n of names(CreateTransferResult).filter((x) => x !== 'ok')) {
      const code = transferResultCode(CreateTransferResult[n as keyof typeof CreateTransferResult]);
      expect(LedgerErrors[code], code).toMatchObject({ meaning: expect.any(String), action: expect.any(String) });
    }
    for (const n of names(CreateAccountResult).filter((x) => x !== 'ok')) {
      expect(LedgerErrors[accountResultCode(CreateAccountResult[n as keyof typeof CreateAccountResult])]).toBeDefined();
    }
    expect(transferResultCode(CreateTransferResult.insufficient_funds)).toBe('LEDGER_INSUFFICIENT_FUNDS');
  });

  it('pins the storage and admin codes', () => {
    expect(Object.keys(StoreErrors).sort()).toMatchSnapshot();
    expect(Object.keys(AdminErrors).sort()).toMatchSnapshot();
  });
});

describe('tessera audit', () => {
  // Three CLI processes, each loading the center's modules: a loaded 2-core machine can take many seconds each.
  it('prints the report, exits 0 on a sound ledger and 3 on a violation, and refuses a missing file', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-audit-'));
    const db = join(dir, 'c.db');
    try {
      const storage = await openStorage(db);
      const ledger = await Ledger.open(storage, new ManualClock());
      await ledger.createAccounts([
        { id: 'a', owner: 'o', kind: 'external', currency: 'JPY' },
        { id: 'b', owner: 'o', kind: 'merchant', currency: 'JPY' },
      ]);
      await ledger.createTransfers([{ id: '1'.repeat(32), debitAccountId: 'a', creditAccountId: 'b', amountMinor: 9, currency: 'JPY' }]);
      const run = (...args: string[]): { status: number; out: string } => {
        try {
          const { command, args: argv } = tesseraCommand(['audit', ...args]);
          return { status: 0, out: execFileSync(command, argv, { encoding: 'utf8', stdio: 'pipe' }) };
        } catch (e) {
          const err = e as { status: number; stdout: string; stderr: string };
          return { status: err.status, out: err.stdout + err.stderr };
        }
      };
      const good = run('--db', db);
      expect(good.status).toBe(0);
      expect(good.out).toContain('ledger audit: OK (2 accounts, 1 transfers)');
      await storage.transact((tx) => tx.run("UPDATE ledger_accounts SET debits_posted = 10 WHERE id = 'a'"));
      await storage.close();
      const bad = run('--db', db, '--json');
      expect(bad.status).toBe(3);
      expect(JSON.parse(bad.out).ok).toBe(false);
      const missing = run('--db', join(dir, 'nope.db'));
      expect(missing.status).toBe(1);
      expect(missing.out).toContain('STORE_BAD_TARGET');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
