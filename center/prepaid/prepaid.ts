/**
 * The prepaid center (seed 000) on the center's storage and ledger: issue a
 * medium, use it (pay a vendor, pay the provider's fee) with the two-phase
 * rotation of its file, confirm a written generation, balance and usage
 * log, and the operator's recovery of a frozen medium. The API the provider
 * center and the prepaid terminal role are built against next round
 * (docs/PREPAID.md, PROTOCOL.md §6.4).
 *
 * Every call that changes something runs in one unit of work under the
 * medium row's lock; refusals that follow a state change (a confirm, a
 * freeze) are returned from the unit and thrown after it commits, so the
 * change is kept.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { faultPoint } from '../../core/fault-points.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import { CHANNEL_OP, CHANNEL_SERVICE, channelKeys, sealReplyFile, type ChannelOp, type ChannelRequest } from '../../protocol/prepaid/channel.js';
import { isMediumIdHex, logChain, readMediumFile, EMPTY_LOG_ANCHOR } from '../../protocol/prepaid/medium.js';
import { Ledger } from '../ledger/ledger.js';
import type { Storage, Tx } from '../storage/types.js';
import type { ValidityGate } from '../validity/gate.js';
import type { ValidityRepository } from '../validity/repository.js';
import { int, rowMapper, text } from '../kit/rows.js';
import { prepaidError, type PrepaidErrorCode } from './errors.js';
import { logEntryOf } from './files.js';
import { KeyTable } from './key-table.js';
import { accountsFor, applyMoves, ensureAccounts, mediumAccount, move, PAID_IN, providerFee, vendorPayable } from './ledger-map.js';
import { PREPAID_LIMITS } from './limits.js';
import { prepaidMigrations } from './schema.js';
import { confirmPending, fileAgain, freeze, makeGeneration, present, shownFile, shownProof, type RotationContext, type Shown as ShownMedium } from './rotation.js';
import { loadGeneration, loadMedium, MEDIUM_ROWS, updateMedium, USAGE_ROWS, type MediumRow, type UsageKind, type UsageRow } from './rows.js';

/** The validity medium kind of a prepaid medium: 16 random bytes as 32 lowercase hex. */
export const PREPAID_MEDIUM_KIND = { name: 'prepaid-medium', isId: isMediumIdHex } as const;

export interface PrepaidConfig {
  /** 32 bytes (the 0600 master key file). */
  readonly masterKey: Buffer;
  /** This prepaid center's issuer id, written in every file (u32). */
  readonly issuerId: number;
  readonly currency: string;
}

export interface PrepaidDeps {
  readonly storage: Storage;
  readonly config: PrepaidConfig;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly log?: Logger;
  /** The validity module's gate and lists (the module passes them): media registered, frozen media marked captured. */
  readonly validity?: { readonly gate: ValidityGate; readonly repository: ValidityRepository };
}

export interface IssueRequest {
  /** 32 hex: the idempotency key of the issue (the terminal's journal repeats it). */
  readonly requestId: string;
  readonly amountMinor: number;
  readonly currency: string;
  /** The prepaid terminal that took the money (usage record payee). */
  readonly terminalId: string;
  /** The new medium's id (32 hex); default 16 random bytes. */
  readonly mediumId?: string;
}

/**
 * What paid an issue at a prepaid terminal (PREPAID_ISSUE, PROTOCOL.md
 * §6.4), booked inside the issue's unit of work: each part (a note, a purse
 * record) is bound to the issue by its ref, so one payment pays one issue.
 */
export interface IssuePayment {
  readonly kind: 'cash' | 'purse';
  /** One per note (`<terminal>/<note key>`) or the purse record (`<card>/<counter>`). */
  readonly refs: readonly { readonly ref: string; readonly amountMinor: number }[];
  /** Books the money in (the notes, the purse debit) in the issue's unit; returns the account the value comes from. */
  book(tx: Tx): Promise<string>;
}

const PAYMENT_ROWS = rowMapper('prepaid_payments', { kind: text('kind'), ref: text('ref'), requestId: text('request_id'), amountMinor: int('amount') });

export interface IssueResult {
  readonly status: 'done' | 'repeated';
  readonly mediumId: string;
  readonly balanceMinor: number;
  /** Generation 1's file for the terminal to write (null once generation 1 is superseded). */
  readonly file: Buffer | null;
}

export type UseKind = 'vendor' | 'provider-fee';

/**
 * What the provider relays instead of the file (PROTOCOL.md §6.4): the
 * medium id, the generation it shows and a MAC keyed from that file's
 * SHA-256 over the canonical request. A file sent back is then sealed to
 * the holder of the file shown (`sealedFile`), never returned in clear.
 */
export interface MediumProof {
  readonly issuerId: number;
  /** 32 hex. */
  readonly mediumId: string;
  readonly generation: number;
  /** 32 hex: the request the proof covers (a use's own request id). */
  readonly requestId: string;
  /** 16 bytes. */
  readonly proof: Buffer;
}

/** The medium shown: its whole current file, or a proof of it. */
export type Shown = Uint8Array | MediumProof;

export interface UseRequest {
  readonly requestId: string;
  /** The file the medium shows (its current slot), or a proof of it. */
  readonly shown: Shown;
  readonly kind: UseKind;
  /** The vendor or provider paid (1-16 of [A-Z0-9-]). */
  readonly payee: string;
  readonly amountMinor: number;
  readonly currency: string;
  /** Who relayed it (the provider center's id): clone records name it. */
  readonly source: string;
}

export interface Usage {
  readonly requestId: string;
  readonly seq: number;
  readonly kind: UsageKind;
  readonly payee: string;
  readonly amountMinor: number;
  readonly balanceAfterMinor: number;
  readonly atMs: number;
  /** The generation this use created (its file carries the entry). */
  readonly generation: number;
}

/**
 * done: the service is booked and a new generation made: write `file` into the other slot, then confirm.
 * repeated: the same request again: `file` is its generation's file if still pending (write it), null if already confirmed.
 * resume: another use's generation is pending (the medium shows the one before): write `file`, confirm, then ask again.
 */
export type UseResult =
  | { readonly status: 'done' | 'repeated'; readonly file: Buffer | null; readonly sealedFile?: Buffer; readonly balanceMinor: number; readonly usage: Usage }
  | { readonly status: 'resume'; readonly file: Buffer | null; readonly sealedFile?: Buffer; readonly generation: number };

export interface ConfirmResult {
  /** confirmed: this call confirmed the generation; current: it was confirmed already; resume: write `file` (pending) and confirm. */
  readonly status: 'confirmed' | 'current' | 'resume';
  readonly mediumId: string;
  readonly generation: number;
  readonly balanceMinor: number;
  readonly currency: string;
  readonly file?: Buffer | null;
  /** The file sealed to the holder of the file shown, when the medium was shown by a proof. */
  readonly sealedFile?: Buffer;
}

export interface BalanceResult extends ConfirmResult {
  /** The center's usage records, newest first (at most usageListMax). */
  readonly usage: readonly Usage[];
}

export interface RecoverRequest {
  readonly requestId: string;
  /** The frozen medium. */
  readonly mediumId: string;
  /** The replacement medium's id; default random. */
  readonly newMediumId?: string;
  /** The operator who checked the holder (usage record payee). */
  readonly operator: string;
}

export interface FreezeRequest {
  /** The medium to freeze (32 hex). */
  readonly mediumId: string;
  /** The operator (1-16 of [A-Z0-9-]), named in the medium's frozen reason. */
  readonly operator: string;
  /** What the operator was told or saw (3-200 characters), kept as the medium's frozen reason. */
  readonly reason: string;
}

export interface FreezeResult {
  /** frozen: this call froze it; frozen-already: it was frozen before (its first reason kept). */
  readonly status: 'frozen' | 'frozen-already';
  readonly mediumId: string;
  readonly balanceMinor: number;
  readonly currency: string;
  readonly confirmedGen: number;
  readonly pendingGen: number | null;
  readonly frozenReason: string;
}

type Refusal = { readonly refuse: PrepaidErrorCode; readonly message: string; readonly details: Record<string, unknown> };
const refusal = (refuse: PrepaidErrorCode, message: string, details: Record<string, unknown>): Refusal => ({ refuse, message, details });

const PAYEE = /^[A-Z0-9-]{1,16}$/;
const REQUEST_ID = /^[0-9a-f]{32}$/;

export class Prepaid {
  private readonly rc: RotationContext;

  private constructor(
    readonly storage: Storage,
    readonly ledger: Ledger,
    private readonly config: PrepaidConfig,
    private readonly keys: KeyTable,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly log: Logger,
    private readonly validity: PrepaidDeps['validity'],
  ) {
    this.rc = { keys, issuerId: config.issuerId, clock, log };
  }

  static async open(d: PrepaidDeps): Promise<Prepaid> {
    const clock = d.clock ?? systemClock;
    const random = d.random ?? systemRandom;
    await d.storage.migrate(prepaidMigrations);
    const ledger = await Ledger.open(d.storage, clock);
    await ledger.createAccounts(accountsFor(d.config.currency, {}));
    return new Prepaid(d.storage, ledger, d.config, new KeyTable(d.config.masterKey, random), clock, random, d.log ?? silentLogger, d.validity);
  }

  // ------------------------------------------------------------------ issue

  /**
   * A new medium holding `amountMinor` paid in at a prepaid terminal; generation 1 pending until confirmed.
   * With a payment (PREPAID_ISSUE) the money is booked in by it in the same unit of work, each part bound
   * to this issue (PREPAID_PAYMENT_USED if it paid another); a repeat of the request id answers the same
   * medium (PREPAID_REQUEST_ID_REUSED if the payment differs).
   */
  async issue(req: IssueRequest, payment?: IssuePayment): Promise<IssueResult> {
    this.checkAmount(req.amountMinor, req.currency);
    checkId(req.requestId, 'requestId');
    checkPayee(req.terminalId, 'terminalId');
    const again = await this.storage.read((q) => USAGE_ROWS.get(q, 'WHERE request_id = ?', [req.requestId]));
    if (again) {
      await this.checkSamePayment(req.requestId, payment);
      return this.issueAgain(again, { kind: 'issued', amountMinor: req.amountMinor, payee: req.terminalId, mediumId: req.mediumId });
    }
    if (payment) await this.checkPaymentFree(req.requestId, payment);
    const mediumId = req.mediumId ?? this.random.bytes(16).toString('hex');
    checkId(mediumId, 'mediumId');
    return this.storage.transact(async (tx) => {
      const debit = payment ? await this.bookPayment(tx, req, payment) : PAID_IN;
      const file = await this.createMedium(tx, { mediumId, requestId: req.requestId, balanceMinor: req.amountMinor, kind: 'issued', payee: req.terminalId });
      await ensureAccounts(tx, this.ledger, accountsFor(this.config.currency, { mediumId }));
      const code = payment?.kind === 'cash' ? 'ISSUED_CASH' : payment?.kind === 'purse' ? 'ISSUED_PURSE' : 'ISSUED';
      await applyMoves(tx, this.ledger, [move(code, req.requestId, debit, mediumAccount(mediumId), req.amountMinor, this.config.currency)]);
      await this.registerMedium(tx, mediumId);
      return { status: 'done' as const, mediumId, balanceMinor: req.amountMinor, file };
    });
  }

  /** Binds each part of the payment to this issue (under the row lock) and books the money in. */
  private async bookPayment(tx: Tx, req: IssueRequest, payment: IssuePayment): Promise<string> {
    if (payment.refs.reduce((s, r) => s + r.amountMinor, 0) !== req.amountMinor) throw prepaidError('PREPAID_PAYMENT_MISMATCH', 'the payment does not sum to the amount', { requestId: req.requestId });
    const nowMs = this.clock.nowMs();
    for (const r of payment.refs) {
      const bound = await PAYMENT_ROWS.get(tx, `WHERE kind = ? AND ref = ?${tx.forUpdate}`, [payment.kind, r.ref]);
      if (bound) throw prepaidError('PREPAID_PAYMENT_USED', 'this payment paid another issue', { ref: r.ref, otherRequestId: bound.requestId });
      await tx.run('INSERT INTO prepaid_payments (kind, ref, request_id, terminal_id, amount, at_ms) VALUES (?,?,?,?,?,?)', [payment.kind, r.ref, req.requestId, req.terminalId, r.amountMinor, nowMs]);
    }
    return payment.book(tx);
  }

  /** Before anything is registered: a part of the payment bound to another issue is refused at once. */
  private async checkPaymentFree(requestId: string, payment: IssuePayment): Promise<void> {
    for (const r of payment.refs) {
      const bound = await this.storage.read((q) => PAYMENT_ROWS.get(q, 'WHERE kind = ? AND ref = ?', [payment.kind, r.ref]));
      if (bound && bound.requestId !== requestId) throw prepaidError('PREPAID_PAYMENT_USED', 'this payment paid another issue', { ref: r.ref, otherRequestId: bound.requestId });
    }
  }

  /** A repeated issue must carry the payment it was booked with (none for an api issue). */
  private async checkSamePayment(requestId: string, payment: IssuePayment | undefined): Promise<void> {
    const rows = await this.storage.read((q) => PAYMENT_ROWS.all(q, 'WHERE request_id = ? ORDER BY ref', [requestId]));
    const had = rows.map((r) => `${r.kind} ${r.ref} ${r.amountMinor}`).join('\n');
    const has = (payment?.refs ?? []).map((r) => `${payment!.kind} ${r.ref} ${r.amountMinor}`).sort().join('\n');
    if (had !== has) throw prepaidError('PREPAID_REQUEST_ID_REUSED', 'this request id was issued with another payment', { requestId });
  }

  /** The same issue (or recovery) again: generation 1's file once more while it is not superseded. */
  private async issueAgain(u: UsageRow, want: { kind: UsageKind; amountMinor?: number; payee: string; mediumId?: string | undefined }): Promise<IssueResult> {
    const same = u.seq === 1 && u.kind === want.kind && u.payee === want.payee && (want.amountMinor === undefined || u.amountMinor === want.amountMinor);
    if (!same || (want.mediumId !== undefined && want.mediumId !== u.mediumId)) {
      throw prepaidError('PREPAID_REQUEST_ID_REUSED', 'this request id did something else', { requestId: u.requestId });
    }
    return this.storage.transact(async (tx) => {
      const medium = (await loadMedium(tx, u.mediumId, tx.forUpdate))!;
      const gen = await loadGeneration(tx, u.mediumId, 1);
      const file = gen && gen.state !== 'superseded' && medium.state !== 'frozen' && medium.state !== 'closed' ? await fileAgain(tx, this.rc, medium, gen) : null;
      return { status: 'repeated' as const, mediumId: u.mediumId, balanceMinor: u.amountMinor, file };
    });
  }

  /** The medium row, its first usage record and generation 1 (pending). */
  private async createMedium(tx: Tx, o: { mediumId: string; requestId: string; balanceMinor: number; kind: 'issued' | 'recovery'; payee: string }): Promise<Buffer> {
    const nowMs = this.clock.nowMs();
    await tx.run(
      'INSERT INTO prepaid_media (id, state, currency, balance, confirmed_gen, pending_gen, last_seq, created_ms, updated_ms) VALUES (?,?,?,?,?,?,?,?,?)',
      [o.mediumId, 'issued', this.config.currency, o.balanceMinor, 0, 1, 1, nowMs, nowMs],
    );
    await this.insertUsage(tx, { requestId: o.requestId, mediumId: o.mediumId, seq: 1, kind: o.kind, payee: o.payee, amountMinor: o.balanceMinor, balanceAfterMinor: o.balanceMinor, atMs: nowMs, gen: 1 }, EMPTY_LOG_ANCHOR);
    const { file } = await makeGeneration(tx, this.rc, { mediumId: o.mediumId, currency: this.config.currency, gen: 1, balanceMinor: o.balanceMinor, logSeq: 1, requestId: o.requestId });
    return file;
  }

  /**
   * The new medium on the validity lists, in the unit that creates it: the
   * lists never name a medium whose unit did not commit (a crash or a
   * refusal between the two left one before). A row already there (put by
   * an older build before its unit) is kept.
   */
  private async registerMedium(tx: Tx, mediumId: string): Promise<void> {
    if (!this.validity) return;
    const repository = this.validity.repository;
    if (!(await repository.hasMediumIn(tx, mediumId))) await repository.addMediaIn(tx, [{ id: mediumId, kind: PREPAID_MEDIUM_KIND.name, expiresAtMs: this.clock.nowMs() + PREPAID_LIMITS.mediumValidityMs }]);
  }

  // ------------------------------------------------------------------ use

  /** A service paid from the medium's balance, with the rotation of its file (docs/PREPAID.md, "Use"). */
  async use(req: UseRequest): Promise<UseResult> {
    this.checkAmount(req.amountMinor, req.currency);
    checkId(req.requestId, 'requestId');
    checkPayee(req.payee, 'payee');
    if (req.kind !== 'vendor' && req.kind !== 'provider-fee') throw prepaidError('PREPAID_BAD_REQUEST', 'kind: vendor or provider-fee', { field: 'kind' });
    if (!isFile(req.shown) && req.shown.requestId !== req.requestId) throw prepaidError('PREPAID_BAD_REQUEST', 'the proof covers another request', { field: 'shown.requestId' });
    const shown = await this.admit(req.shown, CHANNEL_OP.USE, req);
    return this.run(req.shown, shown, req.source, async (tx, medium) => {
      const again = await USAGE_ROWS.get(tx, 'WHERE request_id = ?', [req.requestId]);
      if (again) return this.useAgain(tx, medium, again, req);
      if (medium.state === 'rotating') {
        // Another use's generation is pending and the medium shows the one before: at most one use per generation.
        const pending = (await loadGeneration(tx, medium.id, medium.pendingGen!))!;
        return { status: 'resume' as const, file: await fileAgain(tx, this.rc, medium, pending), generation: pending.gen };
      }
      if (req.amountMinor > medium.balanceMinor) return refusal('PREPAID_INSUFFICIENT_BALANCE', 'the balance is less than the amount', { mediumId: medium.id, balanceMinor: medium.balanceMinor });
      faultPoint('prepaid.use.adequate'); // test hooks (core/fault-points.ts): kill -9 at each step of Fig. 7
      return this.book(tx, medium, req);
    }, async (tx, medium) => {
      const u = await USAGE_ROWS.get(tx, 'WHERE request_id = ?', [req.requestId]);
      const same = u && u.mediumId === medium.id && u.kind === req.kind && u.payee === req.payee && u.amountMinor === req.amountMinor && u.gen <= medium.confirmedGen;
      return same ? { status: 'repeated' as const, file: null, balanceMinor: u.balanceAfterMinor, usage: usageOf(u) } : undefined;
    }).then((r) => {
      if (r.status === 'done') faultPoint('prepaid.use.committed');
      return r;
    });
  }

  /** The service booked and generation N+1 made (S31-S41), in one unit. */
  private async book(tx: Tx, medium: MediumRow, req: UseRequest): Promise<UseResult> {
    const nowMs = this.clock.nowMs();
    const seq = medium.lastSeq + 1;
    const gen = medium.confirmedGen + 1;
    const balanceAfterMinor = medium.balanceMinor - req.amountMinor;
    const prev = await USAGE_ROWS.get(tx, 'WHERE medium_id = ? AND seq = ?', [medium.id, medium.lastSeq]);
    const usage: Usage = { requestId: req.requestId, seq, kind: req.kind, payee: req.payee, amountMinor: req.amountMinor, balanceAfterMinor, atMs: nowMs, generation: gen };
    await this.insertUsage(tx, { ...usage, mediumId: medium.id, gen }, prev?.chain ?? EMPTY_LOG_ANCHOR);
    const payee = req.kind === 'vendor' ? { vendor: req.payee } : { provider: req.payee };
    await ensureAccounts(tx, this.ledger, accountsFor(this.config.currency, payee));
    const credit = req.kind === 'vendor' ? vendorPayable(req.payee) : providerFee(req.payee);
    await applyMoves(tx, this.ledger, [move(req.kind === 'vendor' ? 'VENDOR_PAID' : 'PROVIDER_FEE', req.requestId, mediumAccount(medium.id), credit, req.amountMinor, this.config.currency)]);
    faultPoint('prepaid.use.booked');
    const { file } = await makeGeneration(tx, this.rc, { mediumId: medium.id, currency: medium.currency, gen, balanceMinor: balanceAfterMinor, logSeq: seq, requestId: req.requestId });
    faultPoint('prepaid.use.rotated');
    await updateMedium(tx, medium, nowMs, { state: 'rotating', pendingGen: gen, balanceMinor: balanceAfterMinor, lastSeq: seq });
    return { status: 'done', file, balanceMinor: balanceAfterMinor, usage };
  }

  private async useAgain(tx: Tx, medium: MediumRow, u: UsageRow, req: UseRequest): Promise<UseResult | Refusal> {
    if (u.mediumId !== medium.id || u.kind !== req.kind || u.payee !== req.payee || u.amountMinor !== req.amountMinor) {
      return refusal('PREPAID_REQUEST_ID_REUSED', 'this request id was used for another use', { requestId: req.requestId });
    }
    const usage = usageOf(u);
    // Its generation still pending (the reply was lost, or the write tore): the same file again.
    const file = medium.pendingGen === u.gen ? await fileAgain(tx, this.rc, medium, (await loadGeneration(tx, medium.id, u.gen))!) : null;
    return { status: 'repeated', file, balanceMinor: u.balanceAfterMinor, usage };
  }

  // ------------------------------------------------------------------ confirm, balance

  /** The medium shows the generation it holds: a pending one is confirmed (S43). */
  async confirm(shown: Shown, source: string): Promise<ConfirmResult> {
    return this.run(shown, await this.admit(shown, CHANNEL_OP.CONFIRM), source, async (tx, medium, confirmed) => {
      if (confirmed) faultPoint('prepaid.confirm.erased'); // the old generation's key and password erased, not committed
      return this.confirmResult(tx, medium, confirmed);
    }).then((r) => {
      if (r.status === 'confirmed') faultPoint('prepaid.confirm.committed');
      return r;
    });
  }

  /** Balance and usage records (the center's, ¶0038); confirms a pending generation shown like confirm(). */
  async balance(shown: Shown, source: string): Promise<BalanceResult> {
    return this.run(shown, await this.admit(shown, CHANNEL_OP.BALANCE), source, async (tx, medium, confirmed) => {
      const base = await this.confirmResult(tx, medium, confirmed);
      const usage = await USAGE_ROWS.all(tx, 'WHERE medium_id = ? ORDER BY seq DESC LIMIT ?', [medium.id, PREPAID_LIMITS.usageListMax]);
      return { ...base, usage: usage.map(usageOf) };
    });
  }

  private async confirmResult(tx: Tx, medium: MediumRow, confirmed: boolean): Promise<ConfirmResult> {
    const base = { mediumId: medium.id, balanceMinor: medium.balanceMinor, currency: medium.currency };
    if (medium.state === 'rotating') {
      const pending = (await loadGeneration(tx, medium.id, medium.pendingGen!))!;
      return { ...base, status: 'resume', generation: pending.gen, file: await fileAgain(tx, this.rc, medium, pending) };
    }
    return { ...base, status: confirmed ? 'confirmed' : 'current', generation: medium.confirmedGen };
  }

  // ------------------------------------------------------------------ the common frame

  /** Reads the file (or the proof's request) and asks the gates that need no lock: frozen or closed, the validity lists. */
  private async admit(given: Shown, op: ChannelOp, use?: UseRequest): Promise<ShownMedium> {
    const shown = isFile(given) ? shownFile(readMediumFile(given)) : shownProof(this.proofRequest(given, op, use), given.proof);
    if (shown.issuerId !== this.config.issuerId) throw prepaidError('PREPAID_FOREIGN_ISSUER', 'the medium was issued by another prepaid center', { issuerId: shown.issuerId });
    const id = shown.mediumId;
    const medium = await this.storage.read((q) => loadMedium(q, id));
    if (medium?.state === 'frozen' || medium?.state === 'closed') throw prepaidError('PREPAID_MEDIUM_FROZEN', `the medium is ${medium.state}`, { mediumId: id });
    if (medium && this.validity) {
      const judged = await this.validity.gate.check({ medium: { kind: PREPAID_MEDIUM_KIND.name, id } }, { capture: false });
      if (!judged.ok) throw prepaidError('PREPAID_MEDIUM_BLOCKED', `the validity lists refuse the medium (${judged.reason})`, { mediumId: id, reason: judged.reason });
    }
    return shown;
  }

  /** The canonical request a proof covers (PROTOCOL.md §6.4). */
  private proofRequest(p: MediumProof, op: ChannelOp, use?: UseRequest): ChannelRequest {
    checkId(p.requestId, 'shown.requestId');
    checkId(p.mediumId, 'shown.mediumId');
    if (!Number.isInteger(p.generation) || p.generation < 1 || p.generation > 0xffffffff) throw prepaidError('PREPAID_BAD_REQUEST', 'shown.generation: u32 >= 1', { field: 'shown.generation' });
    if (!Buffer.isBuffer(p.proof) || p.proof.length !== 16) throw prepaidError('PREPAID_BAD_REQUEST', 'shown.proof: 16 bytes', { field: 'shown.proof' });
    const service = use === undefined ? CHANNEL_SERVICE.NONE : use.kind === 'vendor' ? CHANNEL_SERVICE.VENDOR : CHANNEL_SERVICE.PROVIDER_FEE;
    return {
      op, requestId: Buffer.from(p.requestId, 'hex'), issuerId: p.issuerId, mediumId: Buffer.from(p.mediumId, 'hex'), generation: p.generation,
      service, payee: use?.payee ?? '', amountMinor: use?.amountMinor ?? 0, currency: use?.currency ?? '',
    };
  }

  /** A file answered to a proof goes back sealed to the holder of the file shown, never in clear. */
  private sealed<T extends { readonly file?: Buffer | null }>(given: Shown, digest: Buffer, out: T): T {
    if (isFile(given) || !out.file) return out;
    const generation = readMediumFile(out.file).generation;
    const sealedFile = sealReplyFile(channelKeys(digest), Buffer.from(given.requestId, 'hex'), generation, out.file, this.random.bytes(12));
    return { ...out, file: null, sealedFile };
  }

  /**
   * One unit under the medium's lock: present the file; a clone is frozen
   * (committed, then refused); a pending generation shown is confirmed
   * first; then `step` runs on the medium as now stored.
   */
  private async run<T extends { readonly file?: Buffer | null }>(
    given: Shown,
    shown: ShownMedium,
    source: string,
    step: (tx: Tx, medium: MediumRow, confirmed: boolean) => Promise<T | Refusal>,
    replayed?: (tx: Tx, medium: MediumRow) => Promise<T | undefined>,
  ): Promise<T> {
    let digest: Buffer = Buffer.alloc(0);
    const out = await this.storage.transact(async (tx): Promise<T | Refusal> => {
      const p = await present(tx, this.rc, shown);
      digest = p.digest;
      if (p.kind === 'clone') {
        // A request booked before, repeated with the file it was made with (a replay, a late retry): its answer, no freeze.
        const replay = await replayed?.(tx, p.medium);
        if (replay !== undefined) return replay;
        await freeze(tx, this.rc, p.medium, p.presentedGen, source);
        return refusal('PREPAID_CLONE_REFUSED', 'a superseded generation was presented: the medium is frozen', { mediumId: p.medium.id, generation: p.presentedGen });
      }
      const medium = p.kind === 'pending' ? await confirmPending(tx, this.rc, p.medium, p.gen) : p.medium;
      return step(tx, medium, p.kind === 'pending');
    });
    if (isRefusal(out)) {
      if (out.refuse === 'PREPAID_CLONE_REFUSED') await this.markFrozen(String(out.details['mediumId']));
      throw new TesseraError(out.refuse, out.message, out.details);
    }
    return this.sealed(given, digest, out);
  }

  /** The frozen medium on the validity lists (`captured`), so every flow refuses it. */
  private async markFrozen(mediumId: string): Promise<void> {
    if (!this.validity) return;
    try {
      await this.validity.repository.captureMedium(mediumId);
    } catch (e) {
      // The prepaid center refuses it anyway (its own row is frozen); the operator sees the line.
      this.log.warn({ mediumId, err: (e as { code?: string }).code ?? 'INTERNAL' }, 'prepaid medium frozen but not marked on the validity lists');
    }
  }

  // ------------------------------------------------------------------ recovery (operator)

  /**
   * The operator's recovery of a frozen medium (docs/PREPAID.md, "Recovery"):
   * the balance the center holds moves to a replacement medium (generation 1
   * pending, to be written and confirmed like an issue); the frozen medium
   * is closed and its keys erased. Idempotent by request id.
   */
  async recover(req: RecoverRequest): Promise<IssueResult> {
    checkId(req.requestId, 'requestId');
    checkId(req.mediumId, 'mediumId');
    checkPayee(req.operator, 'operator');
    const again = await this.storage.read((q) => USAGE_ROWS.get(q, 'WHERE request_id = ?', [req.requestId]));
    if (again) return this.issueAgain(again, { kind: 'recovery', payee: recoveryPayee(req.mediumId), mediumId: req.newMediumId });
    const newId = req.newMediumId ?? this.random.bytes(16).toString('hex');
    checkId(newId, 'newMediumId');
    const out = await this.storage.transact(async (tx) => {
      const old = await loadMedium(tx, req.mediumId, tx.forUpdate);
      if (!old) return refusal('PREPAID_MEDIUM_UNKNOWN', 'no medium with this id', { mediumId: req.mediumId });
      if (old.state !== 'frozen') return refusal('PREPAID_RECOVERY_REFUSED', `the medium is ${old.state}`, { mediumId: req.mediumId });
      const nowMs = this.clock.nowMs();
      const file = await this.createMedium(tx, { mediumId: newId, requestId: req.requestId, balanceMinor: old.balanceMinor, kind: 'recovery', payee: recoveryPayee(req.mediumId) });
      await ensureAccounts(tx, this.ledger, accountsFor(this.config.currency, { mediumId: newId }));
      if (old.balanceMinor > 0) await applyMoves(tx, this.ledger, [move('RECOVERED', req.requestId, mediumAccount(old.id), mediumAccount(newId), old.balanceMinor, this.config.currency)]);
      await updateMedium(tx, old, nowMs, { state: 'closed', balanceMinor: 0, frozenReason: `${old.frozenReason ?? 'frozen'}; recovered to ${newId} by ${req.operator}` });
      await this.keys.eraseAll(tx, old.id, nowMs);
      await tx.run('UPDATE prepaid_passwords SET verifier = NULL WHERE medium_id = ?', [old.id]);
      await this.registerMedium(tx, newId);
      this.log.info({ mediumId: old.id, newMediumId: newId, operator: req.operator }, 'prepaid medium recovered');
      return { status: 'done' as const, mediumId: newId, balanceMinor: old.balanceMinor, file };
    });
    if (isRefusal(out)) throw new TesseraError(out.refuse, out.message, out.details);
    return out;
  }

  /**
   * The operator's freeze of a medium for review (docs/PREPAID.md,
   * "Recovery procedure"): a holder reports the medium lost or stolen, or
   * the operator suspects a copy that was not caught. The medium id is
   * refused everywhere from the commit (its own row frozen, the validity
   * lists `captured` after it, as for a caught clone); its balance is kept
   * for the recovery. A pending generation stays as it is (its use was
   * booked). Freezing a frozen medium answers `frozen-already` and keeps the
   * first reason; a closed one is refused (PREPAID_MEDIUM_FROZEN).
   */
  async freeze(req: FreezeRequest): Promise<FreezeResult> {
    checkId(req.mediumId, 'mediumId');
    checkPayee(req.operator, 'operator');
    const reason = req.reason.trim();
    if (reason.length < 3 || reason.length > PREPAID_LIMITS.freezeReasonCharsMax) throw prepaidError('PREPAID_BAD_REQUEST', `reason: 3-${PREPAID_LIMITS.freezeReasonCharsMax} characters`, { field: 'reason' });
    const out = await this.storage.transact(async (tx): Promise<FreezeResult | Refusal> => {
      const m = await loadMedium(tx, req.mediumId, tx.forUpdate);
      if (!m) return refusal('PREPAID_MEDIUM_UNKNOWN', 'no medium with this id', { mediumId: req.mediumId });
      if (m.state === 'closed') return refusal('PREPAID_MEDIUM_FROZEN', 'the medium is closed (its value was recovered already)', { mediumId: m.id });
      const view = (x: MediumRow, status: FreezeResult['status']): FreezeResult => ({
        status, mediumId: x.id, balanceMinor: x.balanceMinor, currency: x.currency, confirmedGen: x.confirmedGen, pendingGen: x.pendingGen, frozenReason: x.frozenReason ?? '',
      });
      if (m.state === 'frozen') return view(m, 'frozen-already');
      const frozenReason = `frozen by operator ${req.operator}: ${reason}`;
      await updateMedium(tx, m, this.clock.nowMs(), { state: 'frozen', frozenReason });
      this.log.warn({ mediumId: m.id, operator: req.operator, was: m.state }, 'prepaid medium frozen by the operator');
      return view({ ...m, frozenReason }, 'frozen');
    });
    if (isRefusal(out)) throw new TesseraError(out.refuse, out.message, out.details);
    // Also on a repeat: a mark a crash missed after the first freeze's commit is made now.
    await this.markFrozen(out.mediumId);
    return out;
  }

  /**
   * Marks every frozen or closed medium `captured` on the validity lists
   * (the mark after a freeze is best effort: a crash between the commit and
   * it, or the lists unreachable, leave it to this pass). Run at open.
   */
  async reconcileFrozen(): Promise<number> {
    const repository = this.validity?.repository;
    if (!repository) return 0;
    const rows = await this.storage.read((q) => q.all<{ id: string }>(
      "SELECT p.id AS id FROM prepaid_media p JOIN media m ON m.id = p.id WHERE p.state IN ('frozen','closed') AND m.status <> 'captured' LIMIT ?",
      [PREPAID_LIMITS.frozenListMax],
    ));
    for (const r of rows) await this.markFrozen(r.id);
    return rows.length;
  }

  /** Frozen media (for review), oldest first. */
  async frozen(): Promise<MediumRow[]> {
    return this.storage.read((q) => MEDIUM_ROWS.all(q, "WHERE state = 'frozen' ORDER BY updated_ms, id LIMIT ?", [PREPAID_LIMITS.frozenListMax]));
  }

  /** A medium's record (tests, admin). */
  async medium(id: string): Promise<MediumRow | undefined> {
    return this.storage.read((q) => loadMedium(q, id));
  }

  // ------------------------------------------------------------------ helpers

  private async insertUsage(tx: Tx, u: Omit<UsageRow, 'chain'>, prevChain: Buffer): Promise<void> {
    const chain = logChain(prevChain, logEntryOf({ ...u, chain: prevChain }));
    await tx.run(
      'INSERT INTO prepaid_usage (request_id, medium_id, seq, kind, payee, amount, balance_after, at_ms, chain, gen) VALUES (?,?,?,?,?,?,?,?,?,?)',
      [u.requestId, u.mediumId, u.seq, u.kind, u.payee, u.amountMinor, u.balanceAfterMinor, u.atMs, chain, u.gen],
    );
  }

  private checkAmount(amountMinor: number, currency: string): void {
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 1 || amountMinor > PREPAID_LIMITS.amountMinorMax) {
      throw prepaidError('PREPAID_BAD_REQUEST', `amountMinor: an integer 1-${PREPAID_LIMITS.amountMinorMax}`, { field: 'amountMinor' });
    }
    if (currency !== this.config.currency) throw prepaidError('PREPAID_BAD_REQUEST', `currency: ${this.config.currency}`, { field: 'currency' });
  }
}

const isFile = (s: Shown): s is Uint8Array => s instanceof Uint8Array;

const isRefusal = (x: unknown): x is Refusal => typeof x === 'object' && x !== null && 'refuse' in x;

function checkId(id: string, field: string): void {
  if (!REQUEST_ID.test(id)) throw prepaidError('PREPAID_BAD_REQUEST', `${field}: 32 lowercase hex chars`, { field });
}

function checkPayee(p: string, field: string): void {
  if (!PAYEE.test(p)) throw prepaidError('PREPAID_BAD_REQUEST', `${field}: 1-16 of [A-Z0-9-]`, { field });
}

/** The payee of a replacement's first entry: the frozen medium's first 16 hex, upper case (payees are 1-16 of [A-Z0-9-]). */
const recoveryPayee = (frozenId: string): string => frozenId.slice(0, 16).toUpperCase();

function usageOf(u: UsageRow): Usage {
  return { requestId: u.requestId, seq: u.seq, kind: u.kind, payee: u.payee, amountMinor: u.amountMinor, balanceAfterMinor: u.balanceAfterMinor, atMs: u.atMs, generation: u.gen };
}
