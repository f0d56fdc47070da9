/**
 * The seed-004 world of the tests, on the one world builder (world.ts):
 * banks A and B (accounts.ts's cast) behind the relay, a center with the
 * e-money module (provider accounts, shops SHOP-A and SHOP-B) on SQLite
 * files or a PostgreSQL database (`db`), and the provider kiosk KIOSK-1
 * registered. Center and banks keep their databases, so the center can be
 * stopped (terminals offline), started again on the same port, or
 * "crashed" and reopened from its database.
 *
 * Two ways to drive it, both optional:
 * - `readers: n` adds simulated hardware (pcscd, vpcd slots): terminals are
 *   real agents (`startAgent`), cards virtual cards (`issueCard`) inserted
 *   into their readers.
 * - `parties: true` adds the protocol-level parties (emoney-parties.ts):
 *   a kiosk link, member-shop terminals SHOP-A1/SHOP-B1 with callback
 *   listeners, and three purse cards driven by APDUs (`cards`).
 *
 * Extending it (other roles, other cards): `startAgent({ role, roles })`
 * takes any role name and an optional registry; `slots` issues any card the
 * sim knows; `addMoney(name, fn)` adds a bucket to moneyInWorld().
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { auditLedger } from '../../center/ledger/audit.js';
import { EMONEY_AUDIT } from '../../center/emoney/audit-check.js';
import type { Emoney } from '../../center/emoney/emoney.js';
import type { SettlementStep } from '../../center/emoney/settlement.js';
import type { Relay } from '../../center/relay/relay.js';
import type { Center } from '../../center/server/start-center.js';
import { deriveTerminalKey } from '../../center/server/terminal-keys.js';
import type { Storage, StorageOptions } from '../../center/storage/types.js';
import type { NewTerminal } from '../../center/validity/records.js';
import type { ValidityRepository } from '../../center/validity/repository.js';
import { createLogger, silentLogger, type Logger } from '../../core/log.js';
import { SeededRandom } from '../../core/random.js';
import { STATUS } from '../../protocol/codes.js';
import type { BankHost } from '../bank/bank-host.js';
import type { CardSlots } from '../card/card-slots.js';
import { CardStateStore } from '../card/card-state-store.js';
import { personaliseCard } from '../card/card-state.js';
import { PurseApplet } from '../card/purse-applet.js';
import { CallbackListener } from '../../terminal/link/callback-listener.js';
import { LinkClient } from '../../terminal/link/link-client.js';
import type { ScriptedKeypad } from '../../terminal/agent/keypad.js';
import { WORLD, WORLD_ACCOUNTS, WORLD_BANKS, WORLD_PROVIDER_ACCOUNTS, WORLD_SHOPS } from './accounts.js';
import type { CenterNode } from './center.js';
import { chargeRequest, creditCard, onInstruction, ShiftedClock, TestCard, TestShop } from './emoney-parties.js';
import type { WorldTerminal, WorldTerminalSpec } from './terminals.js';
import { openWorld, SQLITE_DB, type CenterDb, type World, type WorldPart } from './world.js';

export { WORLD };
export const PROVIDER_KIOSK_ID = 'KIOSK-1';
export const KIOSK = PROVIDER_KIOSK_ID;
export const SHOP_A1 = 'SHOP-A1';
export const SHOP_B1 = 'SHOP-B1';
/** Shops and their bank accounts (WORLD.shopA at bank A, WORLD.shopB at bank B). */
export const SHOP_ACCOUNTS = { 'SHOP-A': WORLD.shopA.ref, 'SHOP-B': WORLD.shopB.ref } as const;
export type ShopId = keyof typeof SHOP_ACCOUNTS;
export const CARD_PIN = '1234';
/** A purse card stays valid on the lists until 2100. */
const CARD_VALID_UNTIL_MS = 4_102_444_800_000;

export type StartAgentOptions = Omit<WorldTerminalSpec<ScriptedKeypad>, 'keypad' | 'link' | 'callback'>;
export type StackTerminal = WorldTerminal<ScriptedKeypad>;

export interface MoneyReport {
  readonly total: number;
  readonly parts: Record<string, number>;
}

export interface EmoneyWorldOptions {
  /** Reader slots (two per vpcd device); default none (no hardware). */
  readonly readers?: number;
  /** The protocol-level parties (kiosk link, SHOP-A1/SHOP-B1, three purse cards). */
  readonly parties?: boolean;
  /** Keep every log line of agents and center in `logLines` (tests grep them for secrets). */
  readonly captureLogs?: boolean;
  /** The center's clock (e-money timeouts; offsetMs tests them without waiting). Agents keep the system clock. */
  readonly clock?: ShiftedClock;
  /** The center's database (default SQLite in the world's directory). */
  readonly db?: CenterDb;
  readonly onSettlementStep?: (step: SettlementStep, batchId: string) => void;
}

/** One more center node on the world's database, with the parties' links to it. */
export interface EmoneyNode {
  readonly storage: Storage;
  readonly emoney: Emoney;
  readonly center: Center;
  readonly kiosk: LinkClient;
  /** A terminal's link to this node. */
  link(terminalId: string): LinkClient;
}

export async function openEmoneyWorld(o: EmoneyWorldOptions = {}): Promise<EmoneyWorld> {
  const captured = o.captureLogs ? ([] as string[]) : null;
  const masterKey = randomBytes(32);
  const issuerMasterKey = randomBytes(32);
  const w = new EmoneyWorld(captured, o.clock ?? new ShiftedClock(), masterKey, o);
  try {
    const terminals: NewTerminal[] = [{ id: PROVIDER_KIOSK_ID, ownerKind: 'store', ownerId: 'PROVIDER', keyRef: `k-${PROVIDER_KIOSK_ID}` }];
    if (o.parties) terminals.push(...(await w.openShopListeners()));
    const world = await openWorld({
      clock: w.clock,
      masterKey,
      issuerMasterKey,
      log: (part, name) => partLog(part, name, captured),
      ...(o.readers && { hardware: { readerDevices: Math.ceil(o.readers / 2), namePrefix: 'Emoney Reader' } }),
      banks: { banks: WORLD_BANKS, accounts: WORLD_ACCOUNTS, random: (i) => new SeededRandom(i + 1) },
      center: {
        db: o.db ?? SQLITE_DB,
        random: new SeededRandom(o.parties ? 7 : Number.parseInt(randomBytes(4).toString('hex'), 16)),
        terminals,
        modules: {
          emoney: {
            config: { issuerMasterKey, currency: 'JPY', providerAccounts: WORLD_PROVIDER_ACCOUNTS },
            shops: WORLD_SHOPS,
            onSettlementStep: (step, id) => w.onSettlementStep?.(step, id),
          },
        },
      },
    });
    return await w.attach(world);
  } catch (e) {
    await w.close();
    throw e;
  }
}

/** Every log line of the world's agents and center when opened with captureLogs (tests grep them for secrets). */
function partLog(part: WorldPart, name: string | undefined, lines: string[] | null): Logger {
  const label = name ?? part;
  if (lines) return createLogger(label, { level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return process.env['TESSERA_TEST_LOG'] ? createLogger(label, { level: process.env['TESSERA_TEST_LOG'] }) : silentLogger;
}

export class EmoneyWorld {
  world!: World;
  /** Called after each durable settlement step (throw to stop the center's work there, as a crash would). */
  onSettlementStep: ((step: SettlementStep, batchId: string) => void) | null;
  /** The protocol-level parties (openEmoneyWorld({ parties: true })). */
  kiosk!: LinkClient;
  readonly shops: Record<string, TestShop> = {};
  readonly cards: TestCard[] = [];
  private readonly issued = new Set<string>();
  private readonly extraMoney = new Map<string, () => Promise<number> | number>();
  private readonly links: LinkClient[] = [];
  private readonly listeners: CallbackListener[] = [];
  private readonly extraNodes: EmoneyNode[] = [];
  private agentKiosk: LinkClient | null = null;

  constructor(
    private readonly captured: string[] | null,
    readonly clock: ShiftedClock,
    readonly masterKey: Buffer,
    private readonly o: EmoneyWorldOptions,
  ) {
    this.onSettlementStep = o.onSettlementStep ?? null;
  }

  /** The member-shop terminals' callback listeners, listening before the center knows them; their rows. */
  async openShopListeners(): Promise<NewTerminal[]> {
    const rows: NewTerminal[] = [];
    for (const [id, ownerId] of [[SHOP_A1, 'SHOP-A'], [SHOP_B1, 'SHOP-B']] as const) {
      const listener = new CallbackListener({ terminalId: id, terminalKey: deriveTerminalKey(this.masterKey, `k-${id}`), onInstruction: onInstruction(() => this.shops[id]!) });
      this.listeners.push(listener);
      rows.push({ id, ownerKind: 'store', ownerId, keyRef: `k-${id}`, callbackAddress: `127.0.0.1:${(await listener.listen()).port}` });
    }
    return rows;
  }

  async attach(world: World): Promise<this> {
    this.world = world;
    if (this.o.parties) await this.openParties();
    return this;
  }

  private async openParties(): Promise<void> {
    for (const [i, id] of [SHOP_A1, SHOP_B1].entries()) this.shops[id] = new TestShop(id, this.linkTo(this.centerPort, id), this.listeners[i]!);
    this.kiosk = this.linkTo(this.centerPort, PROVIDER_KIOSK_ID);
    const cardStore = new CardStateStore(join(this.dir, 'cards'));
    for (const [i, pin] of ['1234', '5678', '4321'].entries()) {
      const cardId = `c0ffee00000000${String(i + 1).padStart(2, '0')}`;
      await cardStore.save(personaliseCard({ cardId, pin, masterKey: this.issuerMasterKey }));
      await this.validity.addMedia([{ id: cardId, expiresAtMs: CARD_VALID_UNTIL_MS }]); // a purse card is a medium on the validity lists
      this.cards.push(new TestCard(new PurseApplet(cardStore, cardId), pin));
    }
  }

  /** A terminal's link (derived key) to the center node at `port`. */
  private linkTo(port: number, terminalId: string): LinkClient {
    const c = new LinkClient({ terminalId, terminalKey: deriveTerminalKey(this.masterKey, `k-${terminalId}`), centers: [{ host: '127.0.0.1', port }], maxAttempts: 1 });
    c.start();
    this.links.push(c);
    return c;
  }

  get dir(): string {
    return this.world.dir;
  }
  get dbTarget(): string | StorageOptions {
    return this.world.dbTarget;
  }
  get issuerMasterKey(): Buffer {
    return this.world.issuerMasterKey;
  }
  private get node(): CenterNode {
    return this.world.node!;
  }
  get storage(): Storage {
    return this.node.storage;
  }
  /** The validity module's lists (terminals, media). */
  get validity(): ValidityRepository {
    return this.node.validity;
  }
  get emoney(): Emoney {
    return this.node.emoney!;
  }
  /** The running listener (throws while stopped). */
  get center(): Center {
    const c = this.node.center;
    if (!c) throw new Error('the center is stopped');
    return c;
  }
  get centerPort(): number {
    return this.world.centerPort;
  }
  get relay(): Relay {
    return this.world.banks!.relay;
  }
  /** Banks A and B. */
  get banks(): { a: BankHost; b: BankHost } {
    const hosts = this.world.banks!.hosts;
    return { a: hosts[0]!, b: hosts[1]! };
  }
  get slots(): CardSlots {
    return this.world.sim!.cards;
  }
  get readers(): string[] {
    return this.world.sim!.pcscd.slots.map((s) => s.name);
  }
  get terminals(): ReadonlyMap<string, StackTerminal> {
    return this.world.terminals as unknown as ReadonlyMap<string, StackTerminal>;
  }
  /** Captured log lines (openEmoneyWorld({ captureLogs: true })), else empty. */
  get logLines(): readonly string[] {
    return this.captured ?? [];
  }

  async startCenter(): Promise<void> {
    await this.world.startCenter();
  }
  async stopCenter(): Promise<void> {
    await this.agentKiosk?.close();
    this.agentKiosk = null;
    await this.world.stopCenter();
  }
  async crashCenter(): Promise<void> {
    await this.agentKiosk?.close();
    this.agentKiosk = null;
    await this.world.crashCenter();
  }
  registerTerminal(terminalId: string, o: { ownerId?: string; callbackPort?: number } = {}): Promise<string> {
    return this.world.registerTerminal(terminalId, o);
  }
  startAgent(o: StartAgentOptions): Promise<StackTerminal> {
    return this.world.startTerminal<ScriptedKeypad>(o);
  }
  idle(): Promise<void> {
    return this.world.idle();
  }

  /** Another center node on the world's database (PostgreSQL: several nodes; closed with the world). */
  async addNode(): Promise<EmoneyNode> {
    const n = await this.world.addNode(new SeededRandom(7 + (this.extraNodes.length + 1) * 1000));
    const link = (id: string): LinkClient => this.linkTo(n.port, id);
    const node: EmoneyNode = { storage: n.storage, emoney: n.emoney!, center: n.center!, link, kiosk: link(PROVIDER_KIOSK_ID) };
    this.extraNodes.push(node);
    return node;
  }

  /** Issues a purse card (counter 0, balance 0 unless given: a given balance is e-money out of thin air, count it yourself). */
  async issueCard(cardId: string, o: { pin?: string; balanceMinor?: number } = {}): Promise<string> {
    await this.slots.issue({ cardId, pin: o.pin ?? CARD_PIN, balanceMinor: o.balanceMinor ?? 0, masterKey: this.issuerMasterKey });
    // A purse card is a medium on the validity lists (the center's general gate refuses an unknown card).
    if (!(await this.validity.getMedium(cardId))) await this.validity.addMedia([{ id: cardId, expiresAtMs: CARD_VALID_UNTIL_MS }]);
    this.issued.add(cardId);
    return cardId;
  }

  /** Charges a card through the center as a provider kiosk does (bank account → provider, card credited). Center must be up. */
  async chargeCard(cardId: string, amountMinor: number, from: { ref: (typeof WORLD)['aliceA']['ref']; pin: string } = WORLD.aliceA): Promise<void> {
    if (!this.node.center) throw new Error('chargeCard needs the center up');
    this.agentKiosk ??= this.linkTo(this.centerPort, PROVIDER_KIOSK_ID);
    const txId = randomBytes(16);
    const charged = await chargeRequest(this.agentKiosk, txId, from.ref, from.pin, amountMinor);
    if (charged.status !== STATUS.APPROVED) throw new Error(`charge declined (result ${charged.resultCode})`);
    const { confirmed } = await creditCard(this.agentKiosk, txId, new TestCard(new PurseApplet(this.slots.store, cardId), CARD_PIN), amountMinor);
    if (confirmed?.status !== STATUS.APPROVED) throw new Error('card credit not confirmed');
  }

  /** The card's balance as its chip keeps it. */
  cardBalance(cardId: string): number {
    return this.slots.store.load(cardId)!.balanceMinor;
  }
  cardCounter(cardId: string): number {
    return this.slots.store.load(cardId)!.counter;
  }

  /** Adds a bucket to moneyInWorld (e.g. another kind of card). */
  addMoney(name: string, fn: () => Promise<number> | number): void {
    this.extraMoney.set(name, fn);
  }

  /**
   * Users' and shops' bank money + e-money on purse cards + unsettled records in every terminal journal
   * + debits owed to holders (journal aside, UNRECORDED) + batches acknowledged but not yet paid to shops.
   */
  async moneyInWorld(): Promise<MoneyReport> {
    const { a, b } = this.banks;
    const parts: Record<string, number> = {
      usersAtBanks: (await a.totalOf('user')) + (await b.totalOf('user')),
      shopsAtBanks: (await a.totalOf('merchant')) + (await b.totalOf('merchant')),
      onCards: [...this.issued].reduce((s, id) => s + this.cardBalance(id), 0),
      unsettledRecords: 0,
      owedToHolders: 0,
      // Erased at the shop, booked to settle-clearing, the bank transfer pending (e.g. the provider's account there is short).
      owedToShops: Number((await this.storage.read((q) => q.get<{ n: number | null }>("SELECT sum(total) AS n FROM emoney_batches WHERE state = 'acked'")))?.n ?? 0),
    };
    for (const t of this.terminals.values()) {
      t.withJournal((j) => {
        parts['unsettledRecords']! += j.listUnsettled().reduce((s, r) => s + r.amountMinor, 0);
        parts['owedToHolders']! += j.listAside().filter((x) => x.reason === 'UNRECORDED').reduce((s, x) => s + x.amountMinor, 0);
      });
    }
    for (const [name, fn] of this.extraMoney) parts[name] = await fn();
    return { total: Object.values(parts).reduce((s, v) => s + v, 0), parts };
  }

  /** auditLedger of the center and both banks. */
  async audits(): Promise<{ center: boolean; bankA: boolean; bankB: boolean }> {
    return {
      center: (await auditLedger(this.storage, [EMONEY_AUDIT])).ok,
      bankA: (await auditLedger(this.banks.a.storage)).ok,
      bankB: (await auditLedger(this.banks.b.storage)).ok,
    };
  }

  async close(): Promise<void> {
    await this.world?.idle();
    for (const l of this.links) await l.close();
    for (const l of this.listeners) await l.close();
    if (this.world?.sim) {
      for (const t of this.world.terminals.values()) await t.stop().catch(() => undefined);
      await this.world.sim.cards.removeAll().catch(() => undefined);
    }
    await this.world?.close();
  }
}

/** The shop presses "settle": SETTLE_REQUEST, hang up, await the callback; resolves when the center is done. */
export async function settle(w: EmoneyWorld, shop: TestShop, records = shop.journal) {
  const res = await shop.link.request({ type: 'settleRequest', terminalId: shop.id, records });
  if (res.type !== 'awaitCallback') throw new Error(`got ${res.type}`);
  shop.listener.expect(res.token, res.waitMs);
  await w.emoney.idle();
  return res;
}

/** Users' bank money + e-money on the parties' cards + genuine unsettled records in shops + shops' bank money. */
export async function moneyInWorld(w: EmoneyWorld): Promise<number> {
  const users = (await w.banks.a.totalOf('user')) + (await w.banks.b.totalOf('user'));
  const shopsBank = (await w.banks.a.totalOf('merchant')) + (await w.banks.b.totalOf('merchant'));
  const cards = w.cards.reduce((s, c) => s + c.balanceMinor, 0);
  const records = Object.values(w.shops).reduce((s, x) => s + x.unsettledMinor, 0);
  return users + shopsBank + cards + records;
}

export { abandonRequest, chargeRequest, creditCard, issueRequest, onInstruction, ShiftedClock, TestCard, TestShop } from './emoney-parties.js';
export { SQLITE_DB, type CenterDb } from './world.js';
