/**
 * The e-money CenterFlow: serves CHARGE_REQUEST, CHARGE_ABANDON, EMONEY_ISSUE_REQUEST,
 * PURCHASE_UPLOAD and SETTLE_REQUEST on any authenticated session. Plugged
 * into the center by center/emoney/module.ts.
 */
import { STATUS, TAG } from '../../protocol/codes.js';
import { pinFromBlockFormat2 } from '../../protocol/crypto/seal.js';
import type { CenterResponse, ChargeRequest, PurchaseUpload, TerminalRequest } from '../../protocol/messages/types.js';
import type { SessionHandler, SessionInfo } from '../net/types.js';
import type { CenterFlow } from '../server/session-router.js';
import type { Storage } from '../storage/types.js';
import type { Answer, ChargeService } from './charge-service.js';
import type { EmoneyConfig } from './config.js';
import { classifyRecord, noteDebitEvidence } from './records.js';
import { RECORD_STATUS } from '../../protocol/codes.js';
import { resultCodeOf } from './result-codes.js';
import type { SettlementService } from './settlement.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { protoError } from '../../protocol/errors.js';
import type { ValidityGate } from '../validity/gate.js';
import { gateCode } from './gate.js';

export interface EmoneyFlowDeps {
  readonly storage: Storage;
  readonly config: EmoneyConfig;
  readonly clock: Clock;
  readonly charges: ChargeService;
  readonly settlements: SettlementService;
  readonly gate: ValidityGate;
  /** One warn line per gate refusal (the terminal gets the code in its answer). */
  readonly log?: Logger;
}

const outcome = (a: Answer) => ({ status: a.approved ? STATUS.APPROVED : STATUS.DECLINED, resultCode: resultCodeOf(a.code) });

export function emoneyFlow(d: EmoneyFlowDeps): CenterFlow {
  return {
    handles: ['chargeRequest', 'chargeAbandon', 'emoneyIssueRequest', 'purchaseUpload', 'settleRequest'],
    open: (info: SessionInfo): SessionHandler => ({
      onRequest: (req: TerminalRequest): Promise<CenterResponse> => serve(d, info, req),
      onClose: () => undefined,
    }),
  };
}

/**
 * Every request passes the general gate first: the terminal (and, for an
 * issue, the purse card) must be valid on the validity lists. A credit
 * confirmation is not gated: the card holds the e-money already, the receipt
 * only records a fact.
 */
async function serve(d: EmoneyFlowDeps, info: SessionInfo, req: TerminalRequest): Promise<CenterResponse> {
  switch (req.type) {
    case 'chargeRequest': {
      const refused = await gated(d, info.terminalId, req.type);
      return { type: 'chargeResult', transactionId: req.transactionId, ...outcome(refused ?? (await charge(d, info, req))) };
    }
    // A give-up is never gated: reversing money the bank took is always due.
    case 'chargeAbandon':
      return { type: 'chargeResult', transactionId: req.transactionId, ...outcome(await d.charges.abandon(info.terminalId, req)) };
    case 'emoneyIssueRequest': {
      const refused = req.creditReceipt ? null : await gated(d, info.terminalId, req.type, req.mediumId.toString('hex'));
      const a = refused ?? (await d.charges.issue(req));
      return { type: 'emoneyIssueResult', transactionId: req.transactionId, ...outcome(a), ...(a.hostMac && { hostMac: a.hostMac }) };
    }
    // Upload and settle answer a refusal in the protocol (RESULT_CODE in the ack, SETTLE_REFUSED), never an ERROR:
    // the shop keeps its records and is told why (PROTOCOL.md §6.3).
    case 'purchaseUpload': {
      const refused = await gated(d, info.terminalId, req.type);
      if (refused) return { type: 'purchaseUploadAck', results: [], resultCode: resultCodeOf(refused.code) };
      return { type: 'purchaseUploadAck', results: await upload(d, info.terminalId, req) };
    }
    case 'settleRequest': {
      const refused = await gated(d, info.terminalId, req.type);
      if (refused) return { type: 'settleRefused', resultCode: resultCodeOf(refused.code) };
      return d.settlements.settle(info.terminalId, req);
    }
    // The router gives this flow only the types in `handles`; anything else is refused as unserved, coded.
    default:
      throw protoError('PROTO_UNEXPECTED_MESSAGE', 'the e-money flow does not serve this request', { request: req.type });
  }
}

/** null when the gate lets the request through; otherwise the coded refusal. */
async function gated(d: EmoneyFlowDeps, terminalId: string, request: string, mediumId?: string): Promise<Answer | null> {
  const j = await d.gate.check({ terminalId, ...(mediumId !== undefined && { mediumId }) });
  if (j.ok) return null;
  const code = gateCode(j);
  d.log?.warn({ code, request, terminalId, reason: j.reason, ...(mediumId !== undefined && { mediumId }) }, 'e-money request refused by the validity lists');
  return { approved: false, code };
}

/** Unseals the PIN block for the bank call only: the PIN is never stored, logged or put in an error. */
async function charge(d: EmoneyFlowDeps, info: SessionInfo, req: ChargeRequest): Promise<Answer> {
  let pin: string;
  try {
    pin = pinFromBlockFormat2(info.sealer.open(TAG.PIN_BLOCK, req.pinBlock));
  } catch {
    return { approved: false, code: 'EMONEY_BAD_PIN_BLOCK' };
  }
  return d.charges.charge(info.terminalId, req, pin);
}

/** PURCHASE_UPLOAD: verified records are stored (so a later altered copy is recognised); nothing is paid. */
async function upload(d: EmoneyFlowDeps, terminalId: string, req: PurchaseUpload) {
  const nowMs = d.clock.nowMs();
  return d.storage.transact(async (tx) => {
    const ctx = { issuerMasterKey: d.config.issuerMasterKey, terminalId, batchId: null, nowMs };
    const results = [];
    for (const r of req.records) {
      const status = await classifyRecord(tx, r, ctx);
      if (status === RECORD_STATUS.ACCEPTED) await noteDebitEvidence(tx, r.mediumId.toString('hex'), r.cardCounter, nowMs);
      results.push({ mediumId: r.mediumId, cardCounter: r.cardCounter, status });
    }
    return results;
  });
}
