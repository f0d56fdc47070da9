/**
 * The provider center's service (seed 000, PROTOCOL.md §6.4): takes a PC's
 * use / confirm / balance, records it before anything is relayed, relays it
 * to the prepaid center as PREPAID_REQUEST / PREPAID_CONFIRM, records the
 * answer (every refusal with its code) and answers the PC. Idempotent by the
 * PC's request id: an answered id is answered from its record without going
 * to the prepaid center; an id still `relaying` (the provider was killed, or
 * the center did not answer) is relayed again with the same id, which the
 * prepaid center answers from its own records (never twice).
 */
import type { ProviderAnswer, ProviderInfo } from '../../protocol/prepaid/provider-api.js';
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { faultPoint } from '../../core/fault-points.js';
import type { Logger } from '../../core/log.js';
import { PREPAID_SERVICE, PREPAID_STATUS } from '../../protocol/codes.js';
import type { PrepaidConfirmResult, PrepaidResult, RequestMessage } from '../../protocol/messages/types.js';
import { PREPAID_RESULT_CODES } from '../prepaid/result-codes.js';
import type { Storage } from '../storage/types.js';
import type { PrepaidLink } from './prepaid-link.js';
import { REQUEST_ROWS, REQUEST_STATES, providerMigrations, type RequestOp, type RequestRow } from './schema.js';

export interface MediumShownBody {
  /** 32 hex: fresh per request; the idempotency key PC → provider → prepaid center. */
  readonly requestId: string;
  readonly issuerId: number;
  /** 32 hex. */
  readonly mediumId: string;
  readonly generation: number;
  /** base64 of the 16-byte proof (PROTOCOL.md §6.4). */
  readonly proof: string;
}
export interface UseBody extends MediumShownBody {
  readonly service: 'vendor' | 'provider-fee';
  /** A vendor's sale: a shareware registration (default) or goods. */
  readonly goods?: boolean | undefined;
  readonly payee: string;
  readonly amountMinor: number;
  readonly currency: string;
}

export type { ProviderAnswer, ProviderInfo } from '../../protocol/prepaid/provider-api.js';

export interface ProviderDeps {
  readonly storage: Storage;
  readonly link: PrepaidLink;
  readonly info: ProviderInfo;
  readonly clock: Clock;
  readonly log: Logger;
}

const CODE_NAMES = new Map<number, string>(Object.entries(PREPAID_RESULT_CODES).map(([k, v]) => [v, k]));
const USE_STATUS = new Map<number, ProviderAnswer['status']>([[PREPAID_STATUS.DONE, 'done'], [PREPAID_STATUS.REPEATED, 'repeated'], [PREPAID_STATUS.RESUME, 'resume'], [PREPAID_STATUS.REFUSED, 'refused']]);
const CONFIRM_STATUS = new Map<number, ProviderAnswer['status']>([[PREPAID_STATUS.CONFIRMED, 'confirmed'], [PREPAID_STATUS.CURRENT, 'current'], [PREPAID_STATUS.RESUME, 'resume'], [PREPAID_STATUS.REFUSED, 'refused']]);

export class ProviderService {
  private constructor(private readonly d: ProviderDeps) {}

  static async open(d: ProviderDeps): Promise<ProviderService> {
    await d.storage.migrate(providerMigrations);
    return new ProviderService(d);
  }

  get info(): ProviderInfo {
    return this.d.info;
  }

  use(b: UseBody): Promise<ProviderAnswer> {
    return this.serve('use', b, { service: b.service === 'provider-fee' ? 'provider-fee' : b.goods ? 'goods' : 'vendor', payee: b.payee, amountMinor: b.amountMinor, currency: b.currency });
  }

  confirm(b: MediumShownBody): Promise<ProviderAnswer> {
    return this.serve('confirm', b, { service: 'none', payee: '', amountMinor: 0, currency: this.d.info.currency });
  }

  balance(b: MediumShownBody): Promise<ProviderAnswer> {
    return this.serve('balance', b, { service: 'none', payee: '', amountMinor: 0, currency: this.d.info.currency });
  }

  /** A request's record (tests, the operator). */
  async record(requestId: string): Promise<RequestRow | undefined> {
    return this.d.storage.read((q) => REQUEST_ROWS.get(q, 'WHERE id = ?', [requestId]));
  }

  /** Every refusal recorded, newest first. */
  async refusals(limit = 100): Promise<RequestRow[]> {
    return this.d.storage.read((q) => REQUEST_ROWS.all(q, "WHERE status = 'refused' ORDER BY created_ms DESC, id LIMIT ?", [limit]));
  }

  private async serve(op: RequestOp, b: MediumShownBody, s: { service: string; payee: string; amountMinor: number; currency: string }): Promise<ProviderAnswer> {
    const fingerprint = createHash('sha256').update(JSON.stringify([op, b.requestId, b.issuerId, b.mediumId, b.generation, b.proof, s.service, s.payee, s.amountMinor, s.currency])).digest('hex');
    const nowMs = this.d.clock.nowMs();
    const local = this.localRefusal(op, b, s);
    const row = await this.d.storage.transact(async (tx) => {
      const prior = await REQUEST_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [b.requestId]);
      if (prior) return prior;
      const first = local ? 'answered' : 'relaying';
      REQUEST_STATES.check(null, first);
      const answer = local ? JSON.stringify(local) : null;
      await tx.run(
        `INSERT INTO provider_requests (id, op, fingerprint, medium_id, generation, service, payee, amount, currency, state, status, code, answer, attempts, created_ms, updated_ms)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING`,
        [b.requestId, op, fingerprint, b.mediumId, b.generation, s.service, s.payee, s.amountMinor, s.currency, first, local?.status ?? null, local?.code ?? null, answer, 0, nowMs, nowMs],
      );
      return REQUEST_ROWS.get(tx, 'WHERE id = ?', [b.requestId]);
    });
    if (!row || row.fingerprint !== fingerprint) {
      throw new TesseraError('PROVIDER_REQUEST_ID_REUSED', 'this request id was recorded for another request', { requestId: b.requestId });
    }
    if (row.state === 'answered') {
      if (local) this.d.log.warn({ requestId: b.requestId, code: local.code }, 'prepaid request refused by the provider');
      return JSON.parse(row.answer!) as ProviderAnswer;
    }
    return this.relay(op, b, s);
  }

  /** What the provider refuses itself, recorded like the center's refusals: another issuer's medium, a fee that is not its fee. */
  private localRefusal(op: RequestOp, b: MediumShownBody, s: { service: string; payee: string; amountMinor: number; currency: string }): ProviderAnswer | undefined {
    const refuse = (code: string): ProviderAnswer => ({ requestId: b.requestId, status: 'refused', code });
    if (b.issuerId !== this.d.info.issuerId) return refuse('PREPAID_FOREIGN_ISSUER');
    if (op !== 'use') return undefined;
    if (s.currency !== this.d.info.currency) return refuse('PREPAID_BAD_REQUEST');
    if (s.service === 'provider-fee') {
      if (this.d.info.feeMinor === null) return refuse('PROVIDER_NO_FEE');
      if (s.amountMinor !== this.d.info.feeMinor || s.payee !== this.d.info.providerId) return refuse('PROVIDER_FEE_MISMATCH');
    }
    return undefined;
  }

  private async relay(op: RequestOp, b: MediumShownBody, s: { service: string; payee: string; amountMinor: number; currency: string }): Promise<ProviderAnswer> {
    const transactionId = Buffer.from(b.requestId, 'hex');
    const shown = { mediumId: Buffer.from(b.mediumId, 'hex'), generation: b.generation, mediumProof: Buffer.from(b.proof, 'base64') };
    const service = s.service === 'provider-fee' ? PREPAID_SERVICE.USAGE_CHARGE : s.service === 'goods' ? PREPAID_SERVICE.GOODS : s.service === 'vendor' ? PREPAID_SERVICE.SHAREWARE_REGISTRATION : PREPAID_SERVICE.BALANCE;
    const m: RequestMessage =
      op === 'confirm'
        ? { type: 'prepaidConfirm', transactionId, ...shown }
        : { type: 'prepaidRequest', transactionId, amountMinor: s.amountMinor, currency: s.currency, ...shown, service, ...(op === 'use' && { vendorId: s.payee }) };
    await this.d.storage.transact((tx) => tx.run('UPDATE provider_requests SET attempts = attempts + 1, updated_ms = ? WHERE id = ?', [this.d.clock.nowMs(), b.requestId]));
    faultPoint(`provider.recorded.${op}`); // test hooks (core/fault-points.ts)
    const res = await this.d.link.request(m);
    if (faultPoint(`provider.relayed.${op}`) === 'drop') throw new TesseraError('PROVIDER_CENTER_UNREACHABLE', 'the prepaid center did not answer', { reason: 'fault point' });
    const expected = op === 'confirm' ? 'prepaidConfirmResult' : 'prepaidResult';
    if (res.type !== expected || !(res as PrepaidResult).transactionId.equals(transactionId)) {
      throw new TesseraError('PROVIDER_CENTER_ANSWER_INVALID', 'the prepaid center answered another message', { requestId: b.requestId, got: res.type });
    }
    const answer = answerOf(b.requestId, op, res as PrepaidResult | PrepaidConfirmResult);
    await this.d.storage.transact(async (tx) => {
      const row = await REQUEST_ROWS.get(tx, `WHERE id = ?${tx.forUpdate}`, [b.requestId]);
      if (!row || row.state !== 'relaying') return; // answered meanwhile by a concurrent repeat: the first record stands
      REQUEST_STATES.check(row.state, 'answered');
      await tx.run("UPDATE provider_requests SET state = 'answered', status = ?, code = ?, answer = ?, updated_ms = ? WHERE id = ? AND state = 'relaying'", [answer.status, answer.code, JSON.stringify(answer), this.d.clock.nowMs(), b.requestId]);
    });
    faultPoint(`provider.answered.${op}`);
    if (answer.status === 'refused') this.d.log.warn({ requestId: b.requestId, op, mediumId: b.mediumId, code: answer.code }, 'prepaid request refused by the prepaid center');
    const rec = await this.record(b.requestId);
    return rec?.answer ? (JSON.parse(rec.answer) as ProviderAnswer) : answer;
  }
}

function answerOf(requestId: string, op: RequestOp, r: PrepaidResult | PrepaidConfirmResult): ProviderAnswer {
  const status = (op === 'use' ? USE_STATUS : CONFIRM_STATUS).get(r.status);
  if (status === undefined) throw new TesseraError('PROVIDER_CENTER_ANSWER_INVALID', 'the prepaid center answered a status this request does not have', { requestId, status: r.status });
  const code = r.resultCode === 0 ? 'OK' : (CODE_NAMES.get(r.resultCode) ?? `PREPAID_0x${r.resultCode.toString(16).padStart(4, '0')}`);
  const receipt = r.type === 'prepaidResult' ? r.receipt : undefined;
  return {
    requestId, status, code,
    ...(r.balanceMinor !== undefined && { balanceMinor: r.balanceMinor }),
    ...(r.generation !== undefined && { generation: r.generation }),
    ...(r.sealedFile !== undefined && { sealedFile: r.sealedFile.toString('base64') }),
    ...(receipt !== undefined && { receipt: receipt.toString('base64') }),
  };
}
