/**
 * The world builder's own contract (sim/world/world.ts), without hardware:
 * parts start in dependency order (banks, parties, center) and close newest
 * first; a close step that fails is reported as `part:code` and the rest
 * still closes; a failed start unwinds what it started; the center stops and
 * starts on the same port with its storage open, and a crash reopens it from
 * its database; banks and center as `tessera` processes from the same spec.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../../core/errors.js';
import { SeededRandom } from '../../../core/random.js';
import { WORLD, WORLD_ACCOUNTS, WORLD_BANKS, WORLD_PROVIDER_ACCOUNTS, WORLD_SHOPS } from '../../../sim/world/accounts.js';
import { openWorld, type WorldParty, type WorldSpec } from '../../../sim/world/world.js';

const banks: WorldSpec['banks'] = { banks: WORLD_BANKS, accounts: WORLD_ACCOUNTS, db: () => ':memory:', random: (i) => new SeededRandom(i + 1) };

function party(name: string, events: string[], o: { failStart?: boolean; failClose?: boolean } = {}): WorldParty {
  return {
    name,
    start: async () => {
      events.push(`start ${name}`);
      if (o.failStart) throw new TesseraError('SIM_BAD_COMMAND', `${name} refuses to start`);
      return {
        close: async () => {
          events.push(`close ${name}`);
          if (o.failClose) throw new TesseraError('SIM_BAD_COMMAND', `${name} refuses to close`);
        },
      };
    },
  };
}

describe('the world builder', () => {
  it('starts banks, then parties in order, then the center; closes newest first, reports a failed close step and still closes the rest', async () => {
    const events: string[] = [];
    const w = await openWorld({
      banks,
      parties: [party('hq', events), party('vendor', events, { failClose: true })],
      center: { modules: { emoney: { config: { currency: 'JPY', providerAccounts: WORLD_PROVIDER_ACCOUNTS }, shops: WORLD_SHOPS } } },
    });
    expect(events).toEqual(['start hq', 'start vendor']);
    expect(w.party('hq')).toBeDefined();
    expect(await w.banks!.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor);
    expect(w.node!.center!.modules).toContain('emoney');
    const dir = w.dir;
    expect(await w.close()).toEqual(['vendor:SIM_BAD_COMMAND']);
    expect(events).toEqual(['start hq', 'start vendor', 'close vendor', 'close hq']);
    expect(existsSync(dir)).toBe(false);
  });

  it('a part that fails to start unwinds what was started and the error reaches the caller', async () => {
    const events: string[] = [];
    const err = await openWorld({ banks, parties: [party('hq', events), party('vendor', events, { failStart: true })] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TesseraError);
    expect((err as TesseraError).code).toBe('SIM_BAD_COMMAND');
    expect(events).toEqual(['start hq', 'start vendor', 'close hq']);
  });

  it('the center stops and starts on the same port with its storage open; a crash reopens it from its database', async () => {
    const w = await openWorld({ banks, center: { modules: { emoney: { config: { currency: 'JPY', providerAccounts: WORLD_PROVIDER_ACCOUNTS }, shops: WORLD_SHOPS } } } });
    try {
      await w.registerTerminal('T-1', { ownerId: 'SHOP-A' });
      const port = w.centerPort;
      await w.stopCenter();
      expect(w.node!.center).toBeNull();
      expect((await w.validity.getTerminal('T-1'))?.ownerId).toBe('SHOP-A');
      await w.startCenter();
      expect(w.centerPort).toBe(port);
      const storageBefore = w.storage;
      await w.crashCenter();
      expect(w.storage).not.toBe(storageBefore);
      expect(w.centerPort).toBe(port);
      expect((await w.validity.getTerminal('T-1'))?.ownerId).toBe('SHOP-A');
    } finally {
      await w.close();
    }
  });
});

describe('the parts as tessera processes (process: cli)', () => {
  it('banks and a center with e-money run from the spec: configs written by the world, every secret in a 0600 file and none in a config; the center restarts on its port', async () => {
    const w = await openWorld({
      banks: { banks: WORLD_BANKS, accounts: WORLD_ACCOUNTS, process: 'cli' },
      center: {
        process: 'cli',
        modules: { emoney: { config: { currency: 'JPY', providerAccounts: WORLD_PROVIDER_ACCOUNTS }, shops: WORLD_SHOPS } },
        terminals: [{ id: 'POS-CLI', ownerKind: 'store', ownerId: 'STORE-1', keyRef: 'k-POS-CLI' }],
      },
    });
    try {
      expect([...w.bankCli!.ready.values()].map((r) => r['bankCode'])).toEqual(WORLD_BANKS.map((b) => b.bankCode));
      expect(w.centerCli!.readyLine).toMatchObject({ listening: w.centerPort, emoney: true, engine: 'sqlite' });
      const files = readdirSync(w.dir);
      const secrets = [...files.filter((f) => f.startsWith('pin-') || f.startsWith('code-')), 'issuer.key', 'center-master.key'];
      expect(secrets.length).toBe(WORLD_ACCOUNTS.length + WORLD_PROVIDER_ACCOUNTS.length + 2);
      for (const f of secrets) expect((statSync(join(w.dir, f)).mode & 0o777).toString(8), f).toBe('600');
      const configs = files.filter((f) => f.endsWith('.json')).map((f) => readFileSync(join(w.dir, f), 'utf8'));
      expect(configs).toHaveLength(WORLD_BANKS.length + 1);
      for (const c of configs) {
        for (const a of WORLD_ACCOUNTS) expect(c).not.toContain(`"${a.pin}"`);
        expect(c).not.toContain(w.masterKey.toString('hex'));
        expect(c).not.toContain(w.issuerMasterKey.toString('hex'));
      }
      const first = w.centerCli!.process;
      first.signal('SIGKILL');
      await first.exited;
      await w.startCenter();
      expect(w.centerCli!.processes).toHaveLength(2);
      expect(w.centerCli!.readyLine).toMatchObject({ listening: w.centerPort });
    } finally {
      expect(await w.close()).toEqual([]);
    }
  }, 120_000);
});
