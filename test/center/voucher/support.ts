/**
 * A voucher engine on a real storage (SQLite file or a PostgreSQL test
 * database) with the validity lists and gate, a manual clock and seeded
 * randomness: what the engine tests share. Logs are captured so tests can
 * check no PIN ever reaches them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ManualClock } from '../../../core/clock.js';
import { SeededRandom } from '../../../core/random.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage, StorageOptions } from '../../../center/storage/types.js';
import { ValidityGate } from '../../../center/validity/gate.js';
import { MediumKinds } from '../../../center/validity/kinds.js';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { storageSource } from '../../../center/validity/storage-source.js';
import { VOUCHER_AUDIT } from '../../../center/voucher/audit-check.js';
import { VOUCHER_MEDIUM_KIND } from '../../../center/voucher/module.js';
import { Vouchers, type VoucherMetrics } from '../../../center/voucher/vouchers.js';
import type { PrintableCard, RedeemSource } from '../../../center/voucher/api.js';
import type { PayoutConfig } from '../../../center/voucher/payouts.js';

export const PIN_KEY = Buffer.alloc(32, 7);
/** 2026-12-01 10:00 in Tokyo (01:00 UTC). */
export const T0 = Date.UTC(2026, 11, 1, 1, 0, 0);

export interface Engine {
  readonly storage: Storage;
  readonly clock: ManualClock;
  readonly vouchers: Vouchers;
  readonly validity: ValidityRepository;
  readonly logs: string[];
  readonly counts: Map<string, number>;
  /** A second engine instance on the same storage (another node's view, or the same node after a restart). */
  reopen(): Promise<Vouchers>;
  close(): Promise<void>;
}

export async function openEngine(o: { target?: StorageOptions; storage?: Storage; clock?: ManualClock; seed?: number; payouts?: PayoutConfig } = {}): Promise<Engine> {
  const target = o.target ?? { engine: 'sqlite' as const, path: join(mkdtempSync(join(tmpdir(), 'voucher-')), 'center.db') };
  const storage = o.storage ?? (await openStorage(target));
  const clock = o.clock ?? new ManualClock(T0);
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void logs.push(s) });
  const counts = new Map<string, number>();
  const metrics: VoucherMetrics = { count: (name, outcome) => counts.set(`${name}:${outcome}`, (counts.get(`${name}:${outcome}`) ?? 0) + 1) };
  const kinds = new MediumKinds();
  kinds.register(VOUCHER_MEDIUM_KIND);
  const validity = await ValidityRepository.open(storage, kinds);
  const gate = new ValidityGate({ source: storageSource(validity), clock, log, kinds });
  const make = (seed: number) => Vouchers.open({ storage, clock, random: new SeededRandom(seed), log, pinKey: PIN_KEY, gate, validity, metrics, ...(o.payouts && { payouts: o.payouts }) });
  const vouchers = await make(o.seed ?? 1);
  let reopened = 0;
  return {
    storage, clock, vouchers, validity, logs, counts,
    reopen: () => make((o.seed ?? 1) + 1000 + ++reopened),
    close: () => (o.storage ? Promise.resolve() : storage.close()),
  };
}

export const SOURCE: RedeemSource = { merchantId: 'm_shop1', keyId: 'key1', address: '10.0.0.1' };
export const SOURCE2: RedeemSource = { merchantId: 'm_shop2', keyId: 'key2', address: '10.0.0.2' };

let seq = 0;
export const rid = (p = 'r'): string => `${p}-${++seq}`;

/** A registered HQ with one printed batch: the cards with their PINs. */
export async function stock(e: Engine, o: { hq?: string; count?: number; denomination?: number; maxLoad?: number; validDays?: number } = {}): Promise<PrintableCard[]> {
  const hqId = o.hq ?? 'HQ-1';
  await e.vouchers.registerHq(hqId, { commissionBp: 250 });
  const b = await e.vouchers.issueBatch({
    hqId, count: o.count ?? 4, ...(o.maxLoad !== undefined ? { maxLoad: o.maxLoad } : { denomination: o.denomination ?? 1000 }), ...(o.validDays !== undefined && { validDays: o.validDays }),
  });
  return [...(await e.vouchers.takeForPrinting(b.batchId))];
}

/** Sells a card at a till of HQ-1's store S1. */
export async function sell(e: Engine, card: PrintableCard, o: { amount?: number; hq?: string; store?: string; requestId?: string } = {}) {
  return e.vouchers.activate({
    requestId: o.requestId ?? rid('act'), hqId: o.hq ?? 'HQ-1', storeId: o.store ?? 'S1', terminalId: 'POS-1', serial: card.serial,
    amount: o.amount ?? card.denomination ?? 1000, currency: 'JPY',
  });
}

export async function audit(e: Engine) {
  return e.storage.read((q) => VOUCHER_AUDIT.check(q));
}

export async function accountBalance(e: Engine, id: string): Promise<number> {
  const [a] = await e.vouchers.ledger.lookupAccounts([id]);
  return a ? a.creditsPostedMinor - a.debitsPostedMinor : 0;
}
