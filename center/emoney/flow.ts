/**
 * The e-money CenterFlow: serves CHARGE_REQUEST, CHARGE_ABANDON, EMONEY_ISSUE_REQUEST,
 * PURCHASE_UPLOAD and SETTLE_REQUEST on any authenticated session. Plugged
 * into createCenter through `deps.flows`.
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

export interface EmoneyFlowDeps {
  readonly storage: Storage;
  readonly config: EmoneyConfig;
  readonly clock: Clock;
  readonly charges: ChargeService;
  readonly settlements: SettlementService;
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

async function serve(d: EmoneyFlowDeps, info: SessionInfo, req: TerminalRequest): Promise<CenterResponse> {
  switch (req.type) {
    case 'chargeRequest':
      return { type: 'chargeResult', transactionId: req.transactionId, ...outcome(await charge(d, info, req)) };
    case 'chargeAbandon':
      return { type: 'chargeResult', transactionId: req.transactionId, ...outcome(await d.charges.abandon(info.terminalId, req)) };
    case 'emoneyIssueRequest': {
      const a = await d.charges.issue(req);
      return { type: 'emoneyIssueResult', transactionId: req.transactionId, ...outcome(a), ...(a.hostMac && { hostMac: a.hostMac }) };
    }
    case 'purchaseUpload':
      return { type: 'purchaseUploadAck', results: await upload(d, info.terminalId, req) };
    case 'settleRequest':
      return d.settlements.settle(info.terminalId, req);
    default:
      throw new Error(`e-money flow does not serve ${req.type}`);
  }
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
