/**
 * The settlement center's voucher engine (seed 002): implements VoucherApi
 * (api.ts) on the center's storage and ledger. Every step is one unit of
 * work: the rows it changes, locked (PostgreSQL FOR UPDATE, cards in serial
 * order), its state transitions checked (kit updateState), and its ledger
 * moves (ledger-map.ts, ids derived from the step's own ids), all or none.
 * The merchant routes run the same steps inside their idempotency unit
 * (`redeemIn`, `captureIn`, ...); README.md has the state machines and the
 * money flows.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import { updateState } from '../kit/transitions.js';
import { Ledger } from '../ledger/ledger.js';
import type { SqlExecutor, SqlParam, Storage, Tx } from '../storage/types.js';
import type { ValidityGate } from '../validity/gate.js';
import type { ValidityRepository } from '../validity/repository.js';
import type {
  ActivationRequest,
  ActivationResult,
  BalanceAnswer,
  BlockRequest,
  BlockResult,
  HqDailyFile,
  IssueBatchRequest,
  PrintableCard,
  RedeemRequest,
  RedeemSource,
  Redemption,
  ReversalRequest,
  ReversalResult,
  VoidRequest,
  VoucherApi,
  VoucherBatch,
} from './api.js';
import { checkNotLocked, recordFailure } from './guesses.js';
import {
  applyMoves,
  AUTHORIZED,
  BREAKAGE,
  COMMISSION,
  ensureVoucherAccounts,
  FUNDS,
  hqAccount,
  hqLedgerAccount,
  LIABILITY,
  move,
  shopAccount,
  shopLedgerAccount,
} from './ledger-map.js';
import { VOUCHER_LIMITS as L } from './limits.js';
import { isPinForm, PinKeys } from './pins.js';
import {
  ACTIVATION_STATES,
  ACTIVATIONS,
  BATCHES,
  CARD_STATES,
  CARDS,
  HQS,
  REDEMPTION_CARDS,
  REDEMPTION_STATES,
  REDEMPTIONS,
  spendState,
  type ActivationRow,
  type BatchRow,
  type CardRow,
  type RedemptionCardRow,
  type RedemptionRow,
} from './rows.js';
import { Payouts, statementOf, type PayoutConfig, type VoucherStatement } from './payouts.js';
import { voucherMigrations } from './schema.js';
import { checkSerial, seqOf, serialOf, SEQ_MAX } from './serial.js';

export const VOUCHER_KIND = 'voucher';
const DAY_MS = 86_400_000;
const HQ_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const ID_RE = /^[\x21-\x7e]{1,64}$/;
const DAY_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
/** Cards inserted per statement (10 columns each, well within the parameter limit). */
const INSERT_CHUNK = 200;

/** Counters the engine feeds (center/metrics or a test's); all optional. */
export interface VoucherMetrics {
  /** name: pin_failure | lockout | redemption | activation; outcome: ok or a code. */
  count(name: 'pin_failure' | 'lockout' | 'redemption' | 'activation', outcome: string): void;
}

export interface VouchersDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  /** The 32-byte PIN key (voucher.pinKeyFile). */
  readonly pinKey: Buffer;
  /** ISO 4217 alpha (default JPY). */
  readonly currency?: string;
  /** IANA time zone of business days (default Asia/Tokyo). */
  readonly timeZone?: string;
  /** The validity gate and lists: cards are media of kind `voucher`; a blocked medium is refused everywhere. */
  readonly gate?: ValidityGate;
  readonly validity?: ValidityRepository;
  readonly metrics?: VoucherMetrics;
  /** Shop payouts through the bank relay (none: captured value stays payable). */
  readonly payouts?: PayoutConfig;
}

/** A redemption request checked outside the unit of work (forms, lockout, validity gate), ready for {@link Vouchers.redeemIn}. */
export interface PreparedRedemption {
  readonly req: RedeemRequest;
  readonly hashes: readonly Buffer[];
}

const bad = (field: string, message: string): TesseraError => new TesseraError('VOUCHER_INVALID_INPUT', message, { field });

function checkId(v: unknown, field: string): string {
  if (typeof v !== 'string' || !ID_RE.test(v)) throw bad(field, `${field}: 1-${L.idCharsMax} printable ASCII characters`);
  return v;
}

function checkHqId(v: unknown, field = 'hqId'): string {
  if (typeof v !== 'string' || !HQ_RE.test(v)) throw bad(field, `${field}: 1-32 chars [A-Za-z0-9._-]`);
  return v;
}

function checkMinor(v: unknown, field = 'amount'): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new TesseraError('VOUCHER_AMOUNT_INVALID', `${field}: a positive integer of minor units`, { field });
  return v;
}

const last4 = (serial: string): string => serial.slice(-4);
const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(',');

export class Vouchers implements VoucherApi {
  readonly currency: string;
  readonly timeZone: string;
  private readonly keys: PinKeys;
  private readonly dayFormat: Intl.DateTimeFormat;
  readonly payouts: Payouts | null;

  private constructor(
    private readonly d: VouchersDeps,
    readonly ledger: Ledger,
  ) {
    this.currency = d.currency ?? 'JPY';
    this.payouts = d.payouts ? new Payouts({ storage: d.storage, ledger, clock: d.clock, random: d.random, log: d.log, currency: this.currency, config: d.payouts }) : null;
    this.timeZone = d.timeZone ?? 'Asia/Tokyo';
    this.keys = new PinKeys(d.pinKey);
    this.dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: this.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  static async open(d: VouchersDeps): Promise<Vouchers> {
    await d.storage.migrate(voucherMigrations);
    const ledger = await Ledger.open(d.storage, d.clock);
    const v = new Vouchers(d, ledger);
    await ensureVoucherAccounts(ledger, v.currency);
    await v.payouts?.ensureAccounts();
    return v;
  }

  private get storage(): Storage {
    return this.d.storage;
  }

  private now(): number {
    return this.d.clock.nowMs();
  }

  /** The business day (YYYY-MM-DD) of a time, in the settlement time zone. */
  dayOf(ms: number): string {
    return this.dayFormat.format(ms);
  }

  // -- the settlement center's own operations ---------------------------------

  async registerHq(hqId: string, o: { commissionBp: number }): Promise<void> {
    checkHqId(hqId);
    if (!Number.isInteger(o.commissionBp) || o.commissionBp < 0 || o.commissionBp > L.commissionBpMax) throw bad('commissionBp', `commissionBp: an integer 0-${L.commissionBpMax}`);
    await this.storage.transact(async (tx) => {
      await tx.run(
        'INSERT INTO voucher_hqs (hq_id, commission_bp, created_ms) VALUES (?,?,?) ON CONFLICT (hq_id) DO UPDATE SET commission_bp = excluded.commission_bp',
        [hqId, o.commissionBp, this.now()],
      );
      await this.ledger.createAccountsIn(tx, [hqLedgerAccount(hqId, this.currency)], false);
    });
  }

  async issueBatch(req: IssueBatchRequest): Promise<VoucherBatch> {
    const hqId = checkHqId(req.hqId);
    const fixed = req.denomination !== undefined;
    if (fixed === (req.maxLoad !== undefined)) throw bad('denomination', 'exactly one of denomination (a fixed card) and maxLoad (a variable-load card)');
    if (fixed && !L.denominationsMinorAllowed.includes(req.denomination!)) throw bad('denomination', `denomination: one of ${L.denominationsMinorAllowed.join(', ')}`);
    if (!fixed && (!Number.isSafeInteger(req.maxLoad) || req.maxLoad! < L.loadMinorMin || req.maxLoad! > L.loadMinorMax)) {
      throw bad('maxLoad', `maxLoad: an integer ${L.loadMinorMin}-${L.loadMinorMax}`);
    }
    if (!Number.isSafeInteger(req.count) || req.count < 1 || req.count > L.batchCardsMax) throw bad('count', `count: 1-${L.batchCardsMax}`);
    const validDays = req.validDays ?? L.validDaysDefault;
    if (!Number.isInteger(validDays) || validDays < L.validDaysMin || validDays > L.validDaysMax) throw bad('validDays', `validDays: ${L.validDaysMin}-${L.validDaysMax}`);
    const pins = Array.from({ length: req.count }, () => PinKeys.generate(this.d.random));
    const hashes = pins.map((p) => this.keys.hash(p));
    const batchId = `vb_${this.d.random.bytes(8).toString('hex')}`;
    const nowMs = this.now();
    const batch = await this.storage.transact(async (tx) => {
      if (!(await HQS.get(tx, 'WHERE hq_id = ?', [hqId]))) throw new TesseraError('VOUCHER_HQ_UNKNOWN', `HQ ${hqId} is not registered`, { hqId });
      const first = await this.takeSerials(tx, req.count);
      const row: BatchRow = {
        id: batchId, hqId, denomination: req.denomination ?? null, maxLoad: req.maxLoad ?? null, count: req.count, currency: this.currency,
        firstSerial: serialOf(first), lastSerial: serialOf(first + req.count - 1), validDays, createdMs: nowMs, printed: false,
      };
      await tx.run(
        'INSERT INTO voucher_batches (id, hq_id, denomination, max_load, card_count, currency, first_serial, last_serial, valid_days, created_ms, printed) VALUES (?,?,?,?,?,?,?,?,?,?,0)',
        [row.id, row.hqId, row.denomination, row.maxLoad, row.count, row.currency, row.firstSerial, row.lastSerial, row.validDays, row.createdMs],
      );
      for (let i = 0; i < req.count; i += INSERT_CHUNK) {
        const n = Math.min(INSERT_CHUNK, req.count - i);
        const params: SqlParam[] = [];
        for (let j = i; j < i + n; j++) {
          const serial = serialOf(first + j);
          params.push(serial, batchId, hqId, 'issued', row.denomination, row.maxLoad, this.currency, validDays, hashes[j]!, this.keys.seal(serial, pins[j]!, this.d.random), nowMs);
        }
        await tx.run(
          `INSERT INTO voucher_cards (id, batch_id, hq_id, state, denomination, max_load, currency, valid_days, pin_hash, pin_sealed, updated_ms) VALUES ${Array.from({ length: n }, () => '(?,?,?,?,?,?,?,?,?,?,?)').join(',')}`,
          params,
        );
      }
      return row;
    });
    pins.fill('');
    await this.addMedia(batch, nowMs);
    this.d.log.info({ batchId, hqId, count: req.count, firstSerial: batch.firstSerial, lastSerial: batch.lastSerial }, 'voucher batch issued');
    return batchOf(batch);
  }

  /** The batch's cards on the validity lists as media of kind `voucher` (the one block list). */
  private async addMedia(batch: BatchRow, nowMs: number): Promise<void> {
    const repo = this.d.validity;
    if (!repo) return;
    const first = seqOf(batch.firstSerial);
    const chunk = 5_000;
    for (let i = 0; i < batch.count; i += chunk) {
      const n = Math.min(chunk, batch.count - i);
      await repo.addMedia(Array.from({ length: n }, (_, j) => ({ id: serialOf(first + i + j), kind: VOUCHER_KIND, expiresAtMs: nowMs + L.shelfMsMax })));
    }
  }

  /** Reserves `count` consecutive sequence numbers; resolves to the first. */
  private async takeSerials(tx: Tx, count: number): Promise<number> {
    await tx.run(`INSERT INTO voucher_counters (name, next_value) VALUES ('serial', 1) ON CONFLICT (name) DO NOTHING`);
    const r = await tx.get(`SELECT next_value FROM voucher_counters WHERE name = 'serial'${tx.forUpdate}`);
    const first = Number(r!['next_value']);
    if (first + count - 1 > SEQ_MAX) throw bad('count', 'the serial space is exhausted');
    await tx.run(`UPDATE voucher_counters SET next_value = ? WHERE name = 'serial'`, [first + count]);
    return first;
  }

  async batch(batchId: string): Promise<VoucherBatch> {
    const b = await this.storage.read((q) => BATCHES.get(q, 'WHERE id = ?', [checkId(batchId, 'batchId')]));
    if (!b) throw new TesseraError('VOUCHER_BATCH_UNKNOWN', 'no such batch', { batchId });
    return batchOf(b);
  }

  /** Every batch, newest first (at most `limit`). */
  async batches(limit = 1000): Promise<VoucherBatch[]> {
    return (await this.storage.read((q) => BATCHES.all(q, 'ORDER BY created_ms DESC, id LIMIT ?', [limit]))).map(batchOf);
  }

  async takeForPrinting(batchId: string): Promise<readonly PrintableCard[]> {
    checkId(batchId, 'batchId');
    return this.storage.transact(async (tx) => {
      const b = await BATCHES.get(tx, `WHERE id = ?${tx.forUpdate}`, [batchId]);
      if (!b) throw new TesseraError('VOUCHER_BATCH_UNKNOWN', 'no such batch', { batchId });
      if (b.printed) throw new TesseraError('VOUCHER_BATCH_PRINTED', 'the PINs of this batch were taken for printing already', { batchId });
      const rows = await tx.all('SELECT id, pin_sealed FROM voucher_cards WHERE batch_id = ? ORDER BY id', [batchId]);
      const cards = rows.map((r) => ({
        serial: String(r['id']),
        pin: this.keys.open(String(r['id']), Buffer.from(r['pin_sealed'] as Uint8Array)),
        denomination: b.denomination,
        maxLoad: b.maxLoad,
        currency: b.currency,
      }));
      await tx.run('UPDATE voucher_cards SET pin_sealed = NULL WHERE batch_id = ?', [batchId]);
      await tx.run('UPDATE voucher_batches SET printed = 1 WHERE id = ?', [batchId]);
      this.d.log.info({ batchId, cards: cards.length }, 'voucher batch taken for printing: its PINs are erased from the center');
      return cards;
    });
  }

  // -- what an HQ forwards -------------------------------------------------------

  async activate(req: ActivationRequest): Promise<ActivationResult> {
    const requestId = checkId(req.requestId, 'requestId');
    const hqId = checkHqId(req.hqId);
    checkId(req.storeId, 'storeId');
    checkId(req.terminalId, 'terminalId');
    const serial = checkSerial(req.serial);
    const amount = checkMinor(req.amount);
    const known = await this.storage.read((q) => ACTIVATIONS.get(q, 'WHERE hq_id = ? AND request_id = ?', [hqId, requestId]));
    if (!known) await this.gateCard(serial, 'VOUCHER_BLOCKED');
    try {
      const r = await this.storage.transact((tx) => this.activateIn(tx, req, requestId, hqId, serial, amount));
      this.d.metrics?.count('activation', 'ok');
      return r;
    } catch (e) {
      this.d.metrics?.count('activation', e instanceof TesseraError ? e.code : 'error');
      throw e;
    }
  }

  private async activateIn(tx: Tx, req: ActivationRequest, requestId: string, hqId: string, serial: string, amount: number): Promise<ActivationResult> {
    const nowMs = this.now();
    const had = await ACTIVATIONS.get(tx, `WHERE hq_id = ? AND request_id = ?${tx.forUpdate}`, [hqId, requestId]);
    if (had) {
      const same = had.serial === serial && had.storeId === req.storeId && had.terminalId === req.terminalId && had.amount === amount && had.currency === req.currency;
      if (had.state === 'tombstone') throw new TesseraError('VOUCHER_VOIDED', 'this activation was reversed before it arrived: the till gave the money back', { requestId });
      if (!same) throw new TesseraError('VOUCHER_REQUEST_REUSED', 'this request id was used for another activation', { requestId });
      if (had.state !== 'active') throw new TesseraError('VOUCHER_VOIDED', `this activation was ${had.state}`, { requestId });
      return { requestId, serial, amount, currency: had.currency, expiresAtMs: had.expiresMs, replayed: true };
    }
    if (!(await HQS.get(tx, 'WHERE hq_id = ?', [hqId]))) throw new TesseraError('VOUCHER_HQ_UNKNOWN', `HQ ${hqId} is not registered`, { hqId });
    const card = await CARDS.get(tx, `WHERE id = ?${tx.forUpdate}`, [serial]);
    if (!card) throw new TesseraError('VOUCHER_UNKNOWN', 'no card with this serial', { serialLast4: last4(serial) });
    if (card.hqId !== hqId) throw new TesseraError('VOUCHER_WRONG_CHAIN', 'the card belongs to another HQ', { serialLast4: last4(serial) });
    refuseUnsellable(card);
    if (req.currency !== card.currency) throw new TesseraError('VOUCHER_AMOUNT_INVALID', `the card is in ${card.currency}`, { field: 'currency' });
    if (card.denomination !== null ? amount !== card.denomination : amount < L.loadMinorMin || amount > card.maxLoad!) {
      throw new TesseraError('VOUCHER_AMOUNT_INVALID', card.denomination !== null ? 'the amount must be the card\'s face value' : `the amount must be ${L.loadMinorMin}-${card.maxLoad}`, {
        field: 'amount', ...(card.denomination !== null ? { denomination: card.denomination } : { min: L.loadMinorMin, max: card.maxLoad }),
      });
    }
    const expiresMs = nowMs + card.validDays * DAY_MS;
    const row: ActivationRow = {
      id: `${hqId}/${requestId}`, hqId, requestId, serial, storeId: req.storeId, terminalId: req.terminalId, amount, currency: card.currency,
      state: 'active', businessDay: this.dayOf(nowMs), createdMs: nowMs, expiresMs, undoneMs: null, undoneDay: null,
    };
    ACTIVATION_STATES.check(null, 'active');
    await insertActivation(tx, row);
    await setCard(tx, card, {
      state: 'active', loaded: amount, balance: amount, held: 0, activationId: row.id, storeId: req.storeId, activatedMs: nowMs, expiresMs, updatedMs: nowMs,
    });
    await applyMoves(tx, this.ledger, [move('ACTIVATED', hqAccount(hqId), LIABILITY, amount, card.currency, [hqId, requestId])]);
    return { requestId, serial, amount, currency: card.currency, expiresAtMs: expiresMs, replayed: false };
  }

  async void(req: VoidRequest): Promise<{ readonly requestId: string; readonly replayed: boolean }> {
    const requestId = checkId(req.requestId, 'requestId');
    const hqId = checkHqId(req.hqId);
    checkId(req.storeId, 'storeId');
    const actId = checkId(req.activationRequestId, 'activationRequestId');
    return this.storage.transact(async (tx) => {
      const nowMs = this.now();
      const had = await tx.get(`SELECT store_id, activation_request_id FROM voucher_voids WHERE hq_id = ? AND request_id = ?${tx.forUpdate}`, [hqId, requestId]);
      if (had) {
        if (had['store_id'] !== req.storeId || had['activation_request_id'] !== actId) throw new TesseraError('VOUCHER_REQUEST_REUSED', 'this request id was used for another void', { requestId });
        return { requestId, replayed: true };
      }
      const act = await ACTIVATIONS.get(tx, `WHERE hq_id = ? AND request_id = ?${tx.forUpdate}`, [hqId, actId]);
      if (!act || act.state === 'tombstone') throw new TesseraError('VOUCHER_UNKNOWN', 'no activation with this request id', { activationRequestId: actId });
      if (act.state !== 'active') throw new TesseraError('VOUCHER_VOIDED', `the activation was ${act.state} already`, { activationRequestId: actId });
      const refuse = (reason: string): TesseraError => new TesseraError('VOUCHER_VOID_REFUSED', `void refused: ${reason}`, { reason, activationRequestId: actId });
      if (act.storeId !== req.storeId) throw refuse('another store sold the card');
      if (this.dayOf(nowMs) !== act.businessDay) throw refuse('another business day');
      if (nowMs - act.createdMs > L.voidWindowMs) throw refuse('past the void window');
      const card = (await CARDS.get(tx, `WHERE id = ?${tx.forUpdate}`, [act.serial]))!;
      if (card.activationId !== act.id || card.balance !== card.loaded || card.held !== 0) throw refuse('value was spent');
      await tx.run('INSERT INTO voucher_voids (hq_id, request_id, store_id, activation_request_id, created_ms) VALUES (?,?,?,?,?)', [hqId, requestId, req.storeId, actId, nowMs]);
      await this.undo(tx, act, card, 'voided', nowMs);
      return { requestId, replayed: false };
    });
  }

  /** Takes an activation's value back off its unspent card (void: the card is dead; reversal: it can be sold again). */
  private async undo(tx: Tx, act: ActivationRow, card: CardRow, to: 'voided' | 'reversed', nowMs: number): Promise<void> {
    await updateState(tx, ACTIVATIONS, ACTIVATION_STATES, act, { state: to, undoneMs: nowMs, undoneDay: this.dayOf(nowMs) });
    // A card blocked after its sale stays blocked (with nothing on it): the block list outlives the sale.
    const blocked = card.state === 'blocked';
    await setCard(tx, card, blocked
      ? { loaded: 0, balance: 0, updatedMs: nowMs }
      : to === 'voided'
        ? { state: 'voided', balance: 0, updatedMs: nowMs }
        : { state: 'issued', loaded: 0, balance: 0, activationId: null, storeId: null, activatedMs: null, expiresMs: null, updatedMs: nowMs });
    await applyMoves(tx, this.ledger, [move('UNDONE', LIABILITY, hqAccount(act.hqId), act.amount, act.currency, [act.hqId, act.requestId])]);
  }

  async reverse(req: ReversalRequest): Promise<ReversalResult> {
    const hqId = checkHqId(req.hqId);
    const actId = checkId(req.activationRequestId, 'activationRequestId');
    return this.storage.transact(async (tx) => {
      const nowMs = this.now();
      const act = await ACTIVATIONS.get(tx, `WHERE hq_id = ? AND request_id = ?${tx.forUpdate}`, [hqId, actId]);
      if (!act) {
        if (!(await HQS.get(tx, 'WHERE hq_id = ?', [hqId]))) throw new TesseraError('VOUCHER_HQ_UNKNOWN', `HQ ${hqId} is not registered`, { hqId });
        ACTIVATION_STATES.check(null, 'tombstone');
        await insertActivation(tx, {
          id: `${hqId}/${actId}`, hqId, requestId: actId, serial: '', storeId: '', terminalId: '', amount: 0, currency: this.currency,
          state: 'tombstone', businessDay: this.dayOf(nowMs), createdMs: nowMs, expiresMs: 0, undoneMs: nowMs, undoneDay: this.dayOf(nowMs),
        });
        return { activationRequestId: actId, outcome: 'never-arrived' as const };
      }
      if (act.state === 'tombstone') return { activationRequestId: actId, outcome: 'never-arrived' as const };
      if (act.state !== 'active') return { activationRequestId: actId, outcome: 'reversed' as const };
      const card = (await CARDS.get(tx, `WHERE id = ?${tx.forUpdate}`, [act.serial]))!;
      if (card.activationId !== act.id || card.balance !== card.loaded || card.held !== 0) {
        this.d.log.error({ hqId, activationRequestId: actId, serialLast4: last4(act.serial) }, 'voucher reversal refused: the card was spent after an activation the till reports as never answered');
        throw new TesseraError('VOUCHER_VOID_REFUSED', 'reversal refused: value was spent', { reason: 'value was spent', activationRequestId: actId });
      }
      await this.undo(tx, act, card, 'reversed', nowMs);
      return { activationRequestId: actId, outcome: 'reversed' as const };
    });
  }

  async block(req: BlockRequest): Promise<BlockResult> {
    const hqId = checkHqId(req.hqId);
    if (typeof req.reason !== 'string' || req.reason.length < 1 || req.reason.length > 200) throw bad('reason', 'reason: 1-200 characters');
    const byBatch = req.batchId !== undefined;
    if (byBatch === (req.fromSerial !== undefined || req.toSerial !== undefined)) throw bad('batchId', 'either batchId or fromSerial and toSerial');
    let from: string;
    let to: string;
    if (byBatch) {
      const b = await this.storage.read((q) => BATCHES.get(q, 'WHERE id = ?', [checkId(req.batchId, 'batchId')]));
      if (!b) throw new TesseraError('VOUCHER_BATCH_UNKNOWN', 'no such batch', { batchId: req.batchId });
      if (b.hqId !== hqId) throw new TesseraError('VOUCHER_WRONG_CHAIN', 'the batch belongs to another HQ', { batchId: req.batchId });
      [from, to] = [b.firstSerial, b.lastSerial];
    } else {
      from = checkSerial(req.fromSerial, 'fromSerial');
      to = checkSerial(req.toSerial, 'toSerial');
      if (seqOf(to) < seqOf(from) || seqOf(to) - seqOf(from) >= L.batchCardsMax) throw bad('toSerial', `a range runs forward over at most ${L.batchCardsMax} serials`);
    }
    const nowMs = this.now();
    const newly: string[] = [];
    const result = await this.storage.transact(async (tx) => {
      const cards = await CARDS.all(tx, `WHERE id >= ? AND id <= ? ORDER BY id${tx.forUpdate}`, [from, to]);
      if (cards.some((c) => c.hqId !== hqId)) throw new TesseraError('VOUCHER_WRONG_CHAIN', 'the range holds cards of another HQ', { fromSerial: from, toSerial: to });
      let blocked = 0;
      let refused = 0;
      for (const c of cards) {
        if (c.state === 'blocked') blocked++;
        else if (c.state === 'issued' || (c.state === 'active' && c.held === 0 && c.balance === c.loaded)) {
          await setCard(tx, c, { state: 'blocked', updatedMs: nowMs });
          newly.push(c.id);
          blocked++;
        } else refused++;
      }
      return { blocked, refused };
    });
    await this.blockMedia(newly, /stolen/i.test(req.reason) ? 'stolen' : 'lost');
    this.d.log.warn({ hqId, fromSerial: from, toSerial: to, ...result }, 'voucher cards blocked');
    return result;
  }

  /** The blocked cards on the validity lists too, so every flow's gate refuses them. */
  private async blockMedia(serials: readonly string[], status: 'lost' | 'stolen'): Promise<void> {
    const repo = this.d.validity;
    if (!repo) return;
    for (let i = 0; i < serials.length; i += 50) {
      await Promise.all(serials.slice(i, i + 50).map((s) => repo.blockMedium(s, status).catch((e: unknown) => {
        this.d.log.error({ serialLast4: last4(s), code: e instanceof TesseraError ? e.code : 'error' }, 'voucher block not recorded on the validity lists');
      })));
    }
  }

  /** Refuses a card the validity lists hold blocked (lost, stolen, captured, expired); a card not on them is judged by its own row. */
  private async gateCard(serial: string, code: 'VOUCHER_BLOCKED' | 'VOUCHER_PIN_REFUSED'): Promise<void> {
    const gate = this.d.gate;
    if (!gate) return;
    const j = await gate.check({ medium: { kind: VOUCHER_KIND, id: serial } }, { capture: false });
    if (j.ok || j.reason === 'MEDIUM_UNKNOWN') return;
    if (j.reason === 'UNAVAILABLE') throw new TesseraError('VOUCHER_BLOCKED', 'the validity lists could not be read: refused rather than served unchecked', { reason: j.reason });
    throw code === 'VOUCHER_BLOCKED'
      ? new TesseraError('VOUCHER_BLOCKED', 'the card is blocked on the validity lists', { serialLast4: last4(serial), reason: j.reason })
      : pinRefused();
  }

  async dailyFile(hqId: string, businessDay: string): Promise<HqDailyFile> {
    checkHqId(hqId);
    if (typeof businessDay !== 'string' || !DAY_RE.test(businessDay)) throw bad('businessDay', 'businessDay: YYYY-MM-DD');
    return this.storage.read((q) => this.fileOf(q, hqId, businessDay));
  }

  private async fileOf(q: SqlExecutor, hqId: string, day: string): Promise<HqDailyFile> {
    const hq = await HQS.get(q, 'WHERE hq_id = ?', [hqId]);
    if (!hq) throw new TesseraError('VOUCHER_HQ_UNKNOWN', `HQ ${hqId} is not registered`, { hqId });
    const sold = await ACTIVATIONS.all(q, `WHERE hq_id = ? AND business_day = ? AND state <> 'tombstone' ORDER BY request_id`, [hqId, day]);
    const undone = await ACTIVATIONS.all(q, `WHERE hq_id = ? AND undone_day = ? AND state IN ('voided','reversed') ORDER BY request_id`, [hqId, day]);
    const activatedMinor = sold.reduce((s, a) => s + a.amount, 0);
    const voidedMinor = undone.reduce((s, a) => s + a.amount, 0);
    const netFaceMinor = activatedMinor - voidedMinor;
    const commissionMinor = Math.sign(netFaceMinor) * Math.floor((Math.abs(netFaceMinor) * hq.commissionBp) / 10_000);
    return {
      hqId,
      businessDay: day,
      currency: this.currency,
      activations: sold.length,
      activatedMinor,
      voids: undone.length,
      voidedMinor,
      netFaceMinor,
      commissionMinor,
      dueMinor: netFaceMinor - commissionMinor,
      lines: [
        ...sold.map((a) => ({ requestId: a.requestId, serial: a.serial, amount: a.amount, kind: 'activation' as const })),
        ...undone.map((a) => ({ requestId: a.requestId, serial: a.serial, amount: a.amount, kind: a.state === 'voided' ? ('void' as const) : ('reversal' as const) })),
      ],
    };
  }

  async settleHqDay(hqId: string, businessDay: string, o: { paidMinor: number; hqTotals: Pick<HqDailyFile, 'activations' | 'netFaceMinor' | 'dueMinor'> }): Promise<void> {
    checkHqId(hqId);
    if (typeof businessDay !== 'string' || !DAY_RE.test(businessDay)) throw bad('businessDay', 'businessDay: YYYY-MM-DD');
    if (!Number.isSafeInteger(o.paidMinor)) throw new TesseraError('VOUCHER_AMOUNT_INVALID', 'paidMinor: an integer of minor units', { field: 'paidMinor' });
    const nowMs = this.now();
    if (businessDay >= this.dayOf(nowMs)) throw bad('businessDay', 'a business day is settled once it has ended');
    await this.storage.transact(async (tx) => {
      const had = await tx.get(`SELECT paid_minor FROM voucher_hq_days WHERE hq_id = ? AND business_day = ?${tx.forUpdate}`, [hqId, businessDay]);
      const file = await this.fileOf(tx, hqId, businessDay);
      const center = { activations: file.activations, netFaceMinor: file.netFaceMinor, dueMinor: file.dueMinor };
      const same = o.hqTotals.activations === center.activations && o.hqTotals.netFaceMinor === center.netFaceMinor && o.hqTotals.dueMinor === center.dueMinor && o.paidMinor === center.dueMinor;
      if (!same) throw new TesseraError('VOUCHER_FILE_MISMATCH', 'the HQ\'s totals or payment differ from the center\'s daily file', { hqId, businessDay, center, hq: o.hqTotals, paidMinor: o.paidMinor });
      if (had) return;
      await tx.run('INSERT INTO voucher_hq_days (hq_id, business_day, paid_minor, commission_minor, settled_ms) VALUES (?,?,?,?,?)', [hqId, businessDay, o.paidMinor, file.commissionMinor, nowMs]);
      const hq = hqAccount(hqId);
      const flow = (kind: 'HQ_PAID' | 'HQ_COMMISSION', from: string, amount: number) =>
        amount >= 0 ? move(kind, from, hq, amount, this.currency, [hqId, businessDay]) : move(kind, hq, from, -amount, this.currency, [hqId, businessDay]);
      await applyMoves(tx, this.ledger, [flow('HQ_PAID', FUNDS, o.paidMinor), flow('HQ_COMMISSION', COMMISSION, file.commissionMinor)]);
    });
  }

  // -- what online shops call --------------------------------------------------

  async balance(source: RedeemSource, pin: string): Promise<BalanceAnswer> {
    checkSource(source);
    return this.guarded(source, async () => {
      await this.storage.read((q) => checkNotLocked(q, source, this.now()));
      if (!isPinForm(pin)) throw pinRefused();
      const card = await this.storage.read((q) => CARDS.get(q, 'WHERE pin_hash = ?', [this.keys.hash(pin)]));
      if (!card || !this.keys.matches(card.pinHash, pin) || !['active', 'partly-used', 'used-up', 'expired'].includes(card.state)) throw pinRefused();
      await this.gateCard(card.id, 'VOUCHER_PIN_REFUSED');
      return { serialLast4: last4(card.id), state: card.state, balance: card.balance, currency: card.currency, expiresAtMs: card.expiresMs! };
    });
  }

  /** Runs a PIN check; a VOUCHER_PIN_REFUSED it throws is counted (its own unit, after the check's unit rolled back). */
  private async guarded<T>(source: RedeemSource, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      await this.noteRefusal(source, e);
      throw e;
    }
  }

  /**
   * Counts a refused PIN against the source's key and address (call it with
   * whatever a PIN check threw: other errors are ignored). The merchant
   * routes call it after their idempotency unit rolled back.
   */
  async noteRefusal(source: RedeemSource, e: unknown): Promise<void> {
    if (!(e instanceof TesseraError)) return;
    if (e.code === 'VOUCHER_LOCKED_OUT') {
      this.d.metrics?.count('lockout', 'refused');
      return;
    }
    if (e.code !== 'VOUCHER_PIN_REFUSED') return;
    this.d.metrics?.count('pin_failure', 'refused');
    const lock = await this.storage.transact((tx) => recordFailure(tx, source, this.now()));
    if (lock > 0) {
      this.d.metrics?.count('lockout', 'started');
      this.d.log.warn({ merchantId: source.merchantId, keyId: source.keyId, address: source.address, lockoutMs: lock }, 'voucher PIN guessing: key and address locked out');
    }
  }

  /** The checks of a redemption made before its unit of work: forms, lockout, the validity gate. */
  async prepareRedemption(req: RedeemRequest): Promise<PreparedRedemption> {
    checkSource(req.source);
    checkId(req.redemptionKey, 'redemptionKey');
    checkId(req.orderRef, 'orderRef');
    const amount = checkMinor(req.amount);
    if (req.currency !== this.currency) throw new TesseraError('VOUCHER_AMOUNT_INVALID', `vouchers are in ${this.currency}`, { field: 'currency' });
    if (typeof req.capture !== 'boolean') throw bad('capture', 'capture: true or false');
    if (!Array.isArray(req.pins) || req.pins.length === 0) throw bad('pins', 'pins: one or more PINs');
    if (req.pins.length > L.cardsPerRedemptionMax || amount > L.redemptionMinorMax) {
      throw new TesseraError('VOUCHER_TOO_MANY_CARDS', `at most ${L.cardsPerRedemptionMax} cards and ${L.redemptionMinorMax} per redemption`, { cardsMax: L.cardsPerRedemptionMax, amountMax: L.redemptionMinorMax });
    }
    if (new Set(req.pins).size !== req.pins.length) throw bad('pins', 'the same PIN twice');
    await this.storage.read((q) => checkNotLocked(q, req.source, this.now()));
    if (!req.pins.every(isPinForm)) throw pinRefused();
    const hashes = req.pins.map((p) => this.keys.hash(p));
    const serials = await this.storage.read((q) => q.all(`SELECT id FROM voucher_cards WHERE pin_hash IN (${placeholders(hashes.length)})`, hashes));
    for (const r of serials) await this.gateCard(String(r['id']), 'VOUCHER_PIN_REFUSED');
    return { req, hashes };
  }

  async redeem(req: RedeemRequest): Promise<Redemption> {
    return this.guarded(req.source, async () => {
      const p = await this.prepareRedemption(req);
      return this.storage.transact((tx) => this.redeemIn(tx, p));
    });
  }

  /** The redemption's unit of work (the merchant route runs it inside its idempotency unit). */
  async redeemIn(tx: Tx, p: PreparedRedemption): Promise<Redemption> {
    const { req, hashes } = p;
    const merchantId = req.source.merchantId;
    const nowMs = this.now();
    await checkNotLocked(tx, req.source, nowMs);
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([hashes.map((h) => h.toString('hex')), req.amount, req.currency, req.orderRef, req.capture]))
      .digest('hex');
    const had = await REDEMPTIONS.get(tx, `WHERE merchant_id = ? AND redemption_key = ?${tx.forUpdate}`, [merchantId, req.redemptionKey]);
    if (had) {
      if (had.fingerprint !== fingerprint) throw new TesseraError('VOUCHER_REQUEST_REUSED', 'this redemption key was used for another redemption', { field: 'redemptionKey' });
      return this.view(tx, had);
    }
    const cards = await CARDS.all(tx, `WHERE pin_hash IN (${placeholders(hashes.length)}) ORDER BY id${tx.forUpdate}`, [...hashes]);
    const byHash = new Map(cards.map((c) => [c.pinHash.toString('hex'), c]));
    const given: CardRow[] = [];
    for (let i = 0; i < hashes.length; i++) {
      const c = byHash.get(hashes[i]!.toString('hex'));
      if (!c || !this.keys.matches(c.pinHash, req.pins[i]!) || (c.state !== 'active' && c.state !== 'partly-used') || c.balance <= 0 || (c.expiresMs ?? 0) <= nowMs) {
        throw pinRefused();
      }
      given.push(c);
    }
    const available = given.reduce((s, c) => s + c.balance, 0);
    if (available < req.amount) throw new TesseraError('VOUCHER_INSUFFICIENT', 'the cards together hold less than the amount', { available, amount: req.amount });
    // Oldest-expiring first (then by serial): value about to lapse is used before value that keeps.
    const order = [...given].sort((a, b) => a.expiresMs! - b.expiresMs! || (a.id < b.id ? -1 : 1));
    let left = req.amount;
    const taken = new Map<string, number>();
    for (const c of order) {
      const t = Math.min(c.balance, left);
      taken.set(c.id, t);
      left -= t;
    }
    const id = `vr_${this.d.random.bytes(12).toString('hex')}`;
    const state = req.capture ? 'captured' : 'authorized';
    REDEMPTION_STATES.check(null, state);
    const row: RedemptionRow = {
      id, merchantId, redemptionKey: req.redemptionKey, fingerprint, orderRef: req.orderRef, state, amount: req.amount,
      captured: req.capture ? req.amount : 0, refunded: 0, currency: this.currency, authExpiresMs: req.capture ? null : nowMs + L.authHoldMs, createdMs: nowMs, updatedMs: nowMs,
    };
    await tx.run(
      `INSERT INTO voucher_redemptions (id, merchant_id, redemption_key, fingerprint, order_ref, state, amount, captured, refunded, currency, auth_expires_ms, created_ms, updated_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      [row.id, row.merchantId, row.redemptionKey, row.fingerprint, row.orderRef, row.state, row.amount, row.captured, row.refunded, row.currency, row.authExpiresMs, row.createdMs, row.updatedMs],
    );
    let position = 0;
    for (const c of order) {
      const t = taken.get(c.id)!;
      await tx.run('INSERT INTO voucher_redemption_cards (redemption_id, serial, position, held, captured) VALUES (?,?,?,?,?)', [id, c.id, position++, t, req.capture ? t : 0]);
      if (t === 0) continue;
      const balance = c.balance - t;
      await setCard(tx, c, { state: spendState(c.loaded, balance), balance, held: c.held + (req.capture ? 0 : t), updatedMs: nowMs });
    }
    await this.ledger.createAccountsIn(tx, [shopLedgerAccount(merchantId, this.currency)], false);
    await applyMoves(tx, this.ledger, [
      move('HELD', LIABILITY, AUTHORIZED, req.amount, this.currency, [id]),
      ...(req.capture ? [move('CAPTURED', AUTHORIZED, shopAccount(merchantId), req.amount, this.currency, [id])] : []),
    ]);
    this.d.metrics?.count('redemption', state);
    return this.view(tx, row);
  }

  private async loadRedemption(tx: Tx, merchantId: string, redemptionId: string): Promise<RedemptionRow> {
    checkId(merchantId, 'merchantId');
    const r = typeof redemptionId === 'string' && ID_RE.test(redemptionId) ? await REDEMPTIONS.get(tx, `WHERE id = ? AND merchant_id = ?${tx.forUpdate}`, [redemptionId, merchantId]) : undefined;
    if (!r) throw new TesseraError('VOUCHER_REDEMPTION_UNKNOWN', 'no such redemption for this merchant', { redemptionId: String(redemptionId).slice(0, 64) });
    return r;
  }

  /** The redemption's card lines and the cards themselves, locked in serial order. */
  private async linesOf(tx: Tx, r: RedemptionRow): Promise<{ lines: RedemptionCardRow[]; cards: Map<string, CardRow> }> {
    const lines = await REDEMPTION_CARDS.all(tx, 'WHERE redemption_id = ? ORDER BY position', [r.id]);
    const serials = lines.map((l) => l.serial);
    const cards = await CARDS.all(tx, `WHERE id IN (${placeholders(serials.length)}) ORDER BY id${tx.forUpdate}`, serials);
    return { lines, cards: new Map(cards.map((c) => [c.id, c])) };
  }

  async capture(merchantId: string, redemptionId: string, amount?: number): Promise<Redemption> {
    return this.storage.transact((tx) => this.captureIn(tx, merchantId, redemptionId, amount));
  }

  async captureIn(tx: Tx, merchantId: string, redemptionId: string, amount?: number): Promise<Redemption> {
    const r = await this.loadRedemption(tx, merchantId, redemptionId);
    if (amount !== undefined) checkMinor(amount);
    const nowMs = this.now();
    if (r.state === 'captured' || r.state === 'partly-refunded' || r.state === 'refunded') {
      if (amount === undefined || amount === r.captured) return this.view(tx, r);
      throw stateError(r, 'captured already, with another amount');
    }
    if (r.state !== 'authorized') throw stateError(r, `it is ${r.state}`);
    if (r.authExpiresMs !== null && r.authExpiresMs <= nowMs) throw stateError(r, 'the authorisation has expired');
    const take = amount ?? r.amount;
    if (take > r.amount) throw stateError(r, 'the capture is larger than the authorised amount');
    const { lines, cards } = await this.linesOf(tx, r);
    let left = take;
    for (const l of lines) {
      if (l.held === 0) continue;
      const c = Math.min(l.held, left);
      left -= c;
      const release = l.held - c;
      await tx.run('UPDATE voucher_redemption_cards SET captured = ? WHERE redemption_id = ? AND serial = ?', [c, r.id, l.serial]);
      const card = cards.get(l.serial)!;
      const balance = card.balance + release;
      await setCard(tx, card, { state: spendState(card.loaded, balance), balance, held: card.held - l.held, updatedMs: nowMs });
    }
    await updateState(tx, REDEMPTIONS, REDEMPTION_STATES, r, { state: 'captured', captured: take, authExpiresMs: null, updatedMs: nowMs });
    await applyMoves(tx, this.ledger, [
      move('CAPTURED', AUTHORIZED, shopAccount(merchantId), take, r.currency, [r.id]),
      move('RELEASED', AUTHORIZED, LIABILITY, r.amount - take, r.currency, [r.id]),
    ]);
    return this.view(tx, { ...r, state: 'captured', captured: take, authExpiresMs: null });
  }

  async cancel(merchantId: string, redemptionId: string): Promise<Redemption> {
    return this.storage.transact((tx) => this.cancelIn(tx, merchantId, redemptionId));
  }

  async cancelIn(tx: Tx, merchantId: string, redemptionId: string): Promise<Redemption> {
    const r = await this.loadRedemption(tx, merchantId, redemptionId);
    if (r.state === 'cancelled') return this.view(tx, r);
    if (r.state !== 'authorized') throw stateError(r, `it is ${r.state}: only an authorisation is cancelled (a capture is refunded)`);
    return this.release(tx, r, 'cancelled');
  }

  /** Gives an authorisation's whole hold back to its cards (cancel, or expiry by the sweep). */
  private async release(tx: Tx, r: RedemptionRow, to: 'cancelled' | 'expired'): Promise<Redemption> {
    const nowMs = this.now();
    const { lines, cards } = await this.linesOf(tx, r);
    for (const l of lines) {
      if (l.held === 0) continue;
      const card = cards.get(l.serial)!;
      const balance = card.balance + l.held;
      await setCard(tx, card, { state: spendState(card.loaded, balance), balance, held: card.held - l.held, updatedMs: nowMs });
    }
    await updateState(tx, REDEMPTIONS, REDEMPTION_STATES, r, { state: to, authExpiresMs: null, updatedMs: nowMs });
    await applyMoves(tx, this.ledger, [move('RELEASED', AUTHORIZED, LIABILITY, r.amount, r.currency, [r.id])]);
    return this.view(tx, { ...r, state: to, authExpiresMs: null });
  }

  async refund(merchantId: string, redemptionId: string, o: { refundId: string; amount: number }): Promise<Redemption> {
    return this.storage.transact((tx) => this.refundIn(tx, merchantId, redemptionId, o));
  }

  async refundIn(tx: Tx, merchantId: string, redemptionId: string, o: { refundId: string; amount: number }): Promise<Redemption> {
    const refundId = checkId(o.refundId, 'refundId');
    const amount = checkMinor(o.amount);
    const r = await this.loadRedemption(tx, merchantId, redemptionId);
    const nowMs = this.now();
    const had = await tx.get('SELECT amount FROM voucher_refunds WHERE redemption_id = ? AND refund_id = ?', [r.id, refundId]);
    if (had) {
      if (Number(had['amount']) !== amount) throw new TesseraError('VOUCHER_REQUEST_REUSED', 'this refund id was used for another amount', { field: 'refundId' });
      return this.view(tx, r);
    }
    if (r.state !== 'captured' && r.state !== 'partly-refunded') throw stateError(r, `it is ${r.state}: only a captured redemption is refunded`);
    if (amount > r.captured - r.refunded) throw stateError(r, `at most ${r.captured - r.refunded} is left to refund`);
    const { lines, cards } = await this.linesOf(tx, r);
    // Back onto the cards it came from, the last-used card first.
    let left = amount;
    let breakage = 0;
    for (const l of [...lines].reverse()) {
      const share = Math.min(l.captured - l.refunded, left);
      if (share === 0) continue;
      left -= share;
      await tx.run('UPDATE voucher_redemption_cards SET refunded = refunded + ? WHERE redemption_id = ? AND serial = ?', [share, r.id, l.serial]);
      const card = cards.get(l.serial)!;
      if (card.state === 'expired') {
        breakage += share; // the card has lapsed: the value returns to it and lapses with it, as breakage
        continue;
      }
      const balance = card.balance + share;
      await setCard(tx, card, { state: spendState(card.loaded, balance), balance, updatedMs: nowMs });
    }
    await tx.run('INSERT INTO voucher_refunds (redemption_id, refund_id, amount, created_ms) VALUES (?,?,?,?)', [r.id, refundId, amount, nowMs]);
    const refunded = r.refunded + amount;
    const state = refunded === r.captured ? 'refunded' : 'partly-refunded';
    await updateState(tx, REDEMPTIONS, REDEMPTION_STATES, r, { state, refunded, updatedMs: nowMs });
    await applyMoves(tx, this.ledger, [
      move('REFUNDED', shopAccount(merchantId), LIABILITY, amount, r.currency, [r.id, refundId]),
      move('EXPIRED', LIABILITY, BREAKAGE, breakage, r.currency, ['refund', r.id, refundId]),
    ]);
    return this.view(tx, { ...r, state, refunded });
  }

  async redemption(merchantId: string, redemptionId: string): Promise<Redemption> {
    checkId(merchantId, 'merchantId');
    return this.storage.read(async (q) => {
      const r = typeof redemptionId === 'string' && ID_RE.test(redemptionId) ? await REDEMPTIONS.get(q, 'WHERE id = ? AND merchant_id = ?', [redemptionId, merchantId]) : undefined;
      if (!r) throw new TesseraError('VOUCHER_REDEMPTION_UNKNOWN', 'no such redemption for this merchant', { redemptionId: String(redemptionId).slice(0, 64) });
      return this.view(q, r);
    });
  }

  /**
   * The merchant's own redemptions with this order reference, newest first,
   * at most `limit` (VOUCHER_LIMITS.redemptionsByOrderMax): how a shop finds a
   * payment whose answer it lost (it keeps no PINs to resend with). Another
   * merchant's order reference is simply not found (an empty list).
   */
  async redemptionsByOrder(merchantId: string, orderRef: string, limit: number = L.redemptionsByOrderDefault): Promise<Redemption[]> {
    checkId(merchantId, 'merchantId');
    checkId(orderRef, 'orderRef');
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > L.redemptionsByOrderMax) throw bad('limit', `limit: 1-${L.redemptionsByOrderMax}`);
    return this.storage.read(async (q) => {
      const rows = await REDEMPTIONS.all(q, 'WHERE merchant_id = ? AND order_ref = ? ORDER BY created_ms DESC, id DESC LIMIT ?', [merchantId, orderRef, limit]);
      const out: Redemption[] = [];
      for (const r of rows) out.push(await this.view(q, r));
      return out;
    });
  }

  private async view(q: SqlExecutor, r: RedemptionRow): Promise<Redemption> {
    const rows = await q.all(
      `SELECT l.serial AS serial, l.held AS held, l.captured AS captured, l.refunded AS refunded, c.balance AS balance
       FROM voucher_redemption_cards l JOIN voucher_cards c ON c.id = l.serial WHERE l.redemption_id = ? ORDER BY l.position`,
      [r.id],
    );
    const holding = r.state === 'authorized';
    const off = r.state === 'cancelled' || r.state === 'expired';
    return {
      redemptionId: r.id,
      merchantId: r.merchantId,
      orderRef: r.orderRef,
      state: r.state,
      amount: r.amount,
      captured: r.captured,
      refunded: r.refunded,
      currency: r.currency,
      authExpiresAtMs: holding ? r.authExpiresMs : null,
      cards: rows.map((x) => ({
        serialLast4: last4(String(x['serial'])),
        taken: off ? 0 : holding ? Number(x['held']) : Number(x['captured']) - Number(x['refunded']),
        remaining: Number(x['balance']),
      })),
    };
  }

  // -- the sweep -----------------------------------------------------------------

  async sweep(): Promise<void> {
    await this.sweepOnce();
  }

  /** A shop's statement: captured, refunded, paid out, pending, payable, and its payouts (reconciliation ids). */
  async statement(merchantId: string, limit = 100): Promise<VoucherStatement> {
    checkId(merchantId, 'merchantId');
    return this.storage.read((q) => statementOf(q, merchantId, this.currency, limit));
  }

  /** One pass: expired authorisations released, lapsed cards expired (breakage), shop payouts. Counts what it did. */
  async sweepOnce(): Promise<{ authorisationsExpired: number; cardsExpired: number; payoutsDecided?: number; payoutsPaid?: number; payoutsFailed?: number }> {
    const cards = await this.sweepCards();
    return this.payouts ? { ...cards, ...(await this.payouts.sweep()) } : cards;
  }

  private async sweepCards(): Promise<{ authorisationsExpired: number; cardsExpired: number }> {
    const nowMs = this.now();
    let authorisationsExpired = 0;
    let cardsExpired = 0;
    const auths = await this.storage.read((q) => q.all(`SELECT id, merchant_id FROM voucher_redemptions WHERE state = 'authorized' AND auth_expires_ms <= ? ORDER BY auth_expires_ms LIMIT ?`, [nowMs, L.sweepBatchMax]));
    for (const a of auths) {
      const done = await this.storage.transact(async (tx) => {
        const r = await REDEMPTIONS.get(tx, `WHERE id = ?${tx.forUpdate}`, [String(a['id'])]);
        if (!r || r.state !== 'authorized' || r.authExpiresMs === null || r.authExpiresMs > nowMs) return false;
        await this.release(tx, r, 'expired');
        return true;
      });
      if (done) authorisationsExpired++;
    }
    const lapsed = await this.storage.read((q) => q.all(`SELECT id FROM voucher_cards WHERE state IN ('active','partly-used','blocked') AND expires_ms <= ? AND held = 0 ORDER BY expires_ms LIMIT ?`, [nowMs, L.sweepBatchMax]));
    for (const x of lapsed) {
      const done = await this.storage.transact(async (tx) => {
        const c = await CARDS.get(tx, `WHERE id = ?${tx.forUpdate}`, [String(x['id'])]);
        if (!c || !['active', 'partly-used', 'blocked'].includes(c.state) || c.held !== 0 || c.expiresMs === null || c.expiresMs > nowMs) return false;
        await setCard(tx, c, { state: 'expired', balance: 0, updatedMs: nowMs });
        await applyMoves(tx, this.ledger, [move('EXPIRED', LIABILITY, BREAKAGE, c.balance, c.currency, ['card', c.id])]);
        return true;
      });
      if (done) cardsExpired++;
    }
    return { authorisationsExpired, cardsExpired };
  }
}

function checkSource(s: RedeemSource): void {
  checkId(s?.merchantId, 'merchantId');
  checkId(s.keyId, 'keyId');
  if (typeof s.address !== 'string' || s.address.length < 1 || s.address.length > 100) throw bad('address', 'address: 1-100 characters');
}

function pinRefused(): TesseraError {
  return new TesseraError('VOUCHER_PIN_REFUSED', 'the PIN cannot pay (unknown, not sold, used up, expired or blocked)');
}

function stateError(r: RedemptionRow, why: string): TesseraError {
  return new TesseraError('VOUCHER_REDEMPTION_STATE', `redemption ${r.id}: ${why}`, { redemptionId: r.id, state: r.state });
}

/** Only an issued card is sold: the others answer what they are. */
function refuseUnsellable(card: CardRow): void {
  const d = { serialLast4: last4(card.id) };
  switch (card.state) {
    case 'issued':
      return;
    case 'active':
    case 'partly-used':
    case 'used-up':
      throw new TesseraError('VOUCHER_ALREADY_ACTIVE', 'the card is active already', d);
    case 'voided':
      throw new TesseraError('VOUCHER_VOIDED', 'the card\'s sale was voided', d);
    case 'blocked':
      throw new TesseraError('VOUCHER_BLOCKED', 'the card is blocked', d);
    case 'expired':
      throw new TesseraError('VOUCHER_EXPIRED', 'the card has expired', d);
  }
}

/** A card's update through its state machine; a state equal to the current one is no transition (only the fields change). */
async function setCard(tx: Tx, card: CardRow, fields: Partial<CardRow>): Promise<void> {
  const { state, ...rest } = fields;
  await updateState(tx, CARDS, CARD_STATES, card, state === undefined || state === card.state ? rest : { ...rest, state });
}

async function insertActivation(tx: Tx, a: ActivationRow): Promise<void> {
  await tx.run(
    'INSERT INTO voucher_activations (id, hq_id, request_id, serial, store_id, terminal_id, amount, currency, state, business_day, created_ms, expires_ms, undone_ms, undone_day) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
    [a.id, a.hqId, a.requestId, a.serial, a.storeId, a.terminalId, a.amount, a.currency, a.state, a.businessDay, a.createdMs, a.expiresMs, a.undoneMs, a.undoneDay],
  );
}

function batchOf(b: BatchRow): VoucherBatch {
  return {
    batchId: b.id, hqId: b.hqId, denomination: b.denomination, maxLoad: b.maxLoad, count: b.count, currency: b.currency,
    firstSerial: b.firstSerial, lastSerial: b.lastSerial, createdAtMs: b.createdMs, printed: b.printed,
  };
}
