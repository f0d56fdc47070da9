/**
 * Seed 004 end to end over the real protocol on loopback: center (listener,
 * session router, e-money flow, ledger), banks A and B (own
 * databases) behind the relay, a provider kiosk and shop terminals on
 * LinkClient + CallbackListener, virtual purse cards driven by APDUs.
 * Money is conserved in every test and the center's ledger audit passes.
 * The same cases run with the center's database on SQLite (one node) and on
 * a fresh PostgreSQL database per test (the engine of several nodes).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECORD_STATUS, STATUS } from '../../protocol/codes.js';
import { emoneyReport, formatEmoneyReport } from '../../center/emoney/reports.js';
import { resultCodeName, resultCodeOf } from '../../center/emoney/result-codes.js';
import { EMONEY_LIMITS } from '../../center/emoney/limits.js';
import { WORLD } from '../sim/bank/fixtures.js';
import { abandonRequest, chargeRequest, creditCard, issueRequest, moneyInWorld, openEmoneyWorld, settle, SHOP_A1, SHOP_B1, type CenterDb, type EmoneyWorld } from '../../sim/world/emoney-world.js';
import { POSTGRES_DB, SQLITE_DB } from '../support/center-db.js';
import { expectWorldConsistent } from '../support/emoney-world-checks.js';
import { Operators } from '../../center/admin/operators.js';
import { systemRandom } from '../../core/random.js';
import { startAdminServer, type AdminServer } from '../../center/admin/server.js';
import type { SettlementStep } from '../../center/emoney/settlement.js';
import { EMONEY_AUDIT } from '../../center/emoney/audit-check.js';
import { auditDatabase } from '../../center/ledger/audit-target.js';
import { formatAuditReport } from '../../center/ledger/audit.js';
import { createServer, type Socket } from 'node:net';
import { deriveTerminalKey } from '../../center/server/terminal-keys.js';
import { LinkClient } from '../../terminal/link/link-client.js';
import { VALIDITY_MODULE, type ValidityApi } from '../../center/validity/module.js';

let w: EmoneyWorld;
let money0: number;
const tx = (): Buffer => randomBytes(16);
const nonce = (): Buffer => randomBytes(8);

const code = (n: number) => resultCodeName(n);
/** Throw in a settlement step to stop the center's work there (as a crash would); null: run through. */
let stepHook: ((s: SettlementStep) => void) | null = null;

/** The bearer token of the operator withAdmin added (the admin API needs one). */
let adminToken = '';
const adminAuth = (): Record<string, string> => ({ authorization: `Bearer ${adminToken}` });

/** The operator's admin API on the world's center database. */
async function withAdmin<T>(fn: (post: (path: string, body?: unknown) => Promise<number>, admin: AdminServer) => Promise<T>): Promise<T> {
  const admin: AdminServer = await startAdminServer({ storage: w.storage, ledger: w.emoney.ledger, auditExtensions: [EMONEY_AUDIT] });
  adminToken = await new Operators(w.storage, systemRandom).add(`e2e-${systemRandom.bytes(4).toString('hex')}`, 'admin', 0);
  try {
    return await fn(async (path, body) => (await fetch(`${admin.url}${path}`, { method: 'POST', headers: adminAuth(), body: JSON.stringify(body ?? {}) })).status, admin);
  } finally {
    await admin.close();
  }
}

/** Waits (bounded) until the center's in-memory lists show a change made through the admin API. */
async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`not seen by the center's validity store: ${what}`);
}
const batchCount = async (terminalId: string) => Number((await w.storage.read((q) => q.get<{ n: number }>('SELECT COUNT(*) AS n FROM emoney_batches WHERE terminal_id = ?', [terminalId])))?.n);
const cardValid = (id: string) => w.center.module<ValidityApi>(VALIDITY_MODULE).store!.judgeMedium(id, Date.now()).ok;
const terminalValid = (id: string) => w.center.module<ValidityApi>(VALIDITY_MODULE).store!.judgeTerminal(id).ok;

const ENGINES: readonly CenterDb[] = [SQLITE_DB, POSTGRES_DB];

for (const db of ENGINES) describe(`e-money over bank POS, end to end (center on ${db.name})`, () => {
  beforeEach(async () => {
    stepHook = null;
    w = await openEmoneyWorld({ db, parties: true, onSettlementStep: (s) => stepHook?.(s) });
    money0 = await moneyInWorld(w);
  });
  afterEach(async () => {
    try {
      await expectWorldConsistent(w, money0);
    } finally {
      await w.close();
    }
  });

  it('charges at banks A and B, purchases at shops of both banks, settlement with callback pays each shop at its bank', async () => {
    const [card, card2] = w.cards;
    const t1 = tx();
    const charged = await chargeRequest(w.kiosk, t1, WORLD.aliceA.ref, WORLD.aliceA.pin, 10_000);
    expect(charged.status).toBe(STATUS.APPROVED);
    expect(await w.banks.a.balance(WORLD.providerA.ref)).toBe(10_000);
    const { confirmed } = await creditCard(w.kiosk, t1, card!, 10_000);
    expect(confirmed?.status).toBe(STATUS.APPROVED);
    expect(card!.balanceMinor).toBe(10_000);
    const t2 = tx();
    expect((await chargeRequest(w.kiosk, t2, WORLD.bobB.ref, WORLD.bobB.pin, 5_000)).status).toBe(STATUS.APPROVED);
    await creditCard(w.kiosk, t2, card2!, 5_000);

    await w.shops[SHOP_A1]!.sell(card!, 1_500, nonce());
    await w.shops[SHOP_A1]!.sell(card2!, 500, nonce());
    await w.shops[SHOP_B1]!.sell(card!, 3_000, nonce());
    expect(card!.balanceMinor).toBe(5_500);

    await settle(w, w.shops[SHOP_A1]!);
    await settle(w, w.shops[SHOP_B1]!);
    expect(w.shops[SHOP_A1]!.journal).toEqual([]);
    expect(w.shops[SHOP_A1]!.instructions[0]).toMatchObject({ bankCode: '0001', accountNumber: WORLD.providerA.ref.accountNumber, totalMinor: 2_000 });
    expect(w.shops[SHOP_A1]!.securityCodes[0]).toBe(WORLD.providerA.pin);
    expect(await w.banks.a.balance(WORLD.shopA.ref)).toBe(2_000);
    expect(await w.banks.b.balance(WORLD.shopB.ref)).toBe(3_000);
    const r = await emoneyReport(w.storage);
    expect(r.banks).toEqual([
      { bankCode: '0001', chargedMinor: 10_000, settledMinor: 2_000, providerNetMinor: 8_000 },
      { bankCode: '0002', chargedMinor: 5_000, settledMinor: 3_000, providerNetMinor: 2_000 },
    ]);
    expect(r.shops).toEqual([
      { shopId: 'SHOP-A', bankCode: '0001', batches: 1, settledMinor: 2_000 },
      { shopId: 'SHOP-B', bankCode: '0002', batches: 1, settledMinor: 3_000 },
    ]);
    expect(r.floatMinor).toBe(card!.balanceMinor + card2!.balanceMinor);
    expect(formatEmoneyReport(r)).toContain('bank 0001');
  });

  it('declines with codes and moves nothing: wrong PIN, insufficient funds, closed account, unknown bank, bank unreachable', async () => {
    const decl = async (account: typeof WORLD.aliceA.ref, pin: string, amount: number) => code((await chargeRequest(w.kiosk, tx(), account, pin, amount)).resultCode);
    expect(await decl(WORLD.aliceA.ref, '0000', 1_000)).toBe('BANK_WRONG_PIN');
    expect(await decl(WORLD.carolA.ref, WORLD.carolA.pin, 1_000)).toBe('BANK_INSUFFICIENT_FUNDS');
    expect(await decl({ ...WORLD.aliceA.ref, bankCode: '0099' }, WORLD.aliceA.pin, 1_000)).toBe('EMONEY_NO_PROVIDER_ACCOUNT');
    await w.banks.a.setStatus(WORLD.carolA.ref, 'closed');
    expect(await decl(WORLD.carolA.ref, WORLD.carolA.pin, 100)).toBe('BANK_ACCOUNT_CLOSED');
    expect(await decl({ ...WORLD.aliceA.ref, accountNumber: '1234567' }, WORLD.aliceA.pin, 100)).toBe('BANK_UNKNOWN_ACCOUNT');
    // A declined charge cannot be issued.
    const t = tx();
    await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, '0000', 1_000);
    expect(code((await issueRequest(w.kiosk, t, w.cards[0]!, 0, 1_000)).resultCode)).toBe('EMONEY_CHARGE_NOT_APPROVED');
    // Bank B unreachable: in doubt, then the same id retried once it is back answers the bank's single outcome.
    const real = w.banks.b.transfer.bind(w.banks.b);
    w.banks.b.transfer = () => Promise.reject(new Error('link down'));
    const t2 = tx();
    expect(code((await chargeRequest(w.kiosk, t2, WORLD.bobB.ref, WORLD.bobB.pin, 2_000)).resultCode)).toBe('RELAY_BANK_UNREACHABLE');
    w.banks.b.transfer = real;
    expect((await chargeRequest(w.kiosk, t2, WORLD.bobB.ref, WORLD.bobB.pin, 2_000)).status).toBe(STATUS.APPROVED);
    expect((await chargeRequest(w.kiosk, t2, WORLD.bobB.ref, WORLD.bobB.pin, 2_000)).status).toBe(STATUS.APPROVED);
    expect(code((await chargeRequest(w.kiosk, t2, WORLD.bobB.ref, WORLD.bobB.pin, 2_001)).resultCode)).toBe('EMONEY_EXISTS_WITH_DIFFERENT_FIELDS');
    expect(await w.banks.b.balance(WORLD.bobB.ref)).toBe(WORLD.bobB.openingMinor - 2_000);
    await creditCard(w.kiosk, t2, w.cards[1]!, 2_000);
    expect(w.cards[1]!.balanceMinor).toBe(2_000);
  });

  it('card pulled before the credit: the next attempt with the same card completes it, once', async () => {
    const [card] = w.cards;
    const t = tx();
    await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 4_000);
    await card!.open();
    const first = await issueRequest(w.kiosk, t, card!, (await card!.read()).counter, 4_000);
    expect(first.hostMac).toBeDefined();
    // Pulled: the CREDIT never reached the card. The user comes back; the kiosk retries the same charge.
    const { issued, confirmed } = await creditCard(w.kiosk, t, card!, 4_000);
    expect(issued.hostMac).toEqual(first.hostMac);
    expect(confirmed?.status).toBe(STATUS.APPROVED);
    expect(card!.balanceMinor).toBe(4_000);
    // Replaying the old authorisation cannot credit twice: the card's counter moved (6988).
    await card!.open();
    expect(await card!.credit(4_000, first.hostMac!)).toBe(0x6988);
    // Another card cannot take this charge.
    expect(code((await issueRequest(w.kiosk, t, w.cards[1]!, 0, 4_000)).resultCode)).toBe('EMONEY_CARD_MISMATCH');
  });

  it('card pulled after the bank approved and never brought back: reversed to the user after the timeout, never also credited', async () => {
    const t = tx();
    await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 6_000);
    expect(await w.banks.a.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor - 6_000);
    expect((await w.emoney.sweep()).reversed).toBe(0);
    w.clock.offsetMs = EMONEY_LIMITS.issueTimeoutMs + 1;
    expect((await w.emoney.sweep()).reversed).toBe(1);
    expect(await w.banks.a.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor);
    expect(code((await issueRequest(w.kiosk, t, w.cards[0]!, 0, 6_000)).resultCode)).toBe('EMONEY_CHARGE_REVERSED');
    expect(code((await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 6_000)).resultCode)).toBe('EMONEY_CHARGE_REVERSED');
    expect((await w.emoney.sweep()).reversed).toBe(0);
  });

  it('CHARGE_ABANDON: an approved charge given up is reversed at once (no sweep), never issued; repeats answer the same; a credited charge is refused', async () => {
    const bankA = w.banks.a;
    const reversals: string[] = [];
    const reverse = bankA.reverse.bind(bankA);
    bankA.reverse = async (id) => (reversals.push(id), reverse(id));
    const t = tx();
    expect((await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 2_500)).status).toBe(STATUS.APPROVED);
    expect(await w.banks.a.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor - 2_500);
    const given = await abandonRequest(w.kiosk, t, WORLD.aliceA.ref, 2_500);
    expect({ status: given.status, code: code(given.resultCode) }).toEqual({ status: STATUS.APPROVED, code: 'OK' });
    // Reversed now, at the clock's present: no timeout, no sweep.
    expect(await w.banks.a.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor);
    expect(await w.storage.read((q) => q.get('SELECT state, code, booked, claim_until_ms FROM emoney_charges WHERE id = ?', [t.toString('hex')]))).toEqual({ state: 'reversed', code: 'EMONEY_CHARGE_REVERSED', booked: 1, claim_until_ms: null });
    // Never completed later: no card takes it, a repeated CHARGE_REQUEST does not revive it, a repeated give-up reverses nothing more.
    expect(code((await issueRequest(w.kiosk, t, w.cards[0]!, 0, 2_500)).resultCode)).toBe('EMONEY_CHARGE_REVERSED');
    expect(code((await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 2_500)).resultCode)).toBe('EMONEY_CHARGE_REVERSED');
    expect((await abandonRequest(w.kiosk, t, WORLD.aliceA.ref, 2_500)).status).toBe(STATUS.APPROVED);
    expect((await w.emoney.sweep()).reversed).toBe(0);
    expect(reversals.filter((id) => id === t.toString('hex'))).toHaveLength(1);
    expect(await w.banks.a.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor);
    // Another charge's fields, or another terminal, cannot give it up.
    expect(code((await abandonRequest(w.kiosk, t, WORLD.aliceA.ref, 2_501)).resultCode)).toBe('EMONEY_EXISTS_WITH_DIFFERENT_FIELDS');
    expect(code((await abandonRequest(w.shops[SHOP_A1]!.link, t, WORLD.aliceA.ref, 2_500)).resultCode)).toBe('EMONEY_TERMINAL_MISMATCH');
    // A charge already credited to a card is refused: nothing is reversed.
    const t2 = tx();
    await chargeRequest(w.kiosk, t2, WORLD.aliceA.ref, WORLD.aliceA.pin, 1_000);
    await creditCard(w.kiosk, t2, w.cards[0]!, 1_000);
    const refused = await abandonRequest(w.kiosk, t2, WORLD.aliceA.ref, 1_000);
    expect({ status: refused.status, code: code(refused.resultCode) }).toEqual({ status: STATUS.DECLINED, code: 'EMONEY_CHARGE_CREDITED' });
    expect(w.cards[0]!.balanceMinor).toBe(1_000);
    expect(await w.banks.a.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor - 1_000);
    expect(reversals).toHaveLength(1);
    bankA.reverse = reverse;
  });

  it('CHARGE_ABANDON before the center saw the charge leaves a tombstone: the late CHARGE_REQUEST never reaches the bank', async () => {
    const transfers: string[] = [];
    const transfer = w.banks.b.transfer.bind(w.banks.b);
    w.banks.b.transfer = async (req) => (transfers.push(req.transferId), transfer(req));
    const t = tx();
    expect((await abandonRequest(w.kiosk, t, WORLD.bobB.ref, 1_200)).status).toBe(STATUS.APPROVED);
    expect(code((await chargeRequest(w.kiosk, t, WORLD.bobB.ref, WORLD.bobB.pin, 1_200)).resultCode)).toBe('EMONEY_CHARGE_REVERSED');
    expect(transfers).toEqual([]);
    expect(await w.banks.b.balance(WORLD.bobB.ref)).toBe(WORLD.bobB.openingMinor);
    w.banks.b.transfer = transfer;
  });

  it('CHARGE_ABANDON while the bank call runs: the approval is never booked, the money is reversed as soon as the call ends, once', async () => {
    let entered!: () => void;
    let release!: () => void;
    const atBank = new Promise<void>((r) => (entered = r));
    const gate = new Promise<void>((r) => (release = r));
    const transfer = w.banks.a.transfer.bind(w.banks.a);
    w.banks.a.transfer = async (req) => {
      entered();
      await gate;
      return transfer(req);
    };
    const reversals: string[] = [];
    const reverse = w.banks.a.reverse.bind(w.banks.a);
    w.banks.a.reverse = async (id) => (reversals.push(id), reverse(id));
    const t = tx();
    const charging = chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 3_300);
    await atBank;
    // The kiosk gave up meanwhile (its customer was told the charge failed).
    expect((await abandonRequest(w.kiosk, t, WORLD.aliceA.ref, 3_300)).status).toBe(STATUS.APPROVED);
    expect(reversals).toEqual([]); // the bank call holds the claim: the reversal waits for it
    release();
    expect(code((await charging).resultCode)).toBe('EMONEY_CHARGE_REVERSED');
    expect(reversals).toEqual([t.toString('hex')]);
    expect(await w.banks.a.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor);
    expect(await w.storage.read((q) => q.get('SELECT state, booked, claim_until_ms FROM emoney_charges WHERE id = ?', [t.toString('hex')]))).toEqual({ state: 'reversed', booked: 0, claim_until_ms: null });
    w.clock.offsetMs = EMONEY_LIMITS.issueTimeoutMs + 1;
    expect((await w.emoney.sweep()).reversed).toBe(0);
    expect(reversals).toHaveLength(1);
    w.banks.a.transfer = transfer;
    w.banks.a.reverse = reverse;
  });

  it('authorised card debited elsewhere before the credit: the dead authorisation returns to approved and is reversed', async () => {
    const [card, card2] = w.cards;
    const tFund = tx();
    await chargeRequest(w.kiosk, tFund, WORLD.aliceA.ref, WORLD.aliceA.pin, 1_000);
    await creditCard(w.kiosk, tFund, card!, 1_000);
    const t = tx();
    await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 3_000);
    await card!.open();
    const auth = await issueRequest(w.kiosk, t, card!, (await card!.read()).counter, 3_000);
    expect(auth.hostMac).toBeDefined();
    // Pulled; the card is spent at a shop (counter moves by a debit), then the shop settles.
    await w.shops[SHOP_A1]!.sell(card!, 400, nonce());
    await settle(w, w.shops[SHOP_A1]!);
    w.clock.offsetMs = EMONEY_LIMITS.issueTimeoutMs + 1;
    expect((await w.emoney.sweep()).reversed).toBe(1);
    expect(card!.balanceMinor).toBe(600);
    void card2;
  });

  it('rejects a forged record, an altered record, a record settled twice and a cloned card reusing a counter', async () => {
    const [card] = w.cards;
    const t = tx();
    await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 5_000);
    await creditCard(w.kiosk, t, card!, 5_000);
    const shop = w.shops[SHOP_A1]!;
    const good = await shop.sell(card!, 700, nonce());
    const uploaded = await shop.sell(card!, 300, nonce());
    const up = await shop.link.request({ type: 'purchaseUpload', records: [uploaded] });
    expect(up.type === 'purchaseUploadAck' && up.results[0]!.status).toBe(RECORD_STATUS.ACCEPTED);
    // Forged: a record the card never signed. Altered: the uploaded record with its amount raised.
    const forged = Object.assign({ ...good, cardCounter: 99, amountMinor: 5_000, cardMac: randomBytes(8) }, { fake: true });
    const altered = Object.assign({ ...uploaded, amountMinor: 3_000 }, { fake: true });
    shop.journal = [good, forged, altered];
    await settle(w, shop);
    const results = shop.instructions[0]!.results.map((r) => r.status);
    expect(results).toEqual([RECORD_STATUS.ACCEPTED, RECORD_STATUS.FORGED, RECORD_STATUS.ALTERED]);
    expect(shop.instructions[0]!.totalMinor).toBe(700);
    // The genuine uploaded record is settled in the next batch (the terminal kept it: re-added here).
    shop.journal = [uploaded];
    await settle(w, shop);
    expect(shop.instructions[1]!.totalMinor).toBe(300);
    // Settled twice: the same record again is a duplicate and pays nothing.
    shop.journal = [Object.assign({ ...good }, { fake: true })];
    await settle(w, shop);
    expect(shop.instructions[2]!.results[0]!.status).toBe(RECORD_STATUS.DUPLICATE);
    expect(shop.instructions[2]!.totalMinor).toBe(0);
    // A clone of the card (same keys, restored state) debits again at an already-used counter.
    const clone = w.cards[0]!;
    const state = clone.applet.snapshot;
    const { CardStateStore } = await import('../../sim/card/card-state-store.js');
    const { PurseApplet } = await import('../../sim/card/purse-applet.js');
    const { join } = await import('node:path');
    const cloneStore = new CardStateStore(join(w.dir, 'clone'));
    await cloneStore.save({ ...state, counter: good.cardCounter - 1, balanceMinor: 1_000 });
    const { TestCard } = await import('../../sim/world/emoney-parties.js');
    const cloned = new TestCard(new PurseApplet(cloneStore, state.cardId), clone.pin);
    const shopB = w.shops[SHOP_B1]!;
    const cloneRec = await shopB.sell(cloned, 250, nonce());
    expect(cloneRec.cardCounter).toBe(good.cardCounter);
    shopB.journal = [Object.assign(cloneRec, { fake: true })];
    await settle(w, shopB);
    expect(shopB.instructions[0]!.results[0]!.status).toBe(RECORD_STATUS.DUPLICATE);
    expect((await emoneyReport(w.storage)).flaggedRecords).toBe(1);
    expect(await w.banks.a.balance(WORLD.shopA.ref)).toBe(1_000);
    expect(await w.banks.b.balance(WORLD.shopB.ref)).toBe(0);
  });
  it('the validity lists gate e-money: a stolen card is refused at the kiosk and captured, a blocked kiosk charges nothing', async () => {
    const [card, card2] = w.cards;
    const t = tx();
    expect((await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 3_000)).status).toBe(STATUS.APPROVED);
    await withAdmin(async (post) => expect(await post(`/media/${card!.cardId}/block`, { status: 'stolen' })).toBe(200));
    await until('card stolen', () => !cardValid(card!.cardId));
    await card!.open();
    const refused = await issueRequest(w.kiosk, t, card!, (await card!.read()).counter, 3_000);
    expect(refused.status).toBe(STATUS.DECLINED);
    expect(code(refused.resultCode)).toBe('EMONEY_MEDIUM_INVALID');
    expect(refused.hostMac).toBeUndefined();
    expect(card!.balanceMinor).toBe(0);
    expect((await w.validity.getMedium(card!.cardId))?.status).toBe('captured');
    // The bank-approved charge never reached a card: reversed to the user after the timeout.
    w.clock.offsetMs = EMONEY_LIMITS.issueTimeoutMs + 1;
    expect((await w.emoney.sweep()).reversed).toBe(1);
    expect(await w.banks.a.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor);
    w.clock.offsetMs = 0;
    // A blocked kiosk: the charge is refused before the bank is called; the next valid card is not served either.
    await withAdmin(async (post) => expect(await post(`/terminals/${'KIOSK-1'}/block`)).toBe(200));
    await until('kiosk blocked', () => !terminalValid('KIOSK-1'));
    const blocked = await chargeRequest(w.kiosk, tx(), WORLD.bobB.ref, WORLD.bobB.pin, 2_000);
    expect(blocked.status).toBe(STATUS.DECLINED);
    expect(code(blocked.resultCode)).toBe('EMONEY_TERMINAL_INVALID');
    expect(await w.banks.b.balance(WORLD.bobB.ref)).toBe(WORLD.bobB.openingMinor);
    expect(code((await issueRequest(w.kiosk, tx(), card2!, 0, 2_000)).resultCode)).toBe('EMONEY_TERMINAL_INVALID');
    expect((await w.validity.getMedium(card2!.cardId))?.status).toBe('active');
  });

  it('a blocked shop neither uploads nor settles (coded answers EMONEY_TERMINAL_INVALID on the wire) and is not paid until unblocked; a record of a card blocked after the debit is settled and flagged', async () => {
    const [card, card2] = w.cards;
    for (const [c, amount] of [[card!, 5_000], [card2!, 1_000]] as const) {
      const t = tx();
      await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, amount);
      await creditCard(w.kiosk, t, c, amount);
    }
    const shop = w.shops[SHOP_A1]!;
    await shop.sell(card!, 700, nonce());
    await shop.sell(card2!, 300, nonce());
    // The holder of card 2 reports it lost after the (offline) sale.
    await withAdmin(async (post) => expect(await post(`/media/${card2!.cardId}/block`, { status: 'lost' })).toBe(200));
    await until('card 2 lost', () => !cardValid(card2!.cardId));
    // The batch is acknowledged (records erased at the shop), then the center stops before paying; the shop is blocked.
    stepHook = (s) => {
      if (s === 'acked') throw new Error('stop before paying');
    };
    await settle(w, shop);
    stepHook = null;
    expect(shop.instructions[0]!.totalMinor).toBe(1_000);
    await withAdmin(async (post) => expect(await post(`/terminals/${SHOP_A1}/block`)).toBe(200));
    await until('shop blocked', () => !terminalValid(SHOP_A1));
    expect((await w.emoney.sweep()).paymentsRetried).toBe(0);
    expect(await w.banks.a.balance(WORLD.shopA.ref)).toBe(0);
    // Blocked: a new sale can be neither uploaded nor settled (refused before anything is stored or booked).
    const later = await shop.sell(card!, 200, nonce());
    // The refusal is an answer with the code, not an ERROR: the shop is told why and its session goes on.
    expect(await shop.link.request({ type: 'purchaseUpload', records: [later] })).toEqual({ type: 'purchaseUploadAck', results: [], resultCode: resultCodeOf('EMONEY_TERMINAL_INVALID') });
    expect(await shop.link.request({ type: 'settleRequest', terminalId: shop.id, records: [later] })).toEqual({ type: 'settleRefused', resultCode: resultCodeOf('EMONEY_TERMINAL_INVALID') });
    expect(await batchCount(shop.id)).toBe(1);
    const stored = await w.storage.read((q) => q.get<{ n: number }>('SELECT COUNT(*) AS n FROM emoney_records WHERE counter = ?', [later.cardCounter]));
    expect(Number(stored?.n)).toBe(0);
    // Unblocked: the held batch is paid by the sweep; the lost card's record was settled and flagged.
    await withAdmin(async (post) => expect(await post(`/terminals/${SHOP_A1}/unblock`)).toBe(200));
    await until('shop unblocked', () => terminalValid(SHOP_A1));
    expect((await w.emoney.sweep()).paymentsRetried).toBe(1);
    expect(await w.banks.a.balance(WORLD.shopA.ref)).toBe(1_000);
    const flags = await w.storage.read((q) => q.all<{ card_id: string; kind: string }>('SELECT card_id, kind FROM emoney_flags'));
    expect(flags).toEqual([{ card_id: card2!.cardId, kind: 'blocked_card' }]);
    await settle(w, shop);
    expect(await w.banks.a.balance(WORLD.shopA.ref)).toBe(1_200);
  });
  it('the books cannot be rewritten silently: a raw admin transfer from the float is refused and on the audit trail; a write behind the flows is caught by the float audit', async () => {
    const [card] = w.cards;
    const t = tx();
    await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 5_000);
    await creditCard(w.kiosk, t, card!, 5_000);
    const raw = { id: 'a'.repeat(32), debitAccountId: 'emoney-float', creditAccountId: 'provider@0001', amountMinor: 5_000, currency: 'JPY' };
    await withAdmin(async (post) => expect(await post('/transfers', { transfers: [raw] })).toBe(403));
    expect((await emoneyReport(w.storage)).floatMinor).toBe(5_000);
    const trail = await w.storage.read((q) => q.all<{ route: string; outcome: string; code: string; target_ids: string }>('SELECT route, outcome, code, target_ids FROM admin_audit_trail'));
    expect(trail).toEqual([{ route: '/transfers', outcome: 'refused', code: 'ADMIN_SYSTEM_ACCOUNT', target_ids: JSON.stringify([raw.id]) }]);
    // The same write made behind the flows' back (straight into the ledger): the audit no longer says ok.
    await w.emoney.ledger.createTransfers([raw]);
    const name = 'e-money float equals e-money outstanding (issued - settled)';
    await withAdmin(async (_post, admin) => {
      const audit = (await (await fetch(`${admin.url}/audit`, { headers: adminAuth() })).json()) as { ok: boolean; checks: { name: string; ok: boolean }[] };
      expect(audit.ok).toBe(false);
      expect(audit.checks.find((c) => c.name === name)?.ok).toBe(false);
    });
    const target = typeof w.dbTarget === 'string' ? w.dbTarget : (w.dbTarget as { url: string }).url;
    const text = formatAuditReport(await auditDatabase(target, [EMONEY_AUDIT]));
    expect(text).toContain(`[FAIL] ${name}`);
    expect(text).toContain('emoney-float: balance 0 but issued - settled = 5000');
    // Put back, so the world's own checks (money, audits) still hold.
    await w.emoney.ledger.createTransfers([{ ...raw, id: 'b'.repeat(32), debitAccountId: 'provider@0001', creditAccountId: 'emoney-float' }]);
    expect(formatAuditReport(await auditDatabase(target, [EMONEY_AUDIT]))).toContain(`[ok] ${name}`);
  });
  it('settlement callbacks are bounded: with callbacksInFlightMax running, one more SETTLE_REQUEST is refused before a batch opens', async () => {
    // A shop terminal whose callback address accepts connections and never answers: every callback hangs in its handshake.
    const held: Socket[] = [];
    const silent = createServer((sock) => void held.push(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const id = 'SHOP-A9';
    await w.validity.addTerminals([{ id, ownerKind: 'store', ownerId: 'SHOP-A', keyRef: `k-${id}`, callbackAddress: `127.0.0.1:${port}` }]);
    // SETTLE_REQUEST ends its session (the shop hangs up and awaits the callback): one link per request.
    const settleOnce = async () => {
      const link = new LinkClient({ terminalId: id, terminalKey: deriveTerminalKey(w.masterKey, `k-${id}`), centers: [{ host: '127.0.0.1', port: w.center.address.port }], maxAttempts: 1 });
      link.start();
      try {
        const res = await link.request({ type: 'settleRequest', terminalId: id, records: [] });
        return res.type === 'awaitCallback' ? res.type : res;
      } finally {
        await link.close();
      }
    };
    const batches = async () => Number((await w.storage.read((q) => q.get<{ n: number }>('SELECT COUNT(*) AS n FROM emoney_batches WHERE terminal_id = ?', [id])))?.n);
    try {
      for (let i = 0; i < EMONEY_LIMITS.callbacksInFlightMax; i++) expect(await settleOnce()).toBe('awaitCallback');
      expect(await batches()).toBe(EMONEY_LIMITS.callbacksInFlightMax);
      // Refused with the code in the protocol (SETTLE_REFUSED EMONEY_BUSY), not an ERROR the shop cannot read.
      expect(await settleOnce()).toEqual({ type: 'settleRefused', resultCode: resultCodeOf('EMONEY_BUSY') });
      expect(await batches()).toBe(EMONEY_LIMITS.callbacksInFlightMax);
    } finally {
      for (const sock of held) sock.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
    // The callbacks fail (dial refused, retries bounded) and free their places: settling works again.
    await w.emoney.idle();
    await settle(w, w.shops[SHOP_A1]!, []);
    expect(w.shops[SHOP_A1]!.instructions).toHaveLength(1);
  });
});
