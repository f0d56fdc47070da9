/**
 * Two center nodes on one PostgreSQL database (center/emoney/README.md,
 * "Several nodes"): a charge approved through node 1 is credited through
 * node 2; a settlement requested on node 1 is called back and paid once,
 * and a timed-out charge reversed once, while both nodes sweep at the same
 * time. Bank calls are counted at the bank (by transfer id); money is
 * conserved, the audits pass and the provider's books agree with the banks.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMONEY_LIMITS } from '../../../center/emoney/limits.js';
import { derivedId } from '../../../center/emoney/ledger-map.js';
import { resultCodeName } from '../../../center/emoney/result-codes.js';
import type { BankHost } from '../../../sim/bank/bank-host.js';
import { STATUS } from '../../../protocol/codes.js';
import { WORLD } from '../../sim/bank/fixtures.js';
import { POSTGRES_DB } from '../../support/center-db.js';
import { expectWorldConsistent } from '../../support/emoney-world-checks.js';
import { abandonRequest, chargeRequest, creditCard, issueRequest, moneyInWorld, openEmoneyWorld, SHOP_A1, type EmoneyNode as CenterNode, type EmoneyWorld as World } from '../../../sim/world/emoney-world.js';

let w: World;
let node2: CenterNode;
let money0: number;
const nonce = (): Buffer => randomBytes(8);

/** A gate the test opens: bank calls that pass it wait until then. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

type Call = { kind: 'transfer' | 'reverse'; id: string; from?: string };

/**
 * Counts the bank's transfer and reversal calls by id; `hold` (when set) makes
 * the matching calls wait at a gate, and `entered` resolves at the first one.
 */
function spyOn(bank: BankHost) {
  const transfers: string[] = [];
  const reversals: string[] = [];
  let hold: { match: (call: Call) => boolean; gate: Promise<void>; entered: () => void } | undefined;
  const realTransfer = bank.transfer.bind(bank);
  const realReverse = bank.reverse.bind(bank);
  const pass = async (call: Call): Promise<void> => {
    if (hold?.match(call)) {
      hold.entered();
      await hold.gate;
    }
  };
  bank.transfer = async (req) => {
    transfers.push(req.transferId);
    await pass({ kind: 'transfer', id: req.transferId, from: req.from.accountNumber });
    return realTransfer(req);
  };
  bank.reverse = async (id) => {
    reversals.push(id);
    await pass({ kind: 'reverse', id });
    return realReverse(id);
  };
  return {
    transfers,
    reversals,
    /** Holds the next matching calls; resolves `entered` at the first; `release` lets them through. */
    hold(match: (call: Call) => boolean): { entered: Promise<void>; release: () => void } {
      const g = gate();
      const e = gate();
      hold = { match, gate: g.wait, entered: e.open };
      return { entered: e.wait, release: () => { hold = undefined; g.open(); } };
    },
    restore(): void {
      bank.transfer = realTransfer;
      bank.reverse = realReverse;
    },
  };
}

const count = (ids: readonly string[], id: string): number => ids.filter((x) => x === id).length;

/** Resolves once `cond` holds (polled), for racing a request that the old code would leave blocked at a bank gate. */
async function until(cond: () => boolean): Promise<'happened'> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
  return 'happened';
}

/** A request's answer code, or 'bank called again' if a second bank call for `id` shows up first (it would wait at the gate). */
async function answerOrSecondCall(answer: Promise<{ resultCode: number; status: number }>, calls: readonly string[], id: string): Promise<string> {
  return Promise.race([answer.then((a) => resultCodeName(a.resultCode) ?? String(a.resultCode)), until(() => count(calls, id) > 1).then(() => 'bank called again')]);
}

beforeEach(async () => {
  w = await openEmoneyWorld({ db: POSTGRES_DB, parties: true });
  node2 = await w.addNode();
  money0 = await moneyInWorld(w);
});
afterEach(async () => {
  try {
    await expectWorldConsistent(w, money0);
  } finally {
    await w.close();
  }
});

describe('e-money: two center nodes on one PostgreSQL database', () => {
  it('charge approved through node 1 and credited through node 2; a timed-out charge swept by both nodes at once is reversed once', async () => {
    const bankA = spyOn(w.banks.a);
    const [card] = w.cards;
    const t1 = randomBytes(16);
    expect((await chargeRequest(w.kiosk, t1, WORLD.aliceA.ref, WORLD.aliceA.pin, 10_000)).status).toBe(STATUS.APPROVED);
    const { confirmed } = await creditCard(node2.kiosk, t1, card!, 10_000);
    expect(confirmed?.status).toBe(STATUS.APPROVED);
    expect(card!.balanceMinor).toBe(10_000);
    const row = await w.storage.read((q) => q.get('SELECT state, card_id, claim_until_ms FROM emoney_charges WHERE id = ?', [t1.toString('hex')]));
    expect(row).toEqual({ state: 'issued', card_id: card!.cardId, claim_until_ms: null });
    // The kiosk retries the charge on node 2: the center answers from its row, the bank is not called again.
    expect((await chargeRequest(node2.kiosk, t1, WORLD.aliceA.ref, WORLD.aliceA.pin, 10_000)).status).toBe(STATUS.APPROVED);
    expect(count(bankA.transfers, t1.toString('hex'))).toBe(1);

    // Approved on node 2, never bound to a card; past the timeout both nodes sweep at once.
    const t2 = randomBytes(16).toString('hex');
    expect((await chargeRequest(node2.kiosk, Buffer.from(t2, 'hex'), WORLD.aliceA.ref, WORLD.aliceA.pin, 3_000)).status).toBe(STATUS.APPROVED);
    w.clock.offsetMs = EMONEY_LIMITS.issueTimeoutMs + 1;
    const held = bankA.hold((c) => c.kind === 'reverse' && c.id === t2);
    const sweeps = [w.emoney.sweep(), node2.emoney.sweep()];
    await held.entered; // one node claimed the charge and is at the bank
    await Promise.race(sweeps); // the other node found it claimed and finished without calling
    held.release();
    const reports = await Promise.all(sweeps);
    expect(reports.map((r) => r.reversed).sort()).toEqual([0, 1]);
    expect(count(bankA.reversals, t2)).toBe(1);
    expect(await w.banks.a.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor - 10_000);
    // Later sweeps on either node find nothing left to do.
    expect((await Promise.all([w.emoney.sweep(), node2.emoney.sweep()])).map((r) => r.reversed)).toEqual([0, 0]);
    expect(count(bankA.reversals, t2)).toBe(1);
    bankA.restore();
  });

  it('a card authorised on node 2 after node 1\'s sweep read the charge as timed out: node 1 does not reverse it, the card is credited', async () => {
    const bankA = spyOn(w.banks.a);
    const [card] = w.cards;
    const t = randomBytes(16);
    await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 2_000);
    w.clock.offsetMs = EMONEY_LIMITS.issueTimeoutMs + 1;
    await card!.open();
    const { counter } = await card!.read();
    // Node 1's sweep reads the due charges; before it acts, the kiosk on node 2 binds the card to the charge.
    let issued: Awaited<ReturnType<typeof issueRequest>> | undefined;
    const read = w.storage.read.bind(w.storage);
    w.storage.read = (async (fn: Parameters<typeof read>[0]) => {
      const rows = await read(fn);
      if (!issued) issued = await issueRequest(node2.kiosk, t, card!, counter, 2_000);
      return rows;
    }) as typeof w.storage.read;
    let report;
    try {
      report = await w.emoney.sweep();
    } finally {
      w.storage.read = read;
    }
    expect(issued?.hostMac).toBeDefined();
    expect(report.reversed).toBe(0);
    expect(bankA.reversals).toEqual([]);
    // The authorisation stands: the card takes the credit and node 1 confirms it.
    const receipt = await card!.credit(2_000, issued!.hostMac!);
    if (typeof receipt === 'number') throw new Error(`credit sw ${receipt.toString(16)}`);
    const confirmed = await issueRequest(w.kiosk, t, card!, receipt.counter, 2_000, { receipt: receipt.cardMac, balanceMinor: receipt.balanceMinor });
    expect(confirmed.status).toBe(STATUS.APPROVED);
    expect(card!.balanceMinor).toBe(2_000);
    expect(await w.banks.a.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor - 2_000);
    bankA.restore();
  });

  it('a CHARGE_REQUEST retried on node 2 while node 1 is at the bank for it does not call the bank: EMONEY_CHARGE_IN_PROGRESS; one transfer', async () => {
    const bankA = spyOn(w.banks.a);
    const t = randomBytes(16);
    const id = t.toString('hex');
    const held = bankA.hold((c) => c.kind === 'transfer' && c.id === id);
    const first = chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 2_200);
    await held.entered;
    const retried = await answerOrSecondCall(chargeRequest(node2.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 2_200), bankA.transfers, id);
    held.release();
    expect(retried).toBe('EMONEY_CHARGE_IN_PROGRESS');
    expect((await first).status).toBe(STATUS.APPROVED);
    expect(count(bankA.transfers, id)).toBe(1);
    // The kiosk gave it up (its customer saw the retry fail): node 2 reverses it at once.
    expect((await abandonRequest(node2.kiosk, t, WORLD.aliceA.ref, 2_200)).status).toBe(STATUS.APPROVED);
    expect(count(bankA.reversals, id)).toBe(1);
    expect(await w.banks.a.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor);
    bankA.restore();
  });

  it('an unknown-outcome charge past the doubt window: a retry on node 2 claims the bank call, both nodes\' sweeps and a retry on node 1 leave it alone; one transfer, no reversal', async () => {
    const t = randomBytes(16);
    const id = t.toString('hex');
    const real = w.banks.a.transfer;
    w.banks.a.transfer = () => Promise.reject(new Error('link down'));
    expect(resultCodeName((await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 1_100)).resultCode)).toBe('RELAY_BANK_UNREACHABLE');
    w.banks.a.transfer = real;
    const bankA = spyOn(w.banks.a);
    w.clock.offsetMs = EMONEY_LIMITS.bankDoubtMs + 1;
    const held = bankA.hold((c) => c.kind === 'transfer' && c.id === id);
    const retry2 = chargeRequest(node2.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 1_100);
    await held.entered;
    const sweeps = await Promise.all([w.emoney.sweep(), node2.emoney.sweep()]);
    const retry1 = await answerOrSecondCall(chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 1_100), bankA.transfers, id);
    held.release();
    expect(retry1).toBe('EMONEY_CHARGE_IN_PROGRESS');
    expect(sweeps.map((r) => r.reversed)).toEqual([0, 0]);
    expect((await retry2).status).toBe(STATUS.APPROVED);
    expect(count(bankA.transfers, id)).toBe(1);
    expect(bankA.reversals).toEqual([]);
    const row = await w.storage.read((q) => q.get('SELECT state, code, claim_until_ms FROM emoney_charges WHERE id = ?', [id]));
    expect(row).toEqual({ state: 'approved', code: 'OK', claim_until_ms: null });
    await creditCard(w.kiosk, t, w.cards[0]!, 1_100);
    expect(w.cards[0]!.balanceMinor).toBe(1_100);
    bankA.restore();
  });

  it('a give-up (CHARGE_ABANDON) racing the sweep on the other node reverses once, either way round; booking is its own column', async () => {
    const bankA = spyOn(w.banks.a);
    const [t1, t2] = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
    const approve = async (t: string) => expect((await chargeRequest(w.kiosk, Buffer.from(t, 'hex'), WORLD.aliceA.ref, WORLD.aliceA.pin, 700)).status).toBe(STATUS.APPROVED);
    await approve(t1);
    w.clock.offsetMs = EMONEY_LIMITS.issueTimeoutMs + 1;
    // Sweep first (node 1, held at the bank), then the kiosk's give-up on node 2.
    const held1 = bankA.hold((c) => c.kind === 'reverse' && c.id === t1);
    const sweep1 = w.emoney.sweep();
    await held1.entered;
    const reversing = await w.storage.read((q) => q.get('SELECT state, code, booked FROM emoney_charges WHERE id = ?', [t1]));
    expect(reversing).toEqual({ state: 'reversing', code: 'OK', booked: 1 });
    expect((await abandonRequest(node2.kiosk, Buffer.from(t1, 'hex'), WORLD.aliceA.ref, 700)).status).toBe(STATUS.APPROVED);
    held1.release();
    const first = await sweep1;
    expect(count(bankA.reversals, t1)).toBe(1);
    // Give-up first (node 2, held at the bank), then node 1's sweep.
    await approve(t2);
    w.clock.offsetMs = 2 * (EMONEY_LIMITS.issueTimeoutMs + 1);
    const held2 = bankA.hold((c) => c.kind === 'reverse' && c.id === t2);
    const given = abandonRequest(node2.kiosk, Buffer.from(t2, 'hex'), WORLD.aliceA.ref, 700);
    await held2.entered;
    const second = await w.emoney.sweep();
    held2.release();
    expect((await given).status).toBe(STATUS.APPROVED);
    expect(count(bankA.reversals, t2)).toBe(1);
    expect(first.reversed + second.reversed).toBe(1); // t1 by the sweep; t2 by the give-up, not the sweep
    for (const t of [t1, t2]) {
      expect(await w.storage.read((q) => q.get('SELECT state, booked, claim_until_ms FROM emoney_charges WHERE id = ?', [t]))).toEqual({ state: 'reversed', booked: 1, claim_until_ms: null });
    }
    expect((await Promise.all([w.emoney.sweep(), node2.emoney.sweep()])).map((r) => r.reversed)).toEqual([0, 0]);
    expect(await w.banks.a.balance(WORLD.aliceA.ref)).toBe(WORLD.aliceA.openingMinor);
    bankA.restore();
  });

  it('settlement requested on node 1 is called back and paid once while both nodes sweep at once, also after an unreachable bank', async () => {
    const bankA = spyOn(w.banks.a);
    const [card] = w.cards;
    const t = randomBytes(16);
    await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 5_000);
    await creditCard(node2.kiosk, t, card!, 5_000);
    const shop = w.shops[SHOP_A1]!;
    await shop.sell(card!, 1_500, nonce());
    await shop.sell(card!, 500, nonce());
    const providerPays = (from: string | undefined): boolean => from === WORLD.providerA.ref.accountNumber;

    // Node 1 calls the shop back and pays; the bank holds the payment while both nodes sweep.
    const held = bankA.hold((c) => c.kind === 'transfer' && providerPays(c.from));
    const res = await shop.link.request({ type: 'settleRequest', terminalId: shop.id, records: shop.journal });
    if (res.type !== 'awaitCallback') throw new Error(`got ${res.type}`);
    shop.listener.expect(res.token, res.waitMs);
    await held.entered;
    const during = await Promise.all([w.emoney.sweep(), node2.emoney.sweep()]);
    expect(during.map((r) => r.paymentsRetried)).toEqual([0, 0]);
    held.release();
    await w.emoney.idle();
    const batch = await w.storage.read((q) => q.get<{ id: string; state: string }>(`SELECT id, state FROM emoney_batches WHERE terminal_id = ?`, [SHOP_A1]));
    expect(batch?.state).toBe('settled');
    const payId = derivedId(batch!.id, 'PAY');
    expect(count(bankA.transfers, payId)).toBe(1);
    expect(shop.instructions).toHaveLength(1);
    expect(await w.banks.a.balance(WORLD.shopA.ref)).toBe(2_000);
    expect((await Promise.all([w.emoney.sweep(), node2.emoney.sweep()])).map((r) => r.paymentsRetried)).toEqual([0, 0]);

    // The next payment finds bank A unreachable: the batch stays acked, unclaimed; then both nodes sweep at once.
    await shop.sell(card!, 700, nonce());
    const real = w.banks.a.transfer;
    w.banks.a.transfer = async (req) => (providerPays(req.from.accountNumber) ? Promise.reject(new Error('link down')) : real(req));
    const res2 = await shop.link.request({ type: 'settleRequest', terminalId: shop.id, records: shop.journal });
    if (res2.type !== 'awaitCallback') throw new Error(`got ${res2.type}`);
    shop.listener.expect(res2.token, res2.waitMs);
    await w.emoney.idle();
    w.banks.a.transfer = real;
    const acked = await w.storage.read((q) => q.get<{ id: string; state: string; claim_until_ms: number | null }>(
      `SELECT id, state, claim_until_ms FROM emoney_batches WHERE terminal_id = ? AND id <> ?`, [SHOP_A1, batch!.id]));
    expect(acked).toMatchObject({ state: 'acked', claim_until_ms: null });
    const payId2 = derivedId(acked!.id, 'PAY');
    const held2 = bankA.hold((c) => c.kind === 'transfer' && c.id === payId2);
    const sweeps = [w.emoney.sweep(), node2.emoney.sweep()];
    await held2.entered;
    await Promise.race(sweeps);
    held2.release();
    const after = await Promise.all(sweeps);
    expect(after.map((r) => r.paymentsRetried).sort()).toEqual([0, 1]);
    expect(count(bankA.transfers, payId2)).toBe(1); // the failed attempt never reached the spy's bank call
    expect(await w.banks.a.balance(WORLD.shopA.ref)).toBe(2_700);
    expect(shop.instructions).toHaveLength(2);
    const states = await w.storage.read((q) => q.all(`SELECT state FROM emoney_batches WHERE terminal_id = ? ORDER BY created_ms`, [SHOP_A1]));
    expect(states.map((r) => r['state'])).toEqual(['settled', 'settled']);
    bankA.restore();
  });

  it('one terminal\'s SETTLE_REQUEST sent to both nodes at once: one batch is settled, any other abandoned, the shop paid once', async () => {
    const [card] = w.cards;
    const t = randomBytes(16);
    await chargeRequest(w.kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 3_000);
    await creditCard(w.kiosk, t, card!, 3_000);
    const shop = w.shops[SHOP_A1]!;
    await shop.sell(card!, 800, nonce());
    const records = [...shop.journal];
    const viaNode2 = node2.link(SHOP_A1);
    const answers = await Promise.all([shop.link, viaNode2].map((l) => l.request({ type: 'settleRequest', terminalId: shop.id, records })));
    for (const a of answers) {
      if (a.type !== 'awaitCallback') throw new Error(`got ${a.type}`);
      shop.listener.expect(a.token, a.waitMs);
    }
    await Promise.all([w.emoney.idle(), node2.emoney.idle()]);
    const states = await w.storage.read((q) => q.all<{ state: string }>(`SELECT state FROM emoney_batches WHERE terminal_id = ?`, [SHOP_A1]));
    expect(states.filter((r) => r.state === 'settled')).toHaveLength(1);
    expect(states.every((r) => r.state === 'settled' || r.state === 'abandoned')).toBe(true);
    expect(await w.banks.a.balance(WORLD.shopA.ref)).toBe(800);
    expect(shop.journal).toEqual([]);
  });
});
