/** `tessera bank serve`: config, PIN files, accounts opened once, the HTTP endpoint, and the CLI's coded exits. */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPinFile } from '../../../sim/bank/pin-file.js';
import { serveBankFromConfig } from '../../../sim/bank/serve.js';
import { loadBankServeConfig, parseBankServeConfig, type BankServeConfig } from '../../../sim/bank/serve-config.js';
import { runCli } from '../../../sim/world/cli-process.js';
import { failure } from '../../support/failure.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-bank-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PIN = '739146';
function file(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

const alice = () => ({ holder: 'alice', role: 'user', branchCode: '001', accountNumber: '1000001', pinFile: file('alice.pin', `${PIN}\n`), openingMinor: 10_000 });
const configOf = (over: Record<string, unknown> = {}): BankServeConfig =>
  parseBankServeConfig({ bankCode: '0001', db: join(dir, 'bank.db'), listen: { port: 0 }, accounts: [alice()], ...over });

describe('bank serve config', () => {
  it('fills the defaults', () => {
    expect(parseBankServeConfig({ bankCode: '0002', db: 'b.db', listen: { port: 7802 } })).toEqual({ bankCode: '0002', db: 'b.db', listen: { host: '127.0.0.1', port: 7802 }, accounts: [] });
    expect(configOf().accounts[0]).toMatchObject({ role: 'user', openingMinor: 10_000 });
  });

  it('names every bad field (BANKHOST_CONFIG_INVALID); a PIN in the config is refused', () => {
    const bad = failure(() =>
      parseBankServeConfig({
        bankCode: '1',
        db: '',
        listen: { port: 70_000 },
        accounts: [
          { ...alice(), role: 'owner', branchCode: '1', openingMinor: -5, pin: PIN },
          { ...alice(), accountNumber: '12' },
        ],
      }),
    );
    expect(bad.code).toBe('BANKHOST_CONFIG_INVALID');
    for (const path of ['bankCode', 'db', 'listen.port', 'accounts.0.role', 'accounts.0.branchCode', 'accounts.0.openingMinor', 'accounts.1.accountNumber']) expect(bad.message).toContain(path);
    expect(bad.message).toMatch(/pin/);
    expect(bad.message).not.toContain(PIN);
    const twice = failure(() => configOf({ accounts: [alice(), alice()] }));
    expect(twice.code).toBe('BANKHOST_CONFIG_INVALID');
    expect(twice.message).toContain('accounts.1.accountNumber');
    expect(failure(() => loadBankServeConfig(file('bad.json', '{ nope'))).code).toBe('BANKHOST_CONFIG_UNREADABLE');
  });

  it('PIN files: 4-12 digits, mode 0600, never shown', () => {
    expect(readPinFile(file('ok.pin', ' 1234\n'))).toBe('1234');
    const open = failure(() => readPinFile(file('open.pin', PIN, 0o644)));
    expect(open.code).toBe('BANKHOST_PIN_FILE_PERMISSIONS');
    const letters = failure(() => readPinFile(file('letters.pin', '73x146')));
    expect(letters.code).toBe('BANKHOST_PIN_FILE');
    expect(failure(() => readPinFile(join(dir, 'missing.pin'))).code).toBe('BANKHOST_PIN_FILE');
    for (const f of [open, letters]) expect(f.message).not.toMatch(/73.?146/);
  });
});

describe('serveBankFromConfig', () => {
  it('opens the accounts once (a restart deposits nothing twice), serves /health and transfers with the PIN from its file', async () => {
    const provider = { holder: 'provider', role: 'provider', branchCode: '009', accountNumber: '9000001', pinFile: file('p.pin', '90019001') };
    const config = configOf({ accounts: [alice(), provider] });
    for (let run = 0; run < 2; run++) {
      const bank = await serveBankFromConfig(config);
      try {
        // The opening deposit is made once: after the restart alice holds it less the transfer of the first run.
        expect(await bank.host.balance({ bankCode: '0001', branchCode: '001', accountNumber: '1000001' })).toBe(run === 0 ? 10_000 : 9_900);
        const base = `http://127.0.0.1:${bank.address.port}`;
        expect(await (await fetch(`${base}/health`)).json()).toEqual({ bankCode: '0001', name: 'Bank 0001' });
        const transfer = (pin: string, id: string) =>
          fetch(`${base}/transfer`, {
            method: 'POST',
            body: JSON.stringify({ transferId: id, from: { bankCode: '0001', branchCode: '001', accountNumber: '1000001' }, to: { bankCode: '0001', branchCode: '009', accountNumber: '9000001' }, amountMinor: 100, currency: 'JPY', pin }),
          }).then((r) => r.json());
        if (run === 0) {
          expect(await transfer('000000', 'a'.repeat(32))).toMatchObject({ approved: false, code: 'BANK_WRONG_PIN' });
          expect(await transfer(PIN, 'b'.repeat(32))).toMatchObject({ approved: true, code: 'OK' });
        }
        expect(await bank.host.balance({ bankCode: '0001', branchCode: '009', accountNumber: '9000001' })).toBe(100);
      } finally {
        await bank.close();
      }
    }
  });

  it('a taken port is BANKHOST_LISTEN_FAILED; a bad PIN file stops the start before the database is opened', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(serveBankFromConfig(configOf({ db: join(dir, 'taken.db'), listen: { port } }))).rejects.toMatchObject({ code: 'BANKHOST_LISTEN_FAILED' });
    } finally {
      blocker.close();
    }
    const loose = configOf({ db: join(dir, 'never.db'), accounts: [{ ...alice(), pinFile: file('loose.pin', PIN, 0o640) }] });
    await expect(serveBankFromConfig(loose)).rejects.toMatchObject({ code: 'BANKHOST_PIN_FILE_PERMISSIONS' });
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });
});

describe('tessera bank serve (CLI)', () => {
  it('--check validates config and PIN files; bad ones exit 1 with their code and no PIN', async () => {
    const good = file('bank.json', JSON.stringify({ bankCode: '0001', db: join(dir, 'cli.db'), listen: { port: 0 }, accounts: [alice()] }));
    const ok = await runCli(['bank', 'serve', '--config', good, '--check']);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.lines).toEqual([{ ok: true, bankCode: '0001', accounts: 1 }]);
    const loose = file('loose.json', JSON.stringify({ bankCode: '0001', db: join(dir, 'cli.db'), listen: { port: 0 }, accounts: [{ ...alice(), pinFile: file('loose2.pin', PIN, 0o644) }] }));
    const bad = await runCli(['bank', 'serve', '--config', loose, '--check']);
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('BANKHOST_PIN_FILE_PERMISSIONS');
    expect(bad.output).not.toContain(PIN);
  });
});
