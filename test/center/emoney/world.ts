/**
 * A whole seed-004 world for tests: center (real protocol listener) with the
 * e-money flow, banks A and B behind the relay, a provider kiosk, two shop
 * terminals with callback listeners, and virtual purse cards (the sim's
 * purse applet, driven by real APDUs).
 */
import { ValidityRepository } from '../../../center/validity/repository.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SeededRandom } from '../../../core/random.js';
import { SystemClock } from '../../../core/clock.js';
import { TAG } from '../../../protocol/codes.js';
import { pinBlockFormat2 } from '../../../protocol/crypto/seal.js';
import type { PurchaseRecord, RecordKey, SettlementInstruction } from '../../../protocol/messages/types.js';
import { encodeCommand, type PurseCommand } from '../../../protocol/purse/commands.js';
import { decodePurseState, decodeReceipt, splitResponse, type PurseReceipt, type PurseState } from '../../../protocol/purse/responses.js';
import type { Emoney } from '../../../center/emoney/emoney.js';
import { EMONEY_MODULE, emoneyModule } from '../../../center/emoney/module.js';
import { CENTER_MODULES } from '../../../center/modules.js';
import type { SettlementStep } from '../../../center/emoney/settlement.js';
import { Relay } from '../../../center/relay/relay.js';
import type { AccountRef } from '../../../center/relay/types.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { deriveTerminalKey } from '../../../center/server/terminal-keys.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage, StorageOptions } from '../../../center/storage/types.js';
import { CardStateStore } from '../../../sim/card/card-state-store.js';
import { personaliseCard } from '../../../sim/card/card-state.js';
import { PurseApplet } from '../../../sim/card/purse-applet.js';
import { CallbackListener } from '../../../terminal/link/callback-listener.js';
import { LinkClient } from '../../../terminal/link/link-client.js';
import { configOf, keyDir } from '../server/support.js';
import { openBanks, WORLD, type Banks } from '../../sim/bank/fixtures.js';

export const KIOSK = 'KIOSK-1';
export const SHOP_A1 = 'SHOP-A1';
export const SHOP_B1 = 'SHOP-B1';

/** A virtual purse card driven with real APDUs. */
export class TestCard {
  constructor(readonly applet: PurseApplet, readonly pin: string) {}
  get cardId(): string {
    return this.applet.cardId;
  }
  get balanceMinor(): number {
    return this.applet.snapshot.balanceMinor;
  }
  private async apdu(c: PurseCommand): Promise<{ data: Buffer; sw: number }> {
    return splitResponse(await this.applet.process(encodeCommand(c)));
  }
  /** Power-up as a terminal does it: SELECT, VERIFY PIN. */
  async open(): Promise<void> {
    this.applet.reset();
    const { PURSE_AID } = await import('../../../protocol/purse/constants.js');
    if ((await this.apdu({ kind: 'select', aid: PURSE_AID })).sw !== 0x9000) throw new Error('select failed');
    if ((await this.apdu({ kind: 'verifyPin', pin: this.pin })).sw !== 0x9000) throw new Error('pin failed');
  }
  async read(): Promise<PurseState> {
    return decodePurseState((await this.apdu({ kind: 'readPurse' })).data);
  }
  async credit(amountMinor: number, hostMac: Buffer): Promise<PurseReceipt | number> {
    const r = await this.apdu({ kind: 'credit', amountMinor, hostMac });
    return r.sw === 0x9000 ? decodeReceipt(r.data) : r.sw;
  }
  async debit(amountMinor: number, terminalId: string, terminalNonce: Buffer): Promise<PurseReceipt> {
    const r = await this.apdu({ kind: 'debit', amountMinor, terminalId, terminalNonce });
    if (r.sw !== 0x9000) throw new Error(`debit sw ${r.sw.toString(16)}`);
    return decodeReceipt(r.data);
  }
}

/** A member-shop terminal: a journal of offline records and a callback listener that erases settled ones. */
export class TestShop {
  journal: PurchaseRecord[] = [];
  instructions: SettlementInstruction[] = [];
  securityCodes: string[] = [];
  constructor(readonly id: string, readonly link: LinkClient, readonly listener: CallbackListener) {}

  async sell(card: TestCard, amountMinor: number, nonce: Buffer): Promise<PurchaseRecord> {
    await card.open();
    const r = await card.debit(amountMinor, this.id, nonce);
    const rec = { mediumId: Buffer.from(card.cardId, 'hex'), cardCounter: r.counter, amountMinor, currency: 'JPY', terminalId: this.id, terminalNonce: nonce, cardMac: r.cardMac };
    this.journal.push(rec);
    return rec;
  }

  /** Genuine records still held (what the shop is owed). */
  get unsettledMinor(): number {
    return this.journal.filter((r) => !('fake' in r)).reduce((s, r) => s + r.amountMinor, 0);
  }
}

/**
 * Where the center's database lives. The default is a SQLite file in the
 * world's temp dir; a PostgreSQL engine gives a fresh database (`open`) that
 * `drop` removes after the world closed. Several nodes may open the same target.
 */
export interface CenterDb {
  readonly name: 'sqlite' | 'postgres';
  open(dir: string): Promise<{ target: string | StorageOptions; drop?: () => Promise<void> }>;
}

export const SQLITE_DB: CenterDb = { name: 'sqlite', open: async (dir) => ({ target: join(dir, 'center.db') }) };

/** One more center node on the world's database: its own storage, e-money module, listener and kiosk link. */
export interface CenterNode {
  storage: Storage;
  emoney: Emoney;
  center: Center;
  kiosk: LinkClient;
  /** A terminal's link to this node. */
  link(terminalId: string): LinkClient;
}

export interface World {
  dir: string;
  /** The database target every node of this world opens. */
  dbTarget: string | StorageOptions;
  masterKey: Buffer;
  issuerMasterKey: Buffer;
  storage: Storage;
  /** The validity module's lists (media, terminals) over storage. */
  validity: ValidityRepository;
  banks: Banks;
  relay: Relay;
  emoney: Emoney;
  center: Center;
  kiosk: LinkClient;
  shops: Record<string, TestShop>;
  cards: TestCard[];
  clock: ShiftedClock;
  /** Opens another center node on the same database (PostgreSQL: several nodes; closed with the world). */
  addNode(): Promise<CenterNode>;
  close(): Promise<void>;
}

export function onInstruction(shop: () => TestShop) {
  return async (msg: SettlementInstruction, ctx: { sealer: { open(tag: number, b: Buffer): Buffer } }) => {
    const s = shop();
    s.instructions.push(msg);
    s.securityCodes.push(ctx.sealer.open(TAG.SECURITY_CODE, msg.securityCode).toString('ascii'));
    const settled = new Set(msg.results.filter((r) => r.status === 0).map((r) => `${r.mediumId.toString('hex')}:${r.cardCounter}`));
    // Erase exactly the accepted records; rejected ones are dropped too (never payable), kept aside for the operator.
    const all = new Set(msg.results.map((r) => `${r.mediumId.toString('hex')}:${r.cardCounter}`));
    s.journal = s.journal.filter((r) => !all.has(`${r.mediumId.toString('hex')}:${r.cardCounter}`));
    const erased: RecordKey[] = msg.results.filter((r) => settled.has(`${r.mediumId.toString('hex')}:${r.cardCounter}`)).map((r) => ({ mediumId: r.mediumId, cardCounter: r.cardCounter }));
    return { type: 'settlementAck' as const, erased };
  };
}

/** The system clock moved forward on demand (the e-money timeouts are tested without waiting). */
export class ShiftedClock extends SystemClock {
  offsetMs = 0;
  override nowMs(): number {
    return super.nowMs() + this.offsetMs;
  }
}

export async function openWorld(o: { onSettlementStep?: (s: SettlementStep, id: string) => void; db?: CenterDb } = {}): Promise<World> {
  const keys = keyDir();
  const dir = keys.dir;
  const issuerMasterKey = randomBytes(32);
  const db = await (o.db ?? SQLITE_DB).open(dir);
  const storage = await openStorage(db.target);
  const validity = await ValidityRepository.open(storage);
  const banks = await openBanks(join(dir, 'bank-a.db'), join(dir, 'bank-b.db'));
  const relay = new Relay({ adapters: [banks.a, banks.b] });
  const clock = new ShiftedClock();
  const shops: Record<string, TestShop> = {};
  const listeners: Record<string, CallbackListener> = {};
  for (const id of [SHOP_A1, SHOP_B1]) {
    listeners[id] = new CallbackListener({ terminalId: id, terminalKey: deriveTerminalKey(keys.masterKey, `k-${id}`), onInstruction: onInstruction(() => shops[id]!) });
  }
  const portOf = async (id: string): Promise<number> => (await listeners[id]!.listen()).port;
  await validity.addTerminals([
    { id: KIOSK, ownerKind: 'store', ownerId: 'PROVIDER', keyRef: `k-${KIOSK}` },
    { id: SHOP_A1, ownerKind: 'store', ownerId: 'SHOP-A', keyRef: `k-${SHOP_A1}`, callbackAddress: `127.0.0.1:${await portOf(SHOP_A1)}` },
    { id: SHOP_B1, ownerKind: 'store', ownerId: 'SHOP-B', keyRef: `k-${SHOP_B1}`, callbackAddress: `127.0.0.1:${await portOf(SHOP_B1)}` },
  ]);
  const providerAccounts = [
    { ...WORLD.providerA.ref, securityCode: WORLD.providerA.pin },
    { ...WORLD.providerB.ref, securityCode: WORLD.providerB.pin },
  ];
  const links: LinkClient[] = [];
  /** A center node on `nodeStorage`: the e-money module (same config, relay and clock) and a listener. */
  const startNode = async (nodeStorage: Storage, seed: number) => {
    const emoneyOfWorld = emoneyModule({
      relay, secrets: { issuerMasterKey, currency: 'JPY', providerAccounts }, sweepIntervalMs: null,
      ...(o.onSettlementStep && { onSettlementStep: o.onSettlementStep }),
    });
    const modules = CENTER_MODULES.map((m) => (m.name === EMONEY_MODULE ? emoneyOfWorld : m));
    const center = await startCenter(configOf(keys.masterKeyFile), modules, { storage: nodeStorage, random: new SeededRandom(seed), clock });
    const emoney = center.module<Emoney>(EMONEY_MODULE);
    const link = (id: string): LinkClient => {
      const c = new LinkClient({ terminalId: id, terminalKey: deriveTerminalKey(keys.masterKey, `k-${id}`), centers: [{ host: '127.0.0.1', port: center.address.port }], maxAttempts: 1 });
      c.start();
      links.push(c);
      return c;
    };
    return { storage: nodeStorage, emoney, center, link, kiosk: link(KIOSK) };
  };
  const first = await startNode(storage, 7);
  const { emoney, center, kiosk } = first;
  await emoney.registerShop('SHOP-A', WORLD.shopA.ref);
  await emoney.registerShop('SHOP-B', WORLD.shopB.ref);
  for (const id of [SHOP_A1, SHOP_B1]) shops[id] = new TestShop(id, first.link(id), listeners[id]!);
  const cardStore = new CardStateStore(join(dir, 'cards'));
  const cards: TestCard[] = [];
  for (const [i, pin] of ['1234', '5678', '4321'].entries()) {
    const cardId = `c0ffee00000000${String(i + 1).padStart(2, '0')}`;
    await cardStore.save(personaliseCard({ cardId, pin, masterKey: issuerMasterKey }));
    await validity.addMedia([{ id: cardId, expiresAtMs: 4_102_444_800_000 }]); // a purse card is a medium on the validity lists
    cards.push(new TestCard(new PurseApplet(cardStore, cardId), pin));
  }
  const nodes: CenterNode[] = [first];
  return {
    dir, dbTarget: db.target, clock, masterKey: keys.masterKey, issuerMasterKey, storage, validity, banks, relay, emoney, center, kiosk, shops, cards,
    addNode: async () => {
      const node = await startNode(await openStorage(db.target), 7 + nodes.length * 1000);
      nodes.push(node);
      return node;
    },
    close: async () => {
      for (const n of nodes) await n.center.idle();
      for (const l of links) await l.close();
      for (const s of Object.values(shops)) await s.listener.close();
      for (const n of nodes) await n.center.close();
      for (const n of nodes) await n.storage.close();
      await banks.close();
      await db.drop?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** CHARGE_REQUEST as a provider kiosk sends it: the PIN sealed into a format-2 block per session. */
export async function chargeRequest(link: LinkClient, txId: Buffer, account: AccountRef, pin: string, amountMinor: number) {
  const res = await link.request((s) => ({
    type: 'chargeRequest', transactionId: txId, amountMinor, currency: 'JPY', ...account,
    pinBlock: s.sealer.seal(TAG.PIN_BLOCK, pinBlockFormat2(pin)),
  }));
  if (res.type !== 'chargeResult') throw new Error(`got ${res.type}`);
  return res;
}

/** CHARGE_ABANDON as a provider kiosk sends it for a charge it gave up (answered by CHARGE_RESULT). */
export async function abandonRequest(link: LinkClient, txId: Buffer, account: AccountRef, amountMinor: number) {
  const res = await link.request({ type: 'chargeAbandon', transactionId: txId, amountMinor, currency: 'JPY', ...account });
  if (res.type !== 'chargeResult') throw new Error(`got ${res.type}`);
  return res;
}

export async function issueRequest(link: LinkClient, txId: Buffer, card: TestCard, counter: number, amountMinor: number, confirm?: { receipt: Buffer; balanceMinor: number }) {
  const res = await link.request({
    type: 'emoneyIssueRequest', transactionId: txId, mediumId: Buffer.from(card.cardId, 'hex'), cardCounter: counter, amountMinor, currency: 'JPY',
    ...(confirm && { creditReceipt: confirm.receipt, balanceMinor: confirm.balanceMinor }),
  });
  if (res.type !== 'emoneyIssueResult') throw new Error(`got ${res.type}`);
  return res;
}

/** The whole kiosk flow after an approved charge: read the card, get the host MAC, CREDIT, confirm with the receipt. */
export async function creditCard(link: LinkClient, txId: Buffer, card: TestCard, amountMinor: number) {
  await card.open();
  const { counter } = await card.read();
  const issued = await issueRequest(link, txId, card, counter, amountMinor);
  if (!issued.hostMac) return { issued, confirmed: undefined };
  const receipt = await card.credit(amountMinor, issued.hostMac);
  if (typeof receipt === 'number') throw new Error(`credit sw ${receipt.toString(16)}`);
  const confirmed = await issueRequest(link, txId, card, receipt.counter, amountMinor, { receipt: receipt.cardMac, balanceMinor: receipt.balanceMinor });
  return { issued, confirmed };
}

/** The shop presses "settle": SETTLE_REQUEST, hang up, await the callback; resolves when the center is done. */
export async function settle(w: World, shop: TestShop, records: PurchaseRecord[] = shop.journal) {
  const res = await shop.link.request({ type: 'settleRequest', terminalId: shop.id, records });
  if (res.type !== 'awaitCallback') throw new Error(`got ${res.type}`);
  shop.listener.expect(res.token, res.waitMs);
  await w.emoney.idle();
  return res;
}

/** Users' bank money + e-money on cards + genuine unsettled records in shops + shops' bank money. */
export async function moneyInWorld(w: World): Promise<number> {
  const users = (await w.banks.a.totalOf('user')) + (await w.banks.b.totalOf('user'));
  const shopsBank = (await w.banks.a.totalOf('merchant')) + (await w.banks.b.totalOf('merchant'));
  const cards = w.cards.reduce((s, c) => s + c.balanceMinor, 0);
  const records = Object.values(w.shops).reduce((s, x) => s + x.unsettledMinor, 0);
  return users + shopsBank + cards + records;
}
