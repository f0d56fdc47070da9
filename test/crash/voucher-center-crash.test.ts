/**
 * Crash test of the voucher settlement center: a `tessera center` process
 * (world builder, `process: 'cli'`, SQLite file) with the voucher module,
 * its HQ link and the merchant API, killed with SIGKILL at seeded random
 * moments while requests are in flight, and started again on the same
 * config, ports and database.
 *
 * (a) Activations: concurrent senders play the HQ over the signed HQ link
 *     (center/hq's httpsCenterLink, a new signature per attempt), each
 *     repeating its request (same POS request id) until the center answers.
 *     Afterwards every answered activation is active exactly once with its
 *     request, no card is active without an activation row or twice, the
 *     cards never sent stay issued, and the audit (ledger + voucher
 *     liability) passes.
 * (b) Redemptions: concurrent shops through the typed merchant client, each
 *     repeating a redemption with the same Idempotency-Key until answered.
 *     Afterwards each key maps to one redemption, every answered redemption
 *     is in the database and answers the same over the API, nothing is
 *     captured twice (per card: captured ≤ value, balance = value − the
 *     answered captures), and the audit passes.
 *
 * Reproduce a run: TESSERA_CRASH_SEED=<seed printed> npx vitest run test/crash/voucher-center-crash.test.ts
 * More kills: TESSERA_CRASH_KILLS=10.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsCenterLink } from '../../center/hq/center-link.js';
import { auditDatabase } from '../../center/ledger/audit-target.js';
import { MerchantApiError, MerchantClient } from '../../center/merchant-api/client.js';
import { MerchantRegistry } from '../../center/merchant-api/merchants.js';
import { CENTER_MODULES } from '../../center/modules.js';
import { auditChecksOf } from '../../center/server/module.js';
import { openStorage } from '../../center/storage/open.js';
import { MediumKinds } from '../../center/validity/kinds.js';
import { ValidityRepository } from '../../center/validity/repository.js';
import type { ActivationResult, PrintableCard } from '../../center/voucher/api.js';
import { VOUCHER_MEDIUM_KIND } from '../../center/voucher/module.js';
import { Vouchers } from '../../center/voucher/vouchers.js';
import { systemClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import { SeededRandom, SystemRandom, systemRandom } from '../../core/random.js';
import { writeSecretFile } from '../../sim/world/cli-parts.js';
import { freeLoopbackPort } from '../../sim/world/terminals.js';
import { openWorld, type World } from '../../sim/world/world.js';

const SEED = Number(process.env['TESSERA_CRASH_SEED'] ?? new SystemRandom().int(2 ** 31));
const KILLS = Number(process.env['TESSERA_CRASH_KILLS'] ?? 3);
const SENDERS = 4;
const FACE = 1000;
const SELL_CARDS = 1_000;
const SHOP_CARDS = 40;
/** Requests the test has sent and not yet had an answer or an error for (the killer waits for one). */
let inFlight = 0;

const dir = mkdtempSync(join(tmpdir(), 'tsr-vcrash-'));
const DB = join(dir, 'center.db');
const PIN_KEY = Buffer.alloc(32, 9);
const { privateKey: HQ_KEY, publicKey: HQ_PUB } = generateKeyPairSync('ed25519');
const rnd = new SeededRandom(SEED);
let world: World;
let toSell: PrintableCard[];
let inWallets: PrintableCard[];
let shopKey: string;
let linkUrl: string;
let baseUrl: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex32 = () => randomBytes(16).toString('hex');

function rows<T>(sql: string, ...args: unknown[]): T[] {
  const db = new Database(DB, { readonly: true });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
}

/**
 * Kills the center with SIGKILL `KILLS` times, each at a seeded random moment
 * 150–900 ms after it is ready and while a request is in flight, and starts it
 * again on the same database; resolves once the last process is ready.
 */
async function killer(): Promise<{ kills: number; ms: number[]; inFlightAtKill: number[] }> {
  const cli = world.centerCli!;
  const startMs: number[] = [];
  const inFlightAtKill: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    await sleep(150 + rnd.int(750));
    for (let i = 0; i < 2_000 && inFlight === 0; i++) await sleep(1); // mid-request (the senders are busy all along)
    inFlightAtKill.push(inFlight);
    const p = cli.process;
    p.signal('SIGKILL');
    expect((await p.exited).signal).toBe('SIGKILL');
    const t = Date.now();
    await cli.start();
    startMs.push(Date.now() - t);
  }
  return { kills: KILLS, ms: startMs, inFlightAtKill };
}

beforeAll(async () => {
  // The center's database before its first process: HQ-1 with cards to sell, and cards already sold for the shops.
  const storage = await openStorage(DB);
  try {
    const kinds = new MediumKinds();
    kinds.register(VOUCHER_MEDIUM_KIND);
    const v = await Vouchers.open({ storage, clock: systemClock, random: systemRandom, log: silentLogger, pinKey: PIN_KEY, validity: await ValidityRepository.open(storage, kinds) });
    await v.registerHq('HQ-1', { commissionBp: 250 });
    const sell = await v.issueBatch({ hqId: 'HQ-1', denomination: FACE, count: SELL_CARDS });
    toSell = [...(await v.takeForPrinting(sell.batchId))];
    const sold = await v.issueBatch({ hqId: 'HQ-1', denomination: FACE, count: SHOP_CARDS });
    inWallets = [...(await v.takeForPrinting(sold.batchId))];
    for (const c of inWallets) await v.activate({ requestId: hex32(), hqId: 'HQ-1', storeId: 'S1', terminalId: 'POS-1', serial: c.serial, amount: FACE, currency: 'JPY' });
    const merchants = await MerchantRegistry.open(storage, systemClock, systemRandom);
    await merchants.add('web-shop');
    shopKey = (await merchants.addKey('web-shop')).key;
  } finally {
    await storage.close();
  }
  const pinKeyFile = writeSecretFile(dir, 'pin.key', PIN_KEY.toString('hex'));
  const pubFile = join(dir, 'hq-1.pub');
  writeFileSync(pubFile, HQ_PUB.export({ format: 'pem', type: 'spki' }) as string);
  const linkPort = await freeLoopbackPort();
  const apiPort = await freeLoopbackPort();
  linkUrl = `http://127.0.0.1:${linkPort}`;
  baseUrl = `http://127.0.0.1:${apiPort}`;
  world = await openWorld({
    dir,
    center: {
      process: 'cli',
      cliReadyMs: 90_000,
      cliSections: {
        voucher: { pinKeyFile, hqs: [{ hqId: 'HQ-1', commissionBp: 250 }], sweepIntervalMs: 60_000 },
        hqLink: { port: linkPort, hqs: [{ hqId: 'HQ-1', publicPemFile: pubFile }] },
        merchantApi: { host: '127.0.0.1', port: apiPort },
      },
    },
  });
  console.log(`voucher center crash: seed ${SEED}, ${KILLS} kills per part (TESSERA_CRASH_SEED=${SEED} to repeat)`);
}, 120_000);

afterAll(async () => {
  await world?.close();
});

describe('kill -9 of the voucher settlement center', () => {
  it('activations over the signed HQ link, repeated until answered: each answered one active exactly once, no card active twice or without its request, audit ok', async () => {
    const t0 = Date.now();
    const link = httpsCenterLink({ url: linkUrl, hqId: 'HQ-1', key: HQ_KEY, clock: systemClock, random: systemRandom });
    const answered = new Map<string, { requestId: string; body: Record<string, unknown>; result: ActivationResult }>();
    const queue = [...toSell];
    let done = false;
    let attempts = 0;
    let failures = 0;
    const sender = async (n: number) => {
      while (!done) {
        const card = queue.shift();
        if (!card) break;
        const body = { requestId: hex32(), storeId: 'S1', terminalId: `POS-${n}`, serial: card.serial, amount: FACE, currency: 'JPY' };
        for (;;) {
          attempts++;
          inFlight++;
          try {
            const a = await link.call<ActivationResult>('POST', '/hq/v1/activations', body).finally(() => inFlight--);
            if (!a.ok) throw new Error(`activation of ${card.serial} refused: ${a.code} ${JSON.stringify(a.details)}`);
            answered.set(card.serial, { requestId: body.requestId, body, result: a.value });
            break;
          } catch (e) {
            if (!(e instanceof Error && 'code' in e && e.code === 'HQ_LINK_FAILED')) throw e;
            failures++;
            await sleep(50); // the center is down or restarting: the same request again
          }
        }
      }
    };
    const senders = Promise.all(Array.from({ length: SENDERS }, (_, i) => sender(i + 1)));
    senders.catch(() => undefined); // awaited below, after the kills
    const kills = await killer();
    done = true;
    await senders;

    const sent = toSell.length - queue.length;
    console.log(`(a) ${kills.kills} kills (in flight ${kills.inFlightAtKill.join('/')}; restarts ${kills.ms.join('/')} ms), ${sent} activations (${[...answered.values()].filter((a) => a.result.replayed).length} answered as replays: committed before a kill, answer lost), ${attempts} attempts, ${failures} unanswered, ${Date.now() - t0} ms`);
    expect(answered.size).toBe(sent); // every card taken was sent until answered
    expect(kills.inFlightAtKill.every((n) => n > 0)).toBe(true); // each kill landed while activations were in flight
    expect(failures).toBeGreaterThan(0);
    expect(queue.length).toBeGreaterThan(0); // the senders were still busy when the last kill came
    const bySerial = new Map(toSell.map((c) => [c.serial, c]));
    const acts = rows<{ serial: string; request_id: string; n: number }>(
      "SELECT serial, min(request_id) AS request_id, count(*) AS n FROM voucher_activations WHERE state <> 'tombstone' AND serial IN (SELECT id FROM voucher_cards WHERE batch_id = (SELECT batch_id FROM voucher_cards WHERE id = ?)) GROUP BY serial",
      toSell[0]!.serial,
    );
    const cards = rows<{ id: string; state: string; balance: number; activation_id: string | null }>('SELECT id, state, balance, activation_id FROM voucher_cards WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify([...bySerial.keys()]));
    expect(cards).toHaveLength(toSell.length);
    // Exactly the answered cards are active, each once, with the request the sender sent.
    expect(acts.filter((r) => r.n !== 1)).toEqual([]);
    expect(new Map(acts.map((r) => [r.serial, r.request_id]))).toEqual(new Map([...answered].map(([s, a]) => [s, a.requestId])));
    for (const c of cards) {
      if (answered.has(c.id)) expect(c).toMatchObject({ state: 'active', balance: FACE });
      else expect(c).toMatchObject({ state: 'issued', balance: 0, activation_id: null });
    }
    for (const [serial, a] of answered) expect(a.result).toMatchObject({ serial, amount: FACE, currency: 'JPY' });
    // A repeat of an answered request is a replay: nothing changes.
    const [serial, first] = [...answered][0]!;
    const again = await link.call<ActivationResult>('POST', '/hq/v1/activations', first.body);
    expect(again).toMatchObject({ ok: true, value: { serial, replayed: true } });
    const report = await auditDatabase(DB, auditChecksOf(CENTER_MODULES));
    expect(report.ok, JSON.stringify(report)).toBe(true);
  }, 60_000);

  it('redemptions with Idempotency-Keys repeated after each kill: each key one redemption, every answered one stored, nothing captured twice, audit ok', async () => {
    const t0 = Date.now();
    const shop = new MerchantClient({ baseUrl, apiKey: shopKey, attempts: 1, timeoutMs: 5_000 });
    type Answer = { key: string; serial: string; amount: number; redemptionId: string | null; captured: number; replayed?: boolean };
    const answers: Answer[] = [];
    const wallets = [...inWallets];
    let done = false;
    let attempts = 0;
    let unanswered = 0;
    let keyN = 0;
    const buyer = async () => {
      while (!done) {
        const card = wallets.shift();
        if (!card) break;
        let spent = false;
        while (!done && !spent) {
          const key = `k-${SEED}-${keyN++}`;
          const amount = 1 + rnd.int(30);
          for (;;) {
            attempts++;
            inFlight++;
            try {
              const r = await shop.redeemVouchers({ pins: [card.pin], amount, orderRef: key }, { idempotencyKey: key }).finally(() => inFlight--);
              answers.push({ key, serial: card.serial, amount, redemptionId: r.body.redemptionId, captured: r.body.captured, replayed: r.replayed });
              break;
            } catch (e) {
              if (e instanceof MerchantApiError && e.code === 'VOUCHER_INSUFFICIENT') {
                answers.push({ key, serial: card.serial, amount, redemptionId: null, captured: 0 });
                spent = true;
                break;
              }
              if (e instanceof MerchantApiError && e.status < 500 && e.status !== 429 && e.code !== 'MERCHANT_IDEMPOTENCY_IN_PROGRESS') throw e;
              unanswered++;
              await sleep(50); // no answer: the same key again
            }
          }
        }
        if (!spent) wallets.push(card);
      }
    };
    const buyers = Promise.all(Array.from({ length: SENDERS }, () => buyer()));
    buyers.catch(() => undefined); // awaited below, after the kills
    const kills = await killer();
    done = true;
    await buyers;

    const paid = answers.filter((a) => a.redemptionId !== null);
    console.log(`(b) ${kills.kills} kills (in flight ${kills.inFlightAtKill.join('/')}; restarts ${kills.ms.join('/')} ms), ${answers.length} redemptions answered (${paid.length} captured, ${paid.filter((a) => a.replayed).length} answered as replays), ${attempts} attempts, ${unanswered} unanswered, ${Date.now() - t0} ms`);
    expect(kills.inFlightAtKill.every((n) => n > 0)).toBe(true); // each kill landed while redemptions were in flight
    expect(unanswered).toBeGreaterThan(0);
    expect(wallets.length).toBeGreaterThan(0); // value left: the shops were still busy when the last kill came
    expect(paid.length).toBeGreaterThan(0);
    for (const a of paid) expect(a.captured).toBe(a.amount);
    // Each key one redemption in the database; every answered one is there with what was answered.
    const stored = rows<{ id: string; redemption_key: string; state: string; captured: number }>('SELECT id, redemption_key, state, captured FROM voucher_redemptions');
    const byKey = new Map<string, typeof stored>();
    for (const r of stored) byKey.set(r.redemption_key, [...(byKey.get(r.redemption_key) ?? []), r]);
    expect([...byKey].filter(([, v]) => v.length !== 1)).toEqual([]);
    for (const a of paid) expect(byKey.get(a.key)).toEqual([{ id: a.redemptionId, redemption_key: a.key, state: 'captured', captured: a.amount }]);
    for (const a of answers.filter((x) => x.redemptionId === null)) expect(byKey.get(a.key)?.filter((r) => r.captured > 0) ?? []).toEqual([]);
    // Nothing captured that no answer covers, nothing twice: per card, the database's captures are exactly the answered ones.
    const perCard = rows<{ serial: string; captured: number }>('SELECT serial, sum(captured) AS captured FROM voucher_redemption_cards GROUP BY serial');
    const answeredPerCard = new Map<string, number>();
    for (const a of paid) answeredPerCard.set(a.serial, (answeredPerCard.get(a.serial) ?? 0) + a.amount);
    for (const r of perCard) expect(r.captured).toBeLessThanOrEqual(FACE);
    expect(new Map(perCard.filter((r) => r.captured > 0).map((r) => [r.serial, r.captured]))).toEqual(answeredPerCard);
    const balances = rows<{ id: string; balance: number; held: number }>('SELECT id, balance, held FROM voucher_cards WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(inWallets.map((c) => c.serial)));
    for (const b of balances) expect(b).toEqual({ id: b.id, balance: FACE - (answeredPerCard.get(b.id) ?? 0), held: 0 });
    // The API agrees after the restarts: each answered redemption, a replay of its key, each card's balance.
    for (const a of paid.slice(0, 20)) expect(await shop.voucherRedemption(a.redemptionId!)).toMatchObject({ redemptionId: a.redemptionId, state: 'captured', captured: a.amount });
    const last = paid[paid.length - 1]!;
    const replay = await shop.redeemVouchers({ pins: [inWallets.find((c) => c.serial === last.serial)!.pin], amount: last.amount, orderRef: last.key }, { idempotencyKey: last.key });
    expect(replay).toMatchObject({ replayed: true, body: { redemptionId: last.redemptionId } });
    for (const c of inWallets) expect(await shop.voucherBalance(c.pin)).toMatchObject({ balance: FACE - (answeredPerCard.get(c.serial) ?? 0) });
    await shop.close();
    const report = await auditDatabase(DB, auditChecksOf(CENTER_MODULES));
    expect(report.ok, JSON.stringify(report)).toBe(true);
  }, 60_000);
});
