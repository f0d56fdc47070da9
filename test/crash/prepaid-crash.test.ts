/**
 * The fault matrix of a prepaid use (seed 000, Fig. 7), end to end, every
 * actor its own process through the one world builder: `tessera center`
 * (the prepaid center module + the merchant API, SQLite), `tessera provider
 * serve`, `tessera vendor serve` (sim/world/prepaid-parties.ts) and one
 * `tessera client` process per command on a medium's mount directory.
 *
 * Each cell arms one fault point (core/fault-points.ts: the center, the
 * provider and the vendor read a fault file, the client takes TESSERA_FAULT),
 * runs a payment, sees the armed process SIGKILL itself at that step (or the
 * reply dropped at that hop), starts the killed process again and retries
 * with the same request id (`tessera client resume`). After each cell:
 * paid exactly once (the center's balance, one usage row per request id,
 * the medium's slots at the confirmed generation with the same display
 * balance), the value equation (media + vendor payable + provider fees =
 * value paid in), the ledger audit; the next cell's payment shows the medium
 * still usable, and one more use ends the matrix.
 *
 *   step (Fig. 7)                  client            provider                    prepaid center               vendor
 *   adequacy check                 client.pending    provider.recorded.use       prepaid.use.adequate         down for a whole use
 *   service / payment booked       ·                 ·                           prepaid.use.booked           vendor.verified, vendor.stored (receipt claim)
 *   S31/S33 password + keys        ·                 ·                           prepaid.use.rotated          ·
 *   S37 reply                      client.use-answered  provider.relayed.use, provider.answered.use  prepaid.use.committed  ·
 *   S41/S43 write to the medium    client.slot-temp, client.written  ·          ·                            ·
 *   confirm (old generation erased) client.confirm-answered  provider.relayed.confirm, provider.answered.confirm  prepaid.confirm.erased, prepaid.confirm.committed  ·
 *   lost reply                     provider→client use and confirm (client.*-answered:drop), center→provider use and confirm (provider.relayed.*:drop), vendor→holder (claimed again)
 *
 * Then copies of a medium (used after the original, before it, and two PCs
 * at once), a medium of another issuer, and byte flips of the medium file.
 *
 * The suite runs a cell or two per actor (~60 s on a loaded 2-core machine);
 * every cell above (29, ~4-5 min):
 *   TESSERA_PREPAID_MATRIX=full npx vitest run test/crash/prepaid-crash.test.ts
 * The suite flips every byte through the client library in this process
 * (against the same provider and center) and three files through the client
 * CLI; every position through the CLI (minutes):
 *   TESSERA_PREPAID_FLIPS=all npx vitest run test/crash/prepaid-crash.test.ts
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDatabase } from '../../center/ledger/audit-target.js';
import { Ledger } from '../../center/ledger/ledger.js';
import { MerchantRegistry } from '../../center/merchant-api/merchants.js';
import { CENTER_MODULES } from '../../center/modules.js';
import { auditChecksOf } from '../../center/server/module.js';
import { openStorage } from '../../center/storage/open.js';
import type { Storage } from '../../center/storage/types.js';
import { systemClock } from '../../core/clock.js';
import { errorCode } from '../../core/errors.js';
import { FAULT_ENV, FAULT_FILE_ENV } from '../../core/fault-points.js';
import { systemRandom } from '../../core/random.js';
import { verifyReceipt } from '../../protocol/prepaid/receipt.js';
import { readSlots, SLOT_FILES } from '../../protocol/prepaid/slots.js';
import { unwrapFile, wrapFile } from '../../terminal/devices/files/file-envelope.js';
import { DirRemovableStore } from '../../terminal/devices/files/dir-removable-store.js';
import { PENDING_FILE, PrepaidClient } from '../../terminal/prepaid-client/client.js';
import { providerLink } from '../../terminal/prepaid-client/provider-link.js';
import { writeSecretFile } from '../../sim/world/cli-parts.js';
import type { CliProcess } from '../../sim/world/cli-process.js';
import { issuePrepaidMedia, prepaidProviderTerminal, startPrepaidParties, type IssuedMedium, type PrepaidParties } from '../../sim/world/prepaid-parties.js';
import { freeLoopbackPort } from '../../sim/world/terminals.js';
import { openWorld, type World } from '../../sim/world/world.js';

const ISSUER = 7;
const PROVIDER = 'PROV-1';
const VENDOR = 'VENDOR-1';
const FEE = 100;
const dir = mkdtempSync(join(tmpdir(), 'tsr-ppcrash-'));
const DB = join(dir, 'center.db');
const FAULTS = join(dir, 'faults');
const masterKey = randomBytes(32);
const prepaidKey = randomBytes(32);
const ALL_FLIPS = process.env['TESSERA_PREPAID_FLIPS'] === 'all';
/** Every cell of the matrix (about four minutes on a loaded 2-core machine); the suite runs one or two cells per actor. */
const FULL = process.env['TESSERA_PREPAID_MATRIX'] === 'full';
const pick = (all: readonly string[], suite: readonly string[]): readonly string[] => (FULL ? all : suite);

let world: World;
let pp: PrepaidParties;
let media: Record<'main' | 'after' | 'before' | 'both' | 'flip', IssuedMedium>;
let foreignMount: string;
/** What the center should hold for each medium (the test's model). */
const expected = new Map<string, number>();
let paidIn = 0;

async function withDb<T>(path: string, fn: (s: Storage) => Promise<T>): Promise<T> {
  const s = await openStorage(path);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}
const arm = (point: string): void => writeFileSync(FAULTS, `${point}\n`);
const centerProc = (): CliProcess => world.centerCli!.process;
const code = (output: string): string | undefined => /\b((?:PREPAID|PPCLIENT|PROVIDER|DEV)_[A-Z_]+)\b/.exec(output)?.[1];

/** The slots the medium holds now (read as the client reads them). */
async function slotsOf(mount: string) {
  const store = new DirRemovableStore({ mountDir: mount });
  try {
    const bytes = await Promise.all(SLOT_FILES.map((n) => store.readFile(n).catch(() => undefined)));
    return readSlots(bytes[0], bytes[1]);
  } finally {
    await store.close();
  }
}

/** The payment the medium holds as pending (the client's file, in its envelope). */
const pendingOf = async (mount: string): Promise<{ requestId: string }> => JSON.parse(unwrapFile(readFileSync(join(mount, PENDING_FILE)))!.toString('utf8')) as { requestId: string };

/** The center's record of a medium and the usage rows of a request. */
const centerView = (mediumId: string, requestId?: string) =>
  withDb(DB, async (s) => {
    const m = await s.read((q) => q.get<{ state: string; balance: number; confirmed_gen: number; pending_gen: number | null }>('SELECT state, balance, confirmed_gen, pending_gen FROM prepaid_media WHERE id = ?', [mediumId]));
    const n = requestId === undefined ? 0 : Number((await s.read((q) => q.get<{ n: number }>('SELECT COUNT(*) AS n FROM prepaid_usage WHERE request_id = ?', [requestId])))!.n);
    return { state: m!.state, balance: Number(m!.balance), confirmedGen: Number(m!.confirmed_gen), pendingGen: m!.pending_gen, usesOfRequest: n };
  });

/** Media + vendor payable + provider fees against the value paid in (the center's ledger), and the audit. */
async function checkBooks(): Promise<void> {
  const ids = Object.values(media).map((m) => m.mediumId);
  const books = await withDb(DB, async (s) => {
    const ledger = await Ledger.open(s, systemClock);
    const acc = await ledger.lookupAccounts([...ids.map((id) => `prepaid@${id}`), `vendor-payable@${VENDOR}`, `provider-fee@${PROVIDER}`]);
    return new Map(acc.map((a) => [a.id, Math.abs(a.debitsPostedMinor - a.creditsPostedMinor)]));
  });
  for (const id of ids) expect(books.get(`prepaid@${id}`), `medium ${id}`).toBe(expected.get(id));
  const held = ids.reduce((t, id) => t + books.get(`prepaid@${id}`)!, 0);
  expect(held + (books.get(`vendor-payable@${VENDOR}`) ?? 0) + (books.get(`provider-fee@${PROVIDER}`) ?? 0)).toBe(paidIn);
  const audit = await auditDatabase(DB, auditChecksOf(CENTER_MODULES));
  expect(audit.ok, JSON.stringify(audit)).toBe(true);
}

/** After a cell: the payment `requestId` of `amount` booked once, the medium settled at its confirmed generation, nothing pending. */
async function paidOnce(m: IssuedMedium, requestId: string, amount: number, books = true): Promise<void> {
  expected.set(m.mediumId, expected.get(m.mediumId)! - amount);
  const c = await centerView(m.mediumId, requestId);
  expect(c).toMatchObject({ state: 'settled', balance: expected.get(m.mediumId), pendingGen: null, usesOfRequest: 1 });
  const slots = await slotsOf(m.mount);
  expect(slots.current!.view.generation).toBe(c.confirmedGen);
  expect(slots.current!.view.displayBalanceMinor).toBe(c.balance);
  expect(() => readFileSync(join(m.mount, PENDING_FILE))).toThrow();
  if (books) await checkBooks();
}

let amountN = 0;
/** A fresh amount per cell, so a payment booked twice shows. */
const nextAmount = (): number => 10 + amountN++;

type Actor = 'client' | 'provider' | 'center';
const matrix: Array<{ actor: Actor; point: string; outcome: string }> = [];

/**
 * One cell: a payment with `point` armed in `actor`; the process dies there
 * (or the reply is dropped), is started again, and `tessera client resume`
 * finishes the payment with the same request id.
 */
async function cell(actor: Actor, point: string, o: { fee?: boolean; amount?: number; meanwhile?: () => Promise<void> } = {}): Promise<void> {
  const m = media.main;
  const amount = o.fee ? FEE : (o.amount ?? nextAmount());
  const drop = point.endsWith(':drop');
  if (actor !== 'client') arm(point);
  const killed = actor === 'center' ? centerProc() : actor === 'provider' ? pp.provider : null;
  const args = o.fee ? ['pay', '--fee'] : ['pay', '--vendor', VENDOR, '--amount', String(amount)];
  const t0 = Date.now();
  const run = await pp.client(args, m.mount, actor === 'client' ? { [FAULT_ENV]: point } : {});
  const t1 = Date.now();
  if (actor === 'client' && !drop) expect(run.code, run.output).toBeNull(); // SIGKILLed itself
  else expect(run.code, run.output).toBe(1);
  if (run.code === 1) expect(code(run.output), run.output).toBe('PPCLIENT_PROVIDER_UNREACHABLE');
  if (killed && !drop) {
    expect((await killed.exited).signal).toBe('SIGKILL');
    if (actor === 'center') await world.centerCli!.start();
    else await pp.restartProvider();
  }
  await o.meanwhile?.();
  const pending = await pendingOf(m.mount);
  const t2 = Date.now();
  const resumed = await pp.client(['resume'], m.mount);
  const t3 = Date.now();
  expect(resumed.code, resumed.output).toBe(0);
  expect(resumed.line).toMatchObject({ resumed: true, requestId: pending.requestId, balanceMinor: expected.get(m.mediumId)! - amount });
  await paidOnce(m, pending.requestId, amount);
  matrix.push({ actor, point, outcome: `paid once (${String(resumed.line['status'])} on resume; faulted run ${t1 - t0} ms, restart ${t2 - t1} ms, resume ${t3 - t2} ms)` });
}

beforeAll(async () => {
  writeFileSync(FAULTS, '');
  const masterKeyFile = writeSecretFile(dir, 'prepaid-master.key', `${prepaidKey.toString('hex')}\n`);
  const issued = await issuePrepaidMedia({
    db: DB, dir, masterKey: prepaidKey, issuerId: ISSUER, currency: 'JPY',
    media: [{ name: 'main', amountMinor: 100_000 }, { name: 'after', amountMinor: 5_000 }, { name: 'before', amountMinor: 5_000 }, { name: 'both', amountMinor: 5_000 }, { name: 'flip', amountMinor: 5_000 }],
  });
  media = { main: issued[0]!, after: issued[1]!, before: issued[2]!, both: issued[3]!, flip: issued[4]! };
  for (const m of issued) (expected.set(m.mediumId, m.amountMinor), (paidIn += m.amountMinor));
  // A medium of another issuer (its own prepaid center's database).
  const foreign = await issuePrepaidMedia({ db: join(dir, 'other-center.db'), dir, masterKey: randomBytes(32), issuerId: ISSUER + 1, currency: 'JPY', media: [{ name: 'foreign', amountMinor: 3_000 }] });
  foreignMount = foreign[0]!.mount;
  // The vendor's merchant and key on the center's merchant API.
  const apiKey = await withDb(DB, async (s) => {
    const merchants = await MerchantRegistry.open(s, systemClock, systemRandom);
    await merchants.add('vendor-one');
    return (await merchants.addKey('vendor-one')).key;
  });
  const apiKeyFile = writeSecretFile(dir, 'vendor.apikey', `${apiKey}\n`);
  const merchantPort = await freeLoopbackPort();
  const opening = openWorld({
    dir,
    masterKey,
    center: {
      process: 'cli',
      cliReadyMs: 60_000,
      cliEnv: { [FAULT_FILE_ENV]: FAULTS },
      terminals: [prepaidProviderTerminal(PROVIDER)],
      cliSections: {
        merchantApi: { host: '127.0.0.1', port: merchantPort },
        prepaid: { masterKeyFile, issuerId: ISSUER, currency: 'JPY', providers: [PROVIDER], vendors: [{ vendorId: VENDOR, merchant: 'vendor-one' }] },
      },
    },
  });
  // The parties' key pairs are made while the center starts.
  const parties = startPrepaidParties({
    dir, masterKey, centerPort: opening.then((w) => w.centerCli!.port), providerId: PROVIDER, issuerId: ISSUER, feeMinor: FEE,
    vendor: { vendorId: VENDOR, merchantApiUrl: `http://127.0.0.1:${merchantPort}`, apiKeyFile },
    env: { [FAULT_FILE_ENV]: FAULTS },
  });
  [world, pp] = await Promise.all([opening, parties]);
}, 180_000);

afterAll(async () => {
  await pp?.close();
  await world?.close();
  if (matrix.length > 0) console.log(`prepaid fault matrix (${matrix.length} cells):\n${matrix.map((c) => `  ${c.actor.padEnd(8)} ${c.point.padEnd(32)} ${c.outcome}`).join('\n')}`);
  rmSync(dir, { recursive: true, force: true });
});

describe('kill -9 of each actor at each step of a prepaid use, and lost replies', { timeout: FULL || ALL_FLIPS ? 3_600_000 : 240_000 }, () => {
  it('the client killed at each step (pending written, reply received, slot half-written, written, confirm answered): resume pays once', async () => {
    for (const point of pick(['client.pending', 'client.use-answered', 'client.slot-temp', 'client.written', 'client.confirm-answered'], ['client.slot-temp'])) await cell('client', point);
  });

  it('the provider center killed at each step (recorded, center answered, answer recorded; for the use and the confirm): resume pays once', async () => {
    for (const point of pick(['provider.recorded.use', 'provider.relayed.use', 'provider.answered.use', 'provider.recorded.confirm', 'provider.relayed.confirm', 'provider.answered.confirm'], [])) await cell('provider', point);
    await cell('provider', 'provider.relayed.use', { fee: true }); // the provider's own fee, killed after the center booked it
  });

  it('the prepaid center killed at each step (adequacy checked, payment booked, S31/S33 rotated, committed before S37; confirm erased, committed): resume pays once', async () => {
    for (const point of pick(['prepaid.use.adequate', 'prepaid.use.booked', 'prepaid.use.rotated', 'prepaid.use.committed', 'prepaid.confirm.erased', 'prepaid.confirm.committed'], ['prepaid.use.rotated', 'prepaid.confirm.committed'])) await cell('center', point);
  });

  it('a reply lost at each hop (center → provider, provider → client; use and confirm): the retry with the same request id pays once', async () => {
    for (const point of pick(['provider.relayed.use:drop', 'provider.relayed.confirm:drop'], [])) await cell('provider', point);
    for (const point of pick(['client.confirm-answered:drop'], [])) await cell('client', point);
    // The use's reply lost provider → client; meanwhile a copy of the medium pays from another PC (at the same time, made
    // deterministic): the copy is refused (PPCLIENT_MEDIUM_IN_USE, nothing paid), the first payment finishes once.
    const copy = join(dir, 'main-copy');
    cpSync(media.main.mount, copy, { recursive: true });
    await cell('client', 'client.use-answered:drop', {
      meanwhile: async () => {
        const second = await pp.client(['pay', '--vendor', VENDOR, '--amount', '123'], copy);
        expect(second.code, second.output).toBe(1);
        expect(code(second.output), second.output).toBe('PPCLIENT_MEDIUM_IN_USE');
        expect(await centerView(media.main.mediumId)).toMatchObject({ state: 'rotating', balance: expected.get(media.main.mediumId)! - 321 });
      },
      amount: 321,
    });
  });

  it('the vendor killed before and after it stored a receipt, and down for a whole use: the claim again answers the same signed receipt, one licence', async () => {
    const m = media.main;
    const http = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const res = await fetch(`${pp.vendorUrl}${path}`, { method, ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
      return { status: res.status, json: (await res.json()) as Record<string, any> };
    };
    const buy = async (itemCode: string) => {
      const order = await http('POST', '/orders', { itemCode });
      expect(order.status).toBe(201);
      const paid = await pp.client(['pay', '--vendor', VENDOR, '--amount', String(order.json['amountMinor'])], m.mount);
      expect(paid.code, paid.output).toBe(0);
      await paidOnce(m, String(paid.line['requestId']), Number(order.json['amountMinor']));
      return { orderId: String(order.json['orderId']), requestId: String(paid.line['requestId']), amountMinor: Number(order.json['amountMinor']) };
    };
    let licences = 0;
    let ordersPaidMinor = 0;
    for (const point of pick(['vendor.verified', 'vendor.stored'], ['vendor.stored'])) {
      const { orderId, requestId, amountMinor } = await buy(point === 'vendor.verified' ? 'SW-EDITOR' : 'SW-ARCHIVER');
      ordersPaidMinor += amountMinor;
      arm(point);
      const killed = pp.vendor!;
      await expect(http('POST', `/orders/${orderId}/payment`, { requestId })).rejects.toThrow();
      expect((await killed.exited).signal).toBe('SIGKILL');
      await pp.restartVendor();
      const first = await http('POST', `/orders/${orderId}/payment`, { requestId });
      expect(first.status, JSON.stringify(first.json)).toBe(200);
      // The holder lost that answer too: the claim again is the same receipt, byte for byte.
      const again = await http('POST', `/orders/${orderId}/payment`, { requestId });
      expect(again.json['receipt']).toBe(first.json['receipt']);
      expect(verifyReceipt(Buffer.from(String(first.json['receipt']), 'base64'), Buffer.from(pp.vendorPublicKey!, 'hex'))).toMatchObject({ orderId, requestId, licenceKey: first.json['licenceKey'] });
      licences++;
      matrix.push({ actor: 'vendor' as Actor, point, outcome: 'same receipt on the claim again, one licence' });
    }
    if (FULL) {
      // The vendor is on no step of the medium's update: killed before a use, the use completes; the receipt is claimed after its restart.
      const down = pp.vendor!;
      down.signal('SIGKILL');
      await down.exited;
      const paid = await pp.client(['pay', '--vendor', VENDOR, '--amount', '500'], m.mount);
      expect(paid.code, paid.output).toBe(0);
      await paidOnce(m, String(paid.line['requestId']), 500);
      await pp.restartVendor();
      const late = await http('POST', '/orders', { itemCode: 'GD-MANUAL' });
      const claim = await http('POST', `/orders/${late.json['orderId']}/payment`, { requestId: paid.line['requestId'] });
      expect(claim.status, JSON.stringify(claim.json)).toBe(200);
      ordersPaidMinor += 500;
      matrix.push({ actor: 'vendor' as Actor, point: '(killed for a whole use)', outcome: 'use completes; receipt claimed after restart' });
    }
    const orders = (await http('GET', '/orders')).json['orders'] as Array<{ state: string; licenceKey: string | null }>;
    expect(orders.filter((o) => o.state === 'paid' && o.licenceKey).length).toBe(licences);
    // Vendor receipts against the center: every vendor payment booked once is the vendor's payable.
    const st = await http('GET', '/statement');
    const vendorPayable = await withDb(DB, async (s) => {
      const [a] = await (await Ledger.open(s, systemClock)).lookupAccounts([`vendor-payable@${VENDOR}`]);
      return Math.abs(a!.debitsPostedMinor - a!.creditsPostedMinor);
    });
    expect(st.json['centerPaidMinor']).toBe(vendorPayable);
    expect(st.json['ordersPaidMinor']).toBe(ordersPaidMinor);
  });

});

describe('copies, another issuer, damaged files', { timeout: FULL || ALL_FLIPS ? 3_600_000 : 240_000 }, () => {
  it('one more use of the matrix\'s medium succeeds; copies: used after the original (refused, frozen), before it (the copy\'s use stands, the original refused, frozen), two at the same time from two client processes (at most one succeeds); the value kept', async () => {
    const copyOf = (m: IssuedMedium): string => {
      const copy = `${m.mount}-copy`;
      cpSync(m.mount, copy, { recursive: true });
      return copy;
    };
    const pay = (mount: string, amount: number) => pp.client(['pay', '--vendor', VENDOR, '--amount', String(amount)], mount);
    // Three media at once, each its own flow (no kills here), and one more use of the matrix's medium beside them.
    await Promise.all([
      (async () => {
        const amount = nextAmount();
        const r = await pay(media.main.mount, amount);
        expect(r.code, r.output).toBe(0);
        await paidOnce(media.main, String(r.line['requestId']), amount, false); // the books once all four are done
      })(),
      (async () => {
        const m = media.after;
        const copy = copyOf(m);
        const r = await pay(m.mount, 700);
        expect(r.code, r.output).toBe(0);
        const clone = await pay(copy, 700);
        expect(clone.code).toBe(1);
        expect(code(clone.output)).toBe('PREPAID_CLONE_REFUSED');
        expected.set(m.mediumId, 5_000 - 700);
        expect(await centerView(m.mediumId)).toMatchObject({ state: 'frozen', balance: 4_300 });
      })(),
      (async () => {
        const m = media.before;
        const copy = copyOf(m);
        const first = await pay(copy, 600);
        expect(first.code, first.output).toBe(0);
        const orig = await pay(m.mount, 600);
        expect(code(orig.output)).toBe('PREPAID_CLONE_REFUSED');
        expected.set(m.mediumId, 5_000 - 600);
        expect(await centerView(m.mediumId)).toMatchObject({ state: 'frozen', balance: 4_400 });
      })(),
      (async () => {
        const m = media.both;
        const copy = copyOf(m);
        const a = pp.clientProcess(['pay', '--vendor', VENDOR, '--amount', '900'], m.mount);
        const b = pp.clientProcess(['pay', '--vendor', VENDOR, '--amount', '900'], copy);
        const [ea, eb] = await Promise.all([a.exited, b.exited]);
        const ok = [ea.code, eb.code].filter((c) => c === 0).length;
        expect(ok, `${a.output}\n${b.output}`).toBe(1);
        // The other: the use of the same generation in progress (PPCLIENT_MEDIUM_IN_USE), or, once the first confirmed, a clone.
        for (const p of [a, b]) if (!p.lines.some((l) => l['ok'] === true)) expect(code(p.output), p.output).toMatch(/^(PPCLIENT_MEDIUM_IN_USE|PREPAID_CLONE_REFUSED)$/);
        expected.set(m.mediumId, 5_000 - 900);
        expect((await centerView(m.mediumId)).balance).toBe(4_100);
      })(),
    ]);
    const frozen = await withDb(DB, (s) => s.read((q) => q.all<{ medium_id: string }>('SELECT medium_id FROM prepaid_clones', [])));
    expect(frozen.map((f) => f.medium_id)).toEqual(expect.arrayContaining([media.after.mediumId, media.before.mediumId]));
    await checkBooks();
  });

  it('every byte of the medium file flipped in turn, and a medium of another issuer: a coded refusal, never a crash, nothing frozen, the medium usable after', async () => {
    const m = media.flip;
    const onDisk = readFileSync(join(m.mount, SLOT_FILES[0]));
    const inner = unwrapFile(onDisk)!;
    expect(inner).not.toBeNull();
    const resealed = (b: Buffer): Buffer => {
      // A forger who knows the format: the integrity check made right again, so the file reaches the center.
      const body = b.subarray(0, b.length - 16);
      return Buffer.concat([body, createHash('sha256').update(body).digest().subarray(0, 16)]);
    };
    const flipped = (b: Buffer, i: number): Buffer => {
      const c = Buffer.from(b);
      c[i]! ^= 0xff;
      return c;
    };
    const codes = new Map<string, number>();
    const count = (c: string): void => void codes.set(c, (codes.get(c) ?? 0) + 1);
    // Every position through the client library in this process (the same provider, the same center), eight at once.
    const variants: Array<(i: number) => Buffer | null> = [
      (i) => (i < inner.length ? wrapFile(flipped(inner, i)) : null), // the file damaged: its check fails
      // A forged file with a right check reaches the center: every header byte, then every 8th (all with TESSERA_PREPAID_FLIPS=all).
      (i) => (i < inner.length - 16 && (ALL_FLIPS || i < 54 || i % 8 === 0) ? wrapFile(resealed(flipped(inner, i))) : null),
      (i) => (i < onDisk.length ? flipped(onDisk, i) : null), // the envelope on the medium damaged
    ];
    const work = variants.flatMap((v) => Array.from({ length: onDisk.length }, (_, i) => ({ i, bytes: v(i) }))).filter((w): w is { i: number; bytes: Buffer } => w.bytes !== null);
    let tried = work.length;
    const worker = async (n: number): Promise<void> => {
      const mount = join(dir, `flip-${n}`);
      mkdirSync(mount, { recursive: true });
      const client = new PrepaidClient(new DirRemovableStore({ mountDir: mount }), providerLink({ url: pp.providerUrl, spkiPin: pp.spkiPin }), systemRandom);
      for (let w = work.shift(); w; w = work.shift()) {
        writeFileSync(join(mount, SLOT_FILES[0]), w.bytes);
        const e = await client.balance().then(() => 'ACCEPTED', (x: unknown) => errorCode(x));
        expect(e, `position ${w.i}`).toMatch(/^(PREPAID|PPCLIENT)_/);
        count(e);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, n) => worker(n)));
    // Through the client CLI process: three files at once in the suite (a damaged ciphertext, a forged generation, a forged
    // ciphertext), each on its own copy of the medium; every position both ways with TESSERA_PREPAID_FLIPS=all (sequential, minutes).
    const gen = 26 + 3;
    const body = inner.length - 50;
    const files = ALL_FLIPS
      ? [...inner.keys()].flatMap((i) => [wrapFile(flipped(inner, i)), ...(i < inner.length - 16 ? [wrapFile(resealed(flipped(inner, i)))] : [])])
      : [wrapFile(flipped(inner, body)), wrapFile(resealed(flipped(inner, gen))), wrapFile(resealed(flipped(inner, body)))];
    const viaCli = async (bytes: Buffer, n: number): Promise<string> => {
      const mount = join(dir, `flip-cli-${n % 3}`);
      mkdirSync(mount, { recursive: true });
      writeFileSync(join(mount, SLOT_FILES[0]), bytes);
      const r = await pp.client(['balance'], mount);
      expect(r.code, r.output).toBe(1);
      expect(r.output).not.toMatch(/\n\s+at /); // no stack trace
      return code(r.output) ?? `uncoded: ${r.output}`;
    };
    // Beside them, a medium of another issuer: refused by the provider itself, and recorded there.
    const foreign = pp.client(['balance'], foreignMount);
    const cliCodes = ALL_FLIPS ? [] : await Promise.all(files.map((f, n) => viaCli(f, n)));
    const f = await foreign;
    expect(f.code).toBe(1);
    expect(code(f.output)).toBe('PREPAID_FOREIGN_ISSUER');
    const refusals = await withDb(pp.providerDb, (db) => db.read((q) => q.all<{ code: string }>("SELECT code FROM provider_requests WHERE status = 'refused'", [])));
    expect(refusals.map((x) => x.code)).toContain('PREPAID_FOREIGN_ISSUER');
    if (ALL_FLIPS) for (const [n, f] of files.entries()) cliCodes.push(await viaCli(f, n));
    for (const c of cliCodes) expect(c).toMatch(/^(PREPAID|PPCLIENT)_/);
    if (!ALL_FLIPS) expect(cliCodes).toEqual(['PPCLIENT_NO_MEDIUM', 'PREPAID_GENERATION_UNKNOWN', 'PREPAID_FILE_AUTH_FAILED']);
    tried += files.length;
    console.log(`byte flips: ${tried} files refused: ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}`);
    expect(await centerView(m.mediumId)).toMatchObject({ state: 'settled', balance: 5_000 });
    const after = await pp.client(['pay', '--vendor', VENDOR, '--amount', '50'], m.mount);
    expect(after.code, after.output).toBe(0);
    await paidOnce(m, String(after.line['requestId']), 50);
    // The old generation's file is erased once the new one is confirmed (the seed's end of ¶0037): a damaged current file
    // then reads as no medium, never as the superseded generation (which the center would take for a clone and freeze).
    const slots = await slotsOf(m.mount);
    expect(slots.slots.map((x) => x.code ?? x.view!.generation).filter((x) => x !== 'EMPTY')).toEqual([2]);
    const current = join(m.mount, SLOT_FILES[slots.current!.slot]);
    const good = readFileSync(current);
    writeFileSync(current, wrapFile(flipped(unwrapFile(good)!, 100)));
    const damaged = await pp.client(['balance'], m.mount);
    expect(code(damaged.output), damaged.output).toBe('PPCLIENT_NO_MEDIUM');
    expect(await centerView(m.mediumId)).toMatchObject({ state: 'settled', balance: 4_950 });
    writeFileSync(current, good);
  });
});
