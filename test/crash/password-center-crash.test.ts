/**
 * Crash test of the TTP (seed 003): a `tessera center` process (world
 * builder, `process: 'cli'`, SQLite file) with the passwords module, its
 * SMPP delivery to a simulated SMSC (`tessera smsc serve`) and a phone
 * (`tessera phone serve`), and the merchant API, killed with SIGKILL and
 * started again on the same config, ports and database.
 *
 * (a) Killed after an issue's commit, before delivery: the database holds
 *     passwords whose issue committed with their message queued in the same
 *     unit (TransactionalPasswordDelivery) and never sent — the state such a
 *     kill leaves, written before the first process starts, so the case is
 *     there on every run whatever the kill's timing. The process started
 *     on that database (the restart) delivers every one to the phone (once
 *     on the phone, by its reference), spendable with the code the phone shows; none is
 *     refunded or lost; audit ok.
 * (c) Killed mid-issue (at the same time as (b), the same kills): issuers send issues over the issuer API (HTTP,
 *     /v1/issuer/passwords), each repeating its request id until answered,
 *     while the center is killed at seeded moments (a kill before the
 *     issue's commit: the retry issues it; after: the retry is answered as
 *     a replay). Each request id is exactly one password, the one answered,
 *     with its ISSUE transfer; every one is delivered once to the phone
 *     (its message was queued in the issue's unit), none refunded; audit ok.
 * (b) Killed mid-redemption: concurrent shops redeem (capture now) through
 *     the typed merchant client, each repeating a redemption with the same
 *     Idempotency-Key until answered, while the center is killed at seeded
 *     random moments (an answer lost after the capture committed is
 *     answered by the replay). Afterwards each key is one redemption, every
 *     answered capture is in the database and nothing else, per password
 *     captured + remaining = its value (never paid twice), every password is
 *     usable or refunded, and the audit (ledger + the passwords' own) passes.
 *
 * Reproduce a run: TESSERA_CRASH_SEED=<seed printed> npx vitest run test/crash/password-center-crash.test.ts
 * More kills in (b, c): TESSERA_CRASH_KILLS=5. A restart of `tessera center` takes 20-50 s on the loaded
 * 2-core machine, which is most of this file's time: (b) and (c) share their kills.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDatabase } from '../../center/ledger/audit-target.js';
import { MerchantApiError, MerchantClient } from '../../center/merchant-api/client.js';
import { MerchantRegistry } from '../../center/merchant-api/merchants.js';
import { CENTER_MODULES } from '../../center/modules.js';
import { PasswordsClient } from '../../center/passwords/client.js';
import { IssuerClient } from '../../center/passwords/issuer-client.js';
import { messageText } from '../../center/passwords/delivery/password-delivery.js';
import { DeliveryService } from '../../center/passwords/delivery/service.js';
import { Passwords } from '../../center/passwords/passwords.js';
import { auditChecksOf } from '../../center/server/module.js';
import { openStorage } from '../../center/storage/open.js';
import { systemClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import { SeededRandom, SystemRandom, systemRandom } from '../../core/random.js';
import { PhoneStore } from '../../sim/phone/store.js';
import { writeSecretFile } from '../../sim/world/cli-parts.js';
import { freeLoopbackPort } from '../../sim/world/terminals.js';
import { openWorld, type World } from '../../sim/world/world.js';
import { RecordingDelivery } from '../center/passwords/support.js';
import { SMPP_SYSTEM_ID, startPhoneProcess, startSmscProcess, waitFor, type Party, type PhoneProcess } from '../center/passwords/delivery/support/messaging.js';

const SEED = Number(process.env['TESSERA_CRASH_SEED'] ?? new SystemRandom().int(2 ** 31));
const KILLS = Number(process.env['TESSERA_CRASH_KILLS'] ?? 2);
const SHOPS = 4;
const VALUE = 3_000;
const WALLET = 8;
const QUEUED = 12;
const ALICE = '819000000003';
const TTP_SEED = Buffer.alloc(32, 0x3c);
let inFlight = 0;

const dir = mkdtempSync(join(tmpdir(), 'tsr-pwcrash-'));
const DB = join(dir, 'center.db');
const rnd = new SeededRandom(SEED);
let world: World;
let smsc: Party & { passwordFile: string };
let alice: PhoneProcess;
let shopKey: string;
let issuerKey: string;
let shopMerchantId: string;
let baseUrl: string;
/** Passwords delivered before the first process (codes for the shops). */
let wallet: Array<{ id: string; code: string }>;
/** Passwords issued with their message queued, never sent (a kill after the issue's commit). */
let queued: string[];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rows<T>(sql: string, ...args: unknown[]): T[] {
  const db = new Database(DB, { readonly: true });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
}

async function killer(kills: number, gapMs: () => number): Promise<{ ms: number[]; inFlightAtKill: number[] }> {
  const cli = world.centerCli!;
  const ms: number[] = [];
  const inFlightAtKill: number[] = [];
  for (let k = 0; k < kills; k++) {
    await sleep(gapMs());
    for (let i = 0; i < 2_000 && inFlight === 0; i++) await sleep(1);
    inFlightAtKill.push(inFlight);
    const p = cli.process;
    p.signal('SIGKILL');
    expect((await p.exited).signal).toBe('SIGKILL');
    const t = Date.now();
    await cli.start();
    ms.push(Date.now() - t);
  }
  return { ms, inFlightAtKill };
}

beforeAll(async () => {
  smsc = await startSmscProcess(dir, [ALICE]);
  alice = await startPhoneProcess(dir, 'alice', { msisdn: ALICE, smscPort: smsc.port });
  // The TTP's database before its first process.
  const storage = await openStorage(DB);
  try {
    const pw = await Passwords.open({ storage, clock: systemClock, random: systemRandom, log: silentLogger, ttpSeed: TTP_SEED, issuers: ['CREDIT-A'] });
    // Passwords already delivered (their codes as the phone would show them).
    const recorder = new RecordingDelivery();
    pw.useDelivery(recorder);
    wallet = [];
    for (let i = 0; i < WALLET; i++) {
      const a = await pw.issue({ issuer: 'CREDIT-A', requestId: `wallet-${i}`, amountMinor: VALUE, currency: 'JPY', partial: true, binding: 'bearer', channel: 'sms', address: ALICE });
      expect(await pw.onOutcome({ passwordId: a.passwordId, outcome: 'delivered', channel: 'sms', atMs: Date.now() })).toBe('applied');
      wallet.push({ id: a.passwordId, code: recorder.code(a.passwordId) });
    }
    // Passwords whose issue committed with the message queued in the same unit, and nothing sent: a kill right after the commit.
    const service = await DeliveryService.open({
      storage, clock: systemClock, random: systemRandom, log: silentLogger,
      port: { outcome: async () => undefined },
      sms: { submit: async () => { throw new Error('not sent before the kill'); } },
    });
    pw.useDeliveryQueue({
      enqueue: (tx, passwordId, channel, address, message) =>
        service.enqueue(tx, { id: passwordId, passwordSerial: message.serial, channel, to: address, text: messageText(message), subject: 'Your settlement password', deadlineMs: Date.now() + 300_000 }),
    });
    queued = [];
    for (let i = 0; i < QUEUED; i++) {
      const a = await pw.issue({ issuer: 'CREDIT-A', requestId: `queued-${i}`, amountMinor: 1_000, currency: 'JPY', partial: true, binding: 'bearer', channel: 'sms', address: ALICE });
      expect(a.state).toBe('issued');
      queued.push(a.passwordId);
    }
    const merchants = await MerchantRegistry.open(storage, systemClock, systemRandom);
    shopMerchantId = (await merchants.add('web-shop')).id;
    shopKey = (await merchants.addKey('web-shop')).key;
    await merchants.add('credit-a');
    issuerKey = (await merchants.addKey('credit-a')).key;
  } finally {
    await storage.close();
  }
  const ttpKeyFile = writeSecretFile(dir, 'ttp.key', `${TTP_SEED.toString('hex')}\n`);
  const apiPort = await freeLoopbackPort();
  baseUrl = `http://127.0.0.1:${apiPort}`;
  world = await openWorld({
    dir,
    center: {
      process: 'cli',
      cliReadyMs: 90_000,
      cliSections: {
        passwords: {
          ttpKeyFile, issuers: ['CREDIT-A'], issuerClients: { 'credit-a': 'CREDIT-A' }, sweepIntervalMs: 60_000,
          delivery: { smpp: { host: '127.0.0.1', port: smsc.port, systemId: SMPP_SYSTEM_ID, passwordFile: smsc.passwordFile }, sweepIntervalMs: 50, backoffMsBase: 200, claimHoldMs: 2_000 },
        },
        merchantApi: { host: '127.0.0.1', port: apiPort },
      },
    },
  });
  console.log(`password center crash: seed ${SEED}, ${KILLS} kills in (b) (TESSERA_CRASH_SEED=${SEED} to repeat)`);
}, 300_000);

afterAll(async () => {
  await world?.close();
  await Promise.all([alice?.process.stop(), smsc?.process.stop()]);
});

describe('kill -9 of the TTP (passwords center)', () => {
  it('(a) issued and committed with the message queued, killed before delivery: the process started on that database delivers each once to the phone, spendable, none refunded, audit ok', async () => {
    const states = await waitFor('every queued password delivered', async () => {
      const r = rows<{ id: string; state: string }>('SELECT id, state FROM passwords WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(queued));
      return r.length === QUEUED && r.every((x) => x.state === 'delivered') ? r : undefined;
    }, 60_000);
    expect(states).toHaveLength(QUEUED);
    expect(rows<{ n: number }>("SELECT COUNT(*) AS n FROM password_deliveries WHERE state <> 'delivered' OR text IS NOT NULL")[0]!.n).toBe(0);
    const onPhone = await waitFor('all on the phone', async () => {
      const mine = new PhoneStore(alice.dir).messages.filter((m) => m.ref !== null && queued.includes(m.ref));
      return mine.length === QUEUED ? mine : undefined;
    });
    expect(new Set(onPhone.map((m) => m.ref)).size).toBe(QUEUED);
    const attempts = rows<{ n: number }>("SELECT COUNT(*) AS n FROM password_delivery_attempts")[0]!.n;
    console.log(`(a) ${QUEUED} delivered, ${attempts} SMPP attempts, ${onPhone.reduce((a, m) => a + m.duplicates, 0)} duplicate SMS kept once by the phone`);
    // The code the phone shows spends it (through the restarted center's merchant API).
    const m = new MerchantClient({ baseUrl, apiKey: shopKey, attempts: 1, timeoutMs: 5_000 });
    try {
      const first = onPhone[0]!;
      const sale = await new PasswordsClient(m).redeem({ code: first.code! }, { amountMinor: 400, currency: 'JPY' });
      expect(sale.body).toMatchObject({ state: 'captured', capturedMinor: 400, remainingMinor: 600 });
    } finally {
      await m.close();
    }
    const report = await auditDatabase(DB, auditChecksOf(CENTER_MODULES));
    expect(report.ok, JSON.stringify(report)).toBe(true);
  }, 120_000);

  it('(b, c) redemptions with Idempotency-Keys and issues over the issuer API with request ids, repeated across kills: each key one redemption, every answered capture stored and nothing else, never paid twice; each request one password, issued with its value, delivered once; every password usable or refunded; audit ok', async () => {
    const t0 = Date.now();
    const shop = new PasswordsClient(new MerchantClient({ baseUrl, apiKey: shopKey, attempts: 1, timeoutMs: 5_000 }));
    type Answer = { key: string; id: string; amount: number; redemptionId: string; replayed: boolean };
    const answers: Answer[] = [];
    const cards = [...wallet];
    let done = false;
    let attempts = 0;
    let unanswered = 0;
    let keyN = 0;
    const buyer = async () => {
      while (!done) {
        const p = cards.shift();
        if (!p) break;
        let spent = false;
        while (!done && !spent) {
          const key = `pk-${SEED}-${keyN++}`;
          const amount = 1 + rnd.int(200);
          for (;;) {
            attempts++;
            inFlight++;
            try {
              const r = await shop.redeem({ code: p.code }, { amountMinor: amount, currency: 'JPY' }, { requestId: key }).finally(() => inFlight--);
              expect(r.body).toMatchObject({ state: 'captured', capturedMinor: amount });
              answers.push({ key, id: p.id, amount, redemptionId: r.body.id, replayed: r.replayed });
              break;
            } catch (e) {
              if (e instanceof MerchantApiError && (e.code === 'PASSWORD_OVER_AMOUNT' || e.code === 'PASSWORD_USED_UP')) {
                spent = true;
                break;
              }
              if (e instanceof MerchantApiError && e.status < 500 && e.status !== 429 && e.code !== 'MERCHANT_IDEMPOTENCY_IN_PROGRESS') throw e;
              unanswered++;
              await sleep(50); // no answer: the same key again
            }
          }
        }
        if (!spent) cards.push(p);
      }
    };
    const buyers = Promise.all(Array.from({ length: SHOPS }, () => buyer()));
    buyers.catch(() => undefined); // awaited below, after the kills
    // (c) at the same time: issuers over the issuer API.
    const m = new MerchantClient({ baseUrl, apiKey: issuerKey, attempts: 1, timeoutMs: 5_000 });
    const issuer = new IssuerClient(m);
    const answered = new Map<string, { serial: string; replayed: boolean }>();
    let issueAttempts = 0;
    let issueUnanswered = 0;
    let n = 0;
    const sender = async (): Promise<void> => {
      while (!done) {
        const requestId = `iss-${SEED}-${n++}`;
        for (;;) {
          issueAttempts++;
          inFlight++;
          try {
            const r = await issuer.issue(requestId, { amountMinor: 500, currency: 'JPY', channel: 'sms', address: ALICE }).finally(() => inFlight--);
            answered.set(requestId, { serial: r.body.serial, replayed: r.replayed || r.body.replayed });
            break;
          } catch (e) {
            if (e instanceof MerchantApiError && e.status < 500 && e.status !== 429 && e.code !== 'MERCHANT_IDEMPOTENCY_IN_PROGRESS') throw e;
            issueUnanswered++;
            await sleep(50); // no answer: the same request id again
          }
        }
      }
    };
    const senders = Promise.all(Array.from({ length: SHOPS }, () => sender()));
    senders.catch(() => undefined); // awaited below, after the kills
    const kills = await killer(KILLS, () => 150 + rnd.int(750));
    done = true;
    await buyers;
    await senders;

    console.log(`(b) ${KILLS} kills (in flight ${kills.inFlightAtKill.join('/')}; restarts ${kills.ms.join('/')} ms), ${answers.length} captures answered (${answers.filter((a) => a.replayed).length} as replays: committed before a kill, answer lost), ${attempts} attempts, ${unanswered} unanswered, ${Date.now() - t0} ms`);
    expect(kills.inFlightAtKill.every((n) => n > 0)).toBe(true);
    expect(unanswered).toBeGreaterThan(0);
    expect(answers.length).toBeGreaterThan(0);
    // Each key one redemption; the answered ones exactly, nothing captured without an answer.
    const stored = rows<{ id: string; request_id: string; password_id: string; captured: number; state: string }>('SELECT id, request_id, password_id, captured, state FROM password_redemptions WHERE merchant_id = ?', shopMerchantId);
    const byKey = new Map<string, typeof stored>();
    for (const r of stored) byKey.set(r.request_id, [...(byKey.get(r.request_id) ?? []), r]);
    expect([...byKey].filter(([, v]) => v.length !== 1)).toEqual([]);
    const walletIds = new Set(wallet.map((w) => w.id));
    const mine = stored.filter((r) => walletIds.has(r.password_id));
    expect(new Map(mine.map((r) => [r.request_id, [r.id, r.captured, r.state]]))).toEqual(new Map(answers.map((a) => [a.key, [a.redemptionId, a.amount, 'captured']])));
    // Never paid twice: per password, captured = the answered captures, and captured + remaining = the value.
    const perPassword = new Map<string, number>();
    for (const a of answers) perPassword.set(a.id, (perPassword.get(a.id) ?? 0) + a.amount);
    const pws = rows<{ id: string; captured: number; remaining: number; reserved: number; returned: number; state: string }>('SELECT id, captured, remaining, reserved, returned, state FROM passwords WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify([...walletIds]));
    for (const p of pws) {
      expect(p.captured).toBe(perPassword.get(p.id) ?? 0);
      expect(p.captured + p.remaining + p.reserved + p.returned).toBe(VALUE);
    }
    // Never value without a usable or refunded password.
    const all = rows<{ state: string; remaining: number }>('SELECT state, remaining FROM passwords');
    for (const p of all) expect(['delivered', 'partly-used', 'used-up', 'refunded'].includes(p.state) || (p.state === 'issued' && p.remaining > 0)).toBe(true);
    // The API agrees after the restarts: a replay of the last key answers the same redemption.
    const last = answers[answers.length - 1]!;
    const replay = await shop.redeem({ code: wallet.find((w) => w.id === last.id)!.code }, { amountMinor: last.amount, currency: 'JPY' }, { requestId: last.key });
    expect(replay).toMatchObject({ replayed: true, body: { id: last.redemptionId } });

    // (c): each request id one password, delivered once.
    console.log(`(c) ${answered.size} issues answered (${[...answered.values()].filter((a) => a.replayed).length} as replays: committed before a kill, answer lost), ${issueAttempts} attempts, ${issueUnanswered} unanswered`);
    expect(issueUnanswered).toBeGreaterThan(0);
    // Each request id one password, the one answered; none without its request.
    const issued = rows<{ id: string; request_id: string; amount: number }>("SELECT id, request_id, amount FROM passwords WHERE request_id LIKE 'iss-%'");
    expect(new Map(issued.map((p) => [p.request_id, p.id]))).toEqual(new Map([...answered].map(([k, a]) => [k, a.serial])));
    // Never issued without value: an ISSUE transfer of its amount per password (and the audit below).
    for (const p of issued) expect(p.amount).toBe(500);
    // Every one delivered (its message was queued with the issue), none refunded; on the phone once each.
    const serials = issued.map((p) => p.id);
    await waitFor('every issued password delivered', async () => {
      const r = rows<{ state: string }>('SELECT state FROM passwords WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(serials));
      return r.length === serials.length && r.every((x) => x.state === 'delivered') || undefined;
    }, 60_000);
    const onPhone = await waitFor('all on the phone', async () => {
      const mine = new PhoneStore(alice.dir).messages.filter((m) => m.ref !== null && serials.includes(m.ref));
      return mine.length === serials.length ? mine : undefined;
    });
    expect(new Set(onPhone.map((m) => m.ref)).size).toBe(serials.length);
    await m.close();
    const report = await auditDatabase(DB, auditChecksOf(CENTER_MODULES));
    expect(report.ok, JSON.stringify(report)).toBe(true);
  }, 200_000);
});
