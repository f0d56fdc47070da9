/**
 * Seed 000 over the wire, every actor its own process: `tessera center` with
 * the prepaid module (the provider registered as a terminal), `tessera
 * provider serve` (HTTPS, TLS 1.3, its own record), and `tessera client` on a
 * medium's mount directory (a medium issued through the Prepaid api, as the
 * prepaid terminal will). Balance, a vendor payment, the provider's fee, a
 * repeated request answered from the provider's record (the center frozen),
 * a kill -9 of the provider between relaying and answering (the client
 * resumes, nothing twice), and a copied medium used after the original:
 * refused and frozen. The ledger audits.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../center/ledger/ledger.js';
import { Prepaid, PREPAID_MEDIUM_KIND } from '../../center/prepaid/prepaid.js';
import { ValidityRepository } from '../../center/validity/repository.js';
import { openStorage } from '../../center/storage/open.js';
import { systemClock } from '../../core/clock.js';
import { CHANNEL_OP, CHANNEL_SERVICE, channelKeysOfFile, requestProof } from '../../protocol/prepaid/channel.js';
import { readSlots, SLOT_FILES } from '../../protocol/prepaid/slots.js';
import { DirRemovableStore } from '../../terminal/devices/files/dir-removable-store.js';
import { LinkClient } from '../../terminal/link/link-client.js';
import { PENDING_FILE } from '../../terminal/prepaid-client/client.js';
import { providerLink } from '../../terminal/prepaid-client/provider-link.js';
import { CliProcess, runCli, type JsonLine } from '../../sim/world/cli-process.js';
import { freeLoopbackPort, writeTerminalKey } from '../../sim/world/terminals.js';
import { openWorld, type World } from '../../sim/world/world.js';
import { eventually } from '../terminal/devices/wait.js';

const ISSUER = 7;
const PROVIDER = 'PROV-1';
const FEE = 100;
const dir = mkdtempSync(join(tmpdir(), 'tessera-ppwire-'));
const mount = join(dir, 'medium');
const copy = join(dir, 'medium-copy');
const masterKey = randomBytes(32);
const prepaidKey = randomBytes(32);
let world: World;
let mediumId: string;
let providerPort: number;
let spkiPin: string;
const providers: CliProcess[] = [];
const provider = (): CliProcess => providers[providers.length - 1]!;
const centerProc = (): CliProcess => world.centerCli!.process;

const clientConfig = (mountDir: string): string => {
  const path = join(dir, `client-${mountDir === mount ? 'a' : 'b'}.json`);
  writeFileSync(path, JSON.stringify({ mountDir, provider: { url: `https://127.0.0.1:${providerPort}`, spkiPin } }));
  return path;
};
async function client(args: string[], mountDir = mount): Promise<{ code: number | null; line: JsonLine; output: string }> {
  const r = await runCli(['client', ...args, '--config', clientConfig(mountDir)], {}, 40_000);
  return { code: r.code, line: r.lines.find((l) => l['ok'] === true) ?? {}, output: r.output };
}
async function startProvider(): Promise<void> {
  const p = new CliProcess('provider', ['provider', 'serve', '--config', join(dir, 'provider.json')]);
  providers.push(p);
  await p.ready(30_000);
}
async function withDb<T>(path: string, fn: (s: Awaited<ReturnType<typeof openStorage>>) => Promise<T>): Promise<T> {
  const s = await openStorage(path);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}
const providerRows = () => withDb(join(dir, 'provider.db'), (s) => s.read((q) => q.all<{ id: string; op: string; state: string; status: string | null; code: string | null; attempts: number }>('SELECT id, op, state, status, code, attempts FROM provider_requests ORDER BY created_ms, id', [])));
const view = () => {
  const store = new DirRemovableStore({ mountDir: mount });
  return Promise.all(SLOT_FILES.map((n) => store.readFile(n).catch(() => undefined))).then(([a, b]) => readSlots(a, b).current!.view);
};

beforeAll(async () => {
  // The medium, issued through the Prepaid api on the center's database before the center starts (the prepaid terminal's part).
  const prepaidKeyFile = join(dir, 'prepaid-master.key');
  writeFileSync(prepaidKeyFile, `${prepaidKey.toString('hex')}\n`, { mode: 0o600 });
  const issued = await withDb(join(dir, 'center.db'), async (storage) => {
    const pp = await Prepaid.open({ storage, config: { masterKey: prepaidKey, issuerId: ISSUER, currency: 'JPY' } });
    const r = await pp.issue({ requestId: randomBytes(16).toString('hex'), amountMinor: 10_000, currency: 'JPY', terminalId: 'KIOSK-1' });
    // On the validity lists, as the prepaid module registers what it issues.
    const validity = await ValidityRepository.open(storage);
    validity.kinds.register(PREPAID_MEDIUM_KIND);
    await validity.addMedia([{ id: r.mediumId, kind: PREPAID_MEDIUM_KIND.name, expiresAtMs: Date.now() + 86_400_000 }]);
    return r;
  });
  mediumId = issued.mediumId;
  mkdirSync(mount);
  await new DirRemovableStore({ mountDir: mount }).writeFile(SLOT_FILES[0], issued.file!);

  world = await openWorld({
    dir,
    masterKey,
    center: {
      process: 'cli',
      terminals: [
        { id: PROVIDER, ownerKind: 'store', ownerId: 'PROVIDER-1', keyRef: `k-${PROVIDER}` },
        { id: 'SHOP-9', ownerKind: 'store', ownerId: 'SHOP-9', keyRef: 'k-SHOP-9' },
      ],
      cliSections: { prepaid: { masterKeyFile: prepaidKeyFile, issuerId: ISSUER, currency: 'JPY', providers: [PROVIDER] } },
      cliReadyMs: 40_000,
    },
  });

  const keygen = await runCli(['provider', 'keygen', '--out', dir], {}, 40_000);
  expect(keygen.code, keygen.output).toBe(0);
  spkiPin = String(keygen.lines[0]!['spkiPin']);
  providerPort = await freeLoopbackPort();
  writeFileSync(join(dir, 'provider.json'), JSON.stringify({
    providerId: PROVIDER, db: join(dir, 'provider.db'), listen: { host: '127.0.0.1', port: providerPort },
    tls: { certFile: join(dir, 'provider-tls.pem'), keyFile: join(dir, 'provider-tls.key') },
    prepaidCenter: { centers: [{ host: '127.0.0.1', port: world.centerCli!.port }], keyFile: writeTerminalKey(dir, masterKey, PROVIDER).keyFile, issuerId: ISSUER, currency: 'JPY' },
    fee: { amountMinor: FEE },
  }));
  await startProvider();
}, 300_000);

afterAll(async () => {
  centerProc()?.signal('SIGCONT');
  await Promise.all(providers.map((p) => p.stop()));
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('prepaid media used from a PC through the provider center', () => {
  it('balance, a vendor payment and the provider fee, each rewriting the medium and confirmed', async () => {
    const b = await client(['balance']);
    expect(b.code, b.output).toBe(0);
    expect(b.line).toMatchObject({ mediumId, generation: 1, balanceMinor: 10_000, status: 'confirmed' });

    cpSync(mount, copy, { recursive: true }); // a copy of generation 1, used at the end

    const pay = await client(['pay', '--vendor', 'VENDOR-1', '--amount', '1200']);
    expect(pay.code, pay.output).toBe(0);
    expect(pay.line).toMatchObject({ mediumId, generation: 2, balanceMinor: 8_800, status: 'confirmed' });
    expect((await view()).generation).toBe(2);

    const fee = await client(['pay', '--fee']);
    expect(fee.code, fee.output).toBe(0);
    expect(fee.line).toMatchObject({ generation: 3, balanceMinor: 8_800 - FEE });

    const log = await client(['log']);
    expect((log.line['entries'] as Array<{ amountMinor: number }>).map((e) => e.amountMinor)).toEqual([10_000, 1_200, FEE]);
    expect(log.line['displayBalanceMinor']).toBe(8_700);
    expect((await providerRows()).filter((r) => r.op === 'use').map((r) => [r.state, r.status, r.attempts])).toEqual([['answered', 'done', 1], ['answered', 'done', 1]]);
  }, 300_000);

  it('a repeated request id is answered from the provider\'s record without the prepaid center; resume finishes it', async () => {
    const v = await view();
    const requestId = randomBytes(16).toString('hex');
    const pay = { service: 'vendor' as const, payee: 'VENDOR-2', amountMinor: 500, currency: 'JPY' };
    const proof = requestProof(channelKeysOfFile(v.bytes), {
      op: CHANNEL_OP.USE, requestId: Buffer.from(requestId, 'hex'), issuerId: ISSUER, mediumId: v.mediumId, generation: v.generation,
      service: CHANNEL_SERVICE.VENDOR, payee: pay.payee, amountMinor: pay.amountMinor, currency: 'JPY',
    });
    const body = { requestId, issuerId: ISSUER, mediumId, generation: v.generation, proof: proof.toString('base64'), ...pay };
    const link = providerLink({ url: `https://127.0.0.1:${providerPort}`, spkiPin });
    // The PC sent it and died: the pending payment is on the medium.
    await new DirRemovableStore({ mountDir: mount }).writeFile(PENDING_FILE, Buffer.from(JSON.stringify({ ...pay, requestId, mediumId, generation: v.generation })));
    const first = await link.post<Record<string, unknown>>('/v1/prepaid/use', body);
    expect(first).toMatchObject({ status: 'done', code: 'OK', balanceMinor: 8_200, generation: 4 });

    centerProc().signal('SIGSTOP');
    try {
      const again = await link.post<Record<string, unknown>>('/v1/prepaid/use', body);
      expect(again).toEqual(first); // the same sealed file: from the record
      const other = await link.post<Record<string, unknown>>('/v1/prepaid/use', { ...body, amountMinor: 501 }).catch((e: { code?: string }) => e.code);
      expect(other).toBe('PROVIDER_REQUEST_ID_REUSED');
    } finally {
      centerProc().signal('SIGCONT');
    }
    expect((await providerRows()).find((r) => r.id === requestId)).toMatchObject({ state: 'answered', status: 'done', attempts: 1 });

    const resumed = await client(['resume']);
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.line).toMatchObject({ resumed: true, generation: 4, balanceMinor: 8_200 });
    expect((await view()).generation).toBe(4);
  }, 300_000);

  it('kill -9 of the provider between relaying and answering: the client resumes with the same request id, paid once', async () => {
    centerProc().signal('SIGSTOP');
    const before = (await providerRows()).length;
    const pc = new CliProcess('client', ['client', 'pay', '--vendor', 'VENDOR-3', '--amount', '300', '--config', clientConfig(mount)]);
    try {
      await eventually(async () => (await providerRows()).some((r, i) => i >= before && r.state === 'relaying' && r.op === 'use'), 40_000, 'the use relayed');
      provider().signal('SIGKILL');
      expect((await provider().exited).signal).toBe('SIGKILL');
    } finally {
      centerProc().signal('SIGCONT');
    }
    const ended = await pc.exited;
    expect(ended.code).toBe(1);
    expect(pc.output).toContain('PPCLIENT_PROVIDER_UNREACHABLE');
    expect(readFileSync(join(mount, PENDING_FILE)).length).toBeGreaterThan(0);

    await startProvider();
    const again = await client(['pay', '--vendor', 'VENDOR-3', '--amount', '300']);
    expect(again.code).toBe(1);
    expect(again.output).toContain('PPCLIENT_PENDING_REQUEST');
    const resumed = await client(['resume']);
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.line).toMatchObject({ resumed: true, generation: 5, balanceMinor: 7_900 });
    const rows = (await providerRows()).filter((r) => r.op === 'use');
    expect(rows[rows.length - 1]).toMatchObject({ state: 'answered', status: 'repeated', attempts: 2 });
    const paid = await withDb(join(dir, 'center.db'), (s) => s.read((q) => q.all<{ n: number }>("SELECT COUNT(*) AS n FROM prepaid_usage WHERE payee = 'VENDOR-3'", [])));
    expect(Number(paid[0]!.n)).toBe(1);
  }, 300_000);

  it('a terminal that is not a provider is refused; a copied medium used after the original is refused and frozen; the ledger audits', async () => {
    const shop = new LinkClient({ terminalId: 'SHOP-9', terminalKey: readKey('SHOP-9'), centers: [{ host: '127.0.0.1', port: world.centerCli!.port }], maxAttempts: 1 });
    shop.start();
    try {
      const v = await view();
      const r = await shop.request({ type: 'prepaidConfirm', transactionId: randomBytes(16), mediumId: v.mediumId, generation: v.generation, mediumProof: randomBytes(16) });
      expect(r).toMatchObject({ type: 'prepaidConfirmResult', status: 1, resultCode: 0x0430 });
    } finally {
      await shop.close();
    }

    const clone = await client(['balance'], copy);
    expect(clone.code).toBe(1);
    expect(clone.output).toContain('PREPAID_CLONE_REFUSED');
    const original = await client(['balance']);
    expect(original.code).toBe(1);
    expect(original.output).toContain('PREPAID_MEDIUM_FROZEN');
    expect((await providerRows()).filter((r) => r.status === 'refused').map((r) => r.code)).toEqual(['PREPAID_CLONE_REFUSED', 'PREPAID_MEDIUM_FROZEN']);
    const frozen = await withDb(join(dir, 'center.db'), (s) => s.read((q) => q.all<{ state: string; balance: number }>('SELECT state, balance FROM prepaid_media WHERE id = ?', [mediumId])));
    expect(frozen[0]).toMatchObject({ state: 'frozen' });
    expect(Number(frozen[0]!.balance)).toBe(7_900);

    const books = await withDb(join(dir, 'center.db'), async (s) => {
      const ledger = await Ledger.open(s, systemClock);
      const acc = await ledger.lookupAccounts([`prepaid@${mediumId}`, 'vendor-payable@VENDOR-1', 'vendor-payable@VENDOR-2', 'vendor-payable@VENDOR-3', `provider-fee@${PROVIDER}`]);
      return acc.map((a) => [a.id, Math.abs(a.debitsPostedMinor - a.creditsPostedMinor)]);
    });
    expect(books).toEqual([[`prepaid@${mediumId}`, 7_900], ['vendor-payable@VENDOR-1', 1_200], ['vendor-payable@VENDOR-2', 500], ['vendor-payable@VENDOR-3', 300], [`provider-fee@${PROVIDER}`, FEE]]);
    const audit = await runCli(['audit', '--db', join(dir, 'center.db')], {}, 40_000);
    expect(audit.code, audit.output).toBe(0);
  }, 300_000);
});

function readKey(terminalId: string): Buffer {
  return Buffer.from(readFileSync(writeTerminalKey(dir, masterKey, terminalId).keyFile, 'utf8').trim(), 'hex');
}
