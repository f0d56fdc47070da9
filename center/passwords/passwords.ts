/**
 * The TTP's settlement passwords (seed 003): the module's api. Issue on an
 * issuer's request (then hand the message to the delivery port), take the
 * delivery outcomes back (it is the port's sink), verify and spend for shops
 * (each step also in the caller's unit, for the merchant API's idempotency
 * store), revoke, sweep. README.md has the state machines and money flows.
 */
import './errors.js'; // the PASSWORD_ registry: its codes carry their HTTP status wherever they are thrown
import type { Clock } from '../../core/clock.js';
import { errorCode, TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import { ed25519Verify, publicKeyFromRaw } from '../../protocol/password/keys.js';
import { revocationBytes, statusQueryBytes } from '../../protocol/password/token.js';
import { Ledger } from '../ledger/ledger.js';
import type { Storage, Tx } from '../storage/types.js';
import type { DeliveryOutcome, DeliveryOutcomeSink, OutcomeEffect, PasswordDelivery, TransactionalPasswordDelivery } from './delivery-port.js';
import { passwordForUpdate, type PasswordsDeps } from './deps.js';
import { answerOf, issueIn, type IssuedPassword, type IssueRequest } from './issue.js';
import { ttpKeys, type TtpKeys } from './keys.js';
import { outcomeIn, revokeIn, sweepOnce, type SweepCounts } from './lifecycle.js';
import { GuessLockout } from './lockout.js';
import { issuerDailyFile, issuerReturns, type IssuerDailyFile, type IssuerReturnsPage } from './issuer.js';
import { passwordsMigrations } from './schema.js';
import { PASSWORD_ROWS, type PasswordRow } from './records.js';
import { cancelIn, captureIn, passwordView, redeemIn, redemptionOf, refundIn, verifyIn, type PasswordView, type RedeemRequest, type RedemptionView } from './redeem.js';
import type { PresentedPassword, ShopRef } from './present.js';
import { PASSWORD_TOKEN_LIMITS } from '../../protocol/password/limits.js';
import { BankPayouts, type BankPayoutConfig } from '../relay/bank-payouts.js';
import { dailyFileIn, PASSWORD_PAYOUT_SPEC, payoutsClearingAccount, statementIn, type PasswordStatement, type ShopDailyFile } from './payouts.js';
import { PASSWORDS_LIMITS } from './limits.js';

export interface PasswordsOptions {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  /** The TTP's 32-byte secret (keys.ts): signing key and lookup key. */
  readonly ttpSeed: Buffer;
  readonly issuers: readonly string[];
  /** Shop categories, for payee restrictions to a category (shop id → category). */
  readonly shopCategories?: Readonly<Record<string, string>>;
  /** The one currency the TTP holds (default JPY): an issue in any other is PASSWORD_BAD_REQUEST (field currency). */
  readonly currency?: string;
}

export class Passwords implements DeliveryOutcomeSink {
  readonly lockout: GuessLockout;
  private delivery: PasswordDelivery | null = null;
  private queue: TransactionalPasswordDelivery | null = null;
  /** Shop payouts through the bank relay (payouts.ts); null: captured value stays payable. */
  payouts: BankPayouts | null = null;
  /** The business day's time zone of the daily file for shops. */
  timeZone = 'Asia/Tokyo';

  private constructor(private readonly d: PasswordsDeps) {
    this.lockout = new GuessLockout(d.storage, d.clock, d.log);
  }

  static async open(o: PasswordsOptions): Promise<Passwords> {
    await o.storage.migrate(passwordsMigrations);
    const ledger = await Ledger.open(o.storage, o.clock);
    const pw = new Passwords({ storage: o.storage, ledger, clock: o.clock, random: o.random, log: o.log, keys: ttpKeys(o.ttpSeed), issuers: new Set(o.issuers), currency: o.currency ?? 'JPY' });
    for (const [shopId, category] of Object.entries(o.shopCategories ?? {})) await pw.setShopCategory(shopId, category);
    return pw;
  }

  get keys(): TtpKeys {
    return this.d.keys;
  }

  /** The one currency this TTP holds. */
  get currency(): string {
    return this.d.currency;
  }

  get ledger(): Ledger {
    return this.d.ledger;
  }

  /** The delivery side (built with this object as its sink). Without one, issue() refuses. */
  useDelivery(delivery: PasswordDelivery): void {
    this.delivery = delivery;
  }

  /** The delivery side's outbox: messages queued inside the issue's unit (delivery-port.ts TransactionalPasswordDelivery). */
  useDeliveryQueue(queue: TransactionalPasswordDelivery): void {
    this.queue = queue;
  }

  /** A delivery outcome inside the delivery side's own unit of work (the transactional port). */
  async outcomeIn(tx: Tx, o: DeliveryOutcome): Promise<OutcomeEffect> {
    const effect = await outcomeIn(tx, this.d, o);
    if (effect === 'late' || effect === 'unknown') tx.afterCommit(() => this.d.log.warn({ serial: o.passwordId, outcome: o.outcome, channel: o.channel, effect }, `password delivery outcome ${effect}`));
    return effect;
  }

  async setShopCategory(shopId: string, category: string): Promise<void> {
    await this.d.storage.transact(async (tx) => {
      await tx.run('DELETE FROM password_merchants WHERE merchant_id = ?', [shopId]);
      await tx.run('INSERT INTO password_merchants (merchant_id, category) VALUES (?,?)', [shopId, category]);
    });
  }

  /**
   * Issues a password (idempotent by the issuer's request id) and hands its
   * message to the delivery side. With the transactional port (the module's
   * default) the message is queued in the issue's own unit: a refusal of the
   * address or channel refuses the issue (PASSWORD_BAD_REQUEST field
   * `address`, PASSWORD_DELIVERY_UNAVAILABLE), nothing issued or booked.
   * With a plain port the message is handed over after the commit, and a
   * port that refuses it makes the password delivery-failed and refunded.
   */
  async issue(r: IssueRequest): Promise<IssuedPassword> {
    const queue = this.queue;
    if (queue) {
      return this.d.storage.transact(async (tx) => {
        const { answer, delivery: pending } = await issueIn(tx, this.d, r);
        if (pending) {
          try {
            await queue.enqueue(tx, pending.passwordId, pending.channel, pending.address, pending.message);
          } catch (e) {
            throw refusedByDelivery(e, r.channel);
          }
        }
        return answer;
      });
    }
    const delivery = this.delivery;
    if (!delivery) throw new TesseraError('PASSWORD_DELIVERY_UNAVAILABLE', 'no delivery channel is configured');
    const { answer, delivery: pending } = await this.d.storage.transact((tx) => issueIn(tx, this.d, r));
    if (!pending) return answer;
    try {
      await delivery.deliver(pending.passwordId, pending.channel, pending.address, pending.message);
    } catch (e) {
      this.d.log.warn({ serial: pending.passwordId, channel: pending.channel, code: errorCode(e) }, 'password delivery refused at hand-over: refunded');
      await this.onOutcome({ passwordId: pending.passwordId, outcome: 'failed', channel: pending.channel, atMs: this.d.clock.nowMs(), detail: `hand-over refused: ${errorCode(e)}` });
      const p = (await this.d.storage.read((q) => PASSWORD_ROWS.get(q, 'WHERE id = ?', [pending.passwordId])))!;
      return answerOf(p, false, answer.token);
    }
    return answer;
  }

  /** The delivery port's sink: delivered / failed; anything after the password moved on is late and only logged. */
  async onOutcome(o: DeliveryOutcome): Promise<OutcomeEffect> {
    const effect = await this.d.storage.transact((tx) => outcomeIn(tx, this.d, o));
    const log = effect === 'late' || effect === 'unknown' ? this.d.log.warn.bind(this.d.log) : this.d.log.info.bind(this.d.log);
    log({ serial: o.passwordId, outcome: o.outcome, channel: o.channel, effect }, `password delivery outcome ${effect}`);
    return effect;
  }

  /** The password as its issuer or device sees it (by serial). */
  async view(serial: string): Promise<PasswordView | undefined> {
    const p = await this.d.storage.read((q) => PASSWORD_ROWS.get(q, 'WHERE id = ?', [serial]));
    return p && passwordView(p, this.d.clock.nowMs());
  }

  /** The issuer revokes a password on the user's behalf. */
  async revoke(serial: string, by: string): Promise<PasswordView> {
    return this.d.storage.transact(async (tx) => {
      const p = await passwordForUpdate(tx, 'id', serial);
      if (!p) throw new TesseraError('PASSWORD_UNKNOWN', 'no password has this serial', { serial });
      return passwordView(await revokeIn(tx, this.d, p, by), this.d.clock.nowMs());
    });
  }

  /**
   * The user revokes from the device: the device's signature over (serial,
   * time) with the bound key (TPR1, protocol/password/token.ts). Idempotent:
   * a password already revoked (by the device or its issuer) answers its view.
   * The password's event log keeps the revocation (`revoked`, `by device`).
   */
  async revokeFromDevice(serial: string, timeMs: number, signature: Buffer): Promise<PasswordView> {
    return this.d.storage.transact(async (tx) => {
      const p = await this.deviceSigned(tx, serial, timeMs, signature, revocationBytes, 'revocation');
      const nowMs = this.d.clock.nowMs();
      if (p.reason?.startsWith('revoked by ')) return passwordView(p, nowMs);
      const after = await revokeIn(tx, this.d, p, 'device');
      tx.afterCommit(() => this.d.log.info({ serial, by: 'device' }, 'password revoked from its device'));
      return passwordView(after, nowMs);
    });
  }

  /** The bound device asks its password's state and value left (TPS1 signature over serial and time). */
  async deviceStatus(serial: string, timeMs: number, signature: Buffer): Promise<PasswordView> {
    return this.d.storage.transact(async (tx) => passwordView(await this.deviceSigned(tx, serial, timeMs, signature, statusQueryBytes, 'status query'), this.d.clock.nowMs()));
  }

  /** The password, when `signature` is its bound device's over (serial, timeMs) and timeMs is fresh. */
  private async deviceSigned(tx: Tx, serial: string, timeMs: number, signature: Buffer, bytes: (serial: Buffer, timeMs: number) => Buffer, what: string): Promise<PasswordRow> {
    const p = await passwordForUpdate(tx, 'id', serial);
    if (!p) throw new TesseraError('PASSWORD_UNKNOWN', 'no password has this serial', { serial, field: 'serial' });
    if (!p.deviceKey) throw new TesseraError('PWTOKEN_NOT_DEVICE_BOUND', `the password is not bound to a device: no device can sign its ${what}`, { serial });
    if (!ed25519Verify(bytes(Buffer.from(serial, 'hex'), timeMs), signature, publicKeyFromRaw(p.deviceKey))) {
      throw new TesseraError('PWTOKEN_BAD_DEVICE_SIGNATURE', `the ${what} is not signed by the bound device`, { serial, field: 'signature' });
    }
    const nowMs = this.d.clock.nowMs();
    if (Math.abs(nowMs - timeMs) > PASSWORD_TOKEN_LIMITS.presentationFreshMs) throw new TesseraError('PWTOKEN_STALE', `the ${what} is outside its freshness window`, { serial, field: 'timeMs' });
    return p;
  }

  /** A lost phone: the issuer revokes every live password bound to that device key. Returns how many. */
  async revokeDevice(issuer: string, deviceKey: Buffer): Promise<number> {
    return (await this.issuerRevokeDevice(issuer, deviceKey)).count;
  }

  /**
   * A lost phone reported to the issuer: every live password of this issuer
   * bound to the device key is revoked (each logged `revoked by <issuer> (lost
   * device)`); their unused value comes back as returns. Idempotent: a second
   * report finds nothing live and revokes nothing.
   */
  async issuerRevokeDevice(issuer: string, deviceKey: Buffer): Promise<{ count: number; returnedMinor: number; serials: string[] }> {
    const ids = await this.d.storage.read((q) => q.all<{ id: string }>(`SELECT id FROM passwords WHERE issuer = ? AND device_key = ? AND state IN ('issued','delivered','partly-used','used-up')`, [issuer, deviceKey]));
    let returnedMinor = 0;
    for (const { id } of ids) {
      await this.revoke(id, `${issuer} (lost device)`);
      returnedMinor += (await this.issuerView(issuer, id)).returnedMinor;
    }
    if (ids.length > 0) this.d.log.info({ issuer, count: ids.length, returnedMinor }, 'passwords of a lost device revoked by their issuer');
    return { count: ids.length, returnedMinor, serials: ids.map((r) => r.id) };
  }

  // Merchant steps, in the caller's unit (the merchant API's idempotency unit) ...
  verifyIn(tx: Tx, shop: ShopRef, presented: PresentedPassword): Promise<PasswordView> {
    return verifyIn(tx, this.d, shop, presented);
  }
  redeemIn(tx: Tx, shop: ShopRef, r: RedeemRequest): Promise<RedemptionView> {
    return redeemIn(tx, this.d, shop, r);
  }
  captureIn(tx: Tx, shop: ShopRef, redemptionId: string, amountMinor?: number): Promise<RedemptionView> {
    return captureIn(tx, this.d, shop, redemptionId, amountMinor);
  }
  cancelIn(tx: Tx, shop: ShopRef, redemptionId: string): Promise<RedemptionView> {
    return cancelIn(tx, this.d, shop, redemptionId);
  }
  refundIn(tx: Tx, shop: ShopRef, redemptionId: string, req: { requestId: string; amountMinor: number }): Promise<RedemptionView & { refundId: string; restored: boolean }> {
    return refundIn(tx, this.d, shop, redemptionId, req);
  }

  // ... and each in a unit of its own (the terminal flow, tests).
  redeem(shop: ShopRef, r: RedeemRequest): Promise<RedemptionView> {
    return this.d.storage.transact((tx) => redeemIn(tx, this.d, shop, r));
  }
  capture(shop: ShopRef, redemptionId: string, amountMinor?: number): Promise<RedemptionView> {
    return this.d.storage.transact((tx) => captureIn(tx, this.d, shop, redemptionId, amountMinor));
  }
  cancel(shop: ShopRef, redemptionId: string): Promise<RedemptionView> {
    return this.d.storage.transact((tx) => cancelIn(tx, this.d, shop, redemptionId));
  }
  refund(shop: ShopRef, redemptionId: string, req: { requestId: string; amountMinor: number }): Promise<RedemptionView & { refundId: string; restored: boolean }> {
    return this.d.storage.transact((tx) => refundIn(tx, this.d, shop, redemptionId, req));
  }
  /** A sale captured at once (the in-store flow, sale-flow.ts), with the password's expiry for the receipt. */
  sell(shop: ShopRef, r: Omit<RedeemRequest, 'capture'>): Promise<RedemptionView & { expiresAtMs: number }> {
    return this.d.storage.transact(async (tx) => {
      const v = await redeemIn(tx, this.d, shop, { ...r, capture: true });
      const p = (await tx.get<{ expires_ms: unknown }>('SELECT expires_ms FROM passwords WHERE id = ?', [v.serial]))!;
      return { ...v, expiresAtMs: Number(p.expires_ms) };
    });
  }
  /** One redemption of a shop (a merchant id alone: `{ merchantId, shopId: null }`). */
  redemption(shop: ShopRef | string, redemptionId: string): Promise<RedemptionView> {
    const ref: ShopRef = typeof shop === 'string' ? { merchantId: shop, shopId: null } : shop;
    return this.d.storage.read((q) => redemptionOf(q, ref, redemptionId));
  }

  /** Pays shops their captured value through this relay and accounts (payouts.ts); the ledger accounts are opened here. */
  async usePayouts(config: BankPayoutConfig, currency: string): Promise<BankPayouts> {
    this.payouts = new BankPayouts(PASSWORD_PAYOUT_SPEC, { storage: this.d.storage, ledger: this.d.ledger, clock: this.d.clock, random: this.d.random, log: this.d.log, currency, config });
    await this.d.ledger.createAccounts([payoutsClearingAccount(currency)]);
    await this.payouts.ensureAccounts();
    return this.payouts;
  }

  /** One payout pass (none configured: nothing). */
  async sweepPayouts(): Promise<{ payoutsDecided: number; payoutsPaid: number; payoutsFailed: number }> {
    return this.payouts ? this.payouts.sweep() : { payoutsDecided: 0, payoutsPaid: 0, payoutsFailed: 0 };
  }

  /** A shop's statement: captured, refunded, paid out, pending, payable; its payouts (reconciliation ids) and latest sales. */
  statement(merchantId: string, limit: number = PASSWORDS_LIMITS.statementLinesDefault): Promise<PasswordStatement> {
    return this.d.storage.read((q) => statementIn(q, this.payouts, merchantId, limit));
  }

  /** The TTP's daily file for shops (all, or one) with control totals. */
  dailyFile(day: string, merchantId: string | null = null): Promise<ShopDailyFile> {
    return this.d.storage.read((q) => dailyFileIn(q, day, this.timeZone, merchantId));
  }

  // The issuer's side (issuer-routes.ts): its own passwords only.
  /** The password as its issuer sees it; PASSWORD_UNKNOWN when it is another issuer's. */
  async issuerView(issuer: string, serial: string): Promise<PasswordView & { requestId: string; issuedAtMs: number; returnedMinor: number; reason: string | null }> {
    const p = await this.d.storage.read((q) => PASSWORD_ROWS.get(q, 'WHERE id = ? AND issuer = ?', [serial, issuer]));
    if (!p) throw new TesseraError('PASSWORD_UNKNOWN', 'this issuer has no password with this serial', { serial });
    return { ...passwordView(p, this.d.clock.nowMs()), requestId: p.requestId, issuedAtMs: p.issuedMs, returnedMinor: p.returned, reason: p.reason };
  }
  /** The issuer revokes one of its passwords on the customer's behalf (idempotent). */
  async issuerRevoke(issuer: string, serial: string): Promise<PasswordView> {
    await this.issuerView(issuer, serial);
    return this.revoke(serial, issuer);
  }
  issuerReturns(issuer: string, o: { after?: string | undefined; limit?: number | undefined } = {}): Promise<IssuerReturnsPage> {
    return this.d.storage.read((q) => issuerReturns(q, issuer, o));
  }
  issuerDailyFile(issuer: string, day: string): Promise<IssuerDailyFile> {
    return this.d.storage.read((q) => issuerDailyFile(q, issuer, day));
  }

  /** One sweep pass (expiry, delivery deadline, reservation deadlines). */
  sweep(): Promise<SweepCounts> {
    return sweepOnce(this.d);
  }
}

/**
 * The delivery side's refusal of a queued message, in the issuer's terms: its
 * `to` is the issue's `address`; an unconfigured channel is the module's
 * PASSWORD_DELIVERY_UNAVAILABLE. Anything else (a database error) as it came.
 */
function refusedByDelivery(e: unknown, channel: string): unknown {
  if (!(e instanceof TesseraError) || e.code !== 'PWDELIVERY_BAD_REQUEST') return e;
  const field = e.details?.['field'];
  if (field === 'to') return new TesseraError('PASSWORD_BAD_REQUEST', `the delivery side refuses this ${channel} address: ${e.message}`, { field: 'address' });
  if (field === 'channel') return new TesseraError('PASSWORD_DELIVERY_UNAVAILABLE', `no ${channel} delivery is configured`, { field: 'channel', channel });
  return e;
}
