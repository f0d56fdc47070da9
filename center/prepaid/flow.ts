/**
 * The prepaid center's CenterFlow (PROTOCOL.md §6.4): serves PREPAID_REQUEST
 * (a use, a balance) and PREPAID_CONFIRM on the sessions of the provider
 * centers registered with it (the `providers` of the prepaid section: their
 * terminal ids). Any other terminal is refused PREPAID_NOT_A_PROVIDER. Every
 * refusal of the Prepaid api is a *_RESULT with its 0x04xx code, never an
 * ERROR frame; an unexpected failure is an ERROR (the provider retries with
 * the same request id: every call is idempotent by it).
 */
import { TesseraError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { PREPAID_SERVICE, PREPAID_STATUS, type PrepaidStatus } from '../../protocol/codes.js';
import { protoError } from '../../protocol/errors.js';
import type { PrepaidConfirm, PrepaidConfirmResult, PrepaidRequest, PrepaidResult, PrepaidShown, TerminalRequest } from '../../protocol/messages/types.js';
import type { SessionHandler, SessionInfo } from '../net/types.js';
import type { CenterFlow } from '../server/session-router.js';
import type { BalanceResult, ConfirmResult, Prepaid, Shown, UseResult } from './prepaid.js';
import { PREPAID_RESULT_CODES } from './result-codes.js';

export interface PrepaidFlowDeps {
  readonly prepaid: Prepaid;
  /** This prepaid center's issuer id: the proofs relayed cover it (the wire does not carry it). */
  readonly issuerId: number;
  /** Is this terminal a provider center of this prepaid center? */
  readonly isProvider: (terminalId: string) => boolean;
  readonly log?: Logger;
}

type Answer = Omit<PrepaidResult, 'type'>;

export function prepaidFlow(d: PrepaidFlowDeps): CenterFlow {
  const log = d.log ?? silentLogger;
  const refused = (transactionId: Buffer, code: keyof typeof PREPAID_RESULT_CODES, terminalId: string, details: Record<string, unknown>): Answer => {
    log.warn({ terminalId, code, requestId: transactionId.toString('hex'), ...details }, 'prepaid request refused');
    return { transactionId, status: PREPAID_STATUS.REFUSED, resultCode: PREPAID_RESULT_CODES[code] };
  };

  /** Runs one api call; a coded refusal becomes its RESULT_CODE. */
  async function answer(terminalId: string, transactionId: Buffer, call: () => Promise<Answer>): Promise<Answer> {
    if (!d.isProvider(terminalId)) return refused(transactionId, 'PREPAID_NOT_A_PROVIDER', terminalId, {});
    try {
      return await call();
    } catch (e) {
      if (e instanceof TesseraError && e.code in PREPAID_RESULT_CODES) {
        return refused(transactionId, e.code as keyof typeof PREPAID_RESULT_CODES, terminalId, { reason: e.message });
      }
      throw e;
    }
  }

  const shownOf = (m: PrepaidShown, requestId: Buffer): Shown =>
    m.prepaidInfo !== undefined
      ? m.prepaidInfo
      : { issuerId: d.issuerId, mediumId: m.mediumId.toString('hex'), generation: m.generation, requestId: requestId.toString('hex'), proof: m.mediumProof };

  async function request(terminalId: string, m: PrepaidRequest): Promise<PrepaidResult> {
    const a = await answer(terminalId, m.transactionId, async () => {
      const shown = shownOf(m, m.transactionId);
      if (m.service === PREPAID_SERVICE.BALANCE) return confirmAnswer(m.transactionId, await d.prepaid.balance(shown, terminalId));
      const fee = m.service === PREPAID_SERVICE.USAGE_CHARGE;
      // A provider charges its usage fee only to itself; a vendor service names its vendor.
      if (fee && m.vendorId !== undefined && m.vendorId !== terminalId) throw new TesseraError('PREPAID_NOT_A_PROVIDER', 'a provider charges its fee only to itself', { vendorId: m.vendorId });
      const payee = fee ? terminalId : m.vendorId;
      if (payee === undefined) throw new TesseraError('PREPAID_BAD_REQUEST', 'a vendor service names its vendor (VENDOR_ID)', { field: 'vendorId' });
      const r = await d.prepaid.use({
        requestId: m.transactionId.toString('hex'), shown, kind: fee ? 'provider-fee' : 'vendor', payee,
        amountMinor: m.amountMinor, currency: m.currency, source: terminalId,
      });
      return useAnswer(m.transactionId, r);
    });
    return { type: 'prepaidResult', ...a };
  }

  async function confirm(terminalId: string, m: PrepaidConfirm): Promise<PrepaidConfirmResult> {
    const a = await answer(terminalId, m.transactionId, async () => confirmAnswer(m.transactionId, await d.prepaid.confirm(shownOf(m, m.transactionId), terminalId)));
    const { receipt: _r, ...rest } = a;
    return { type: 'prepaidConfirmResult', ...rest };
  }

  return {
    handles: ['prepaidRequest', 'prepaidConfirm'],
    open: (info: SessionInfo): SessionHandler => ({
      onRequest: (req: TerminalRequest) => {
        if (req.type === 'prepaidRequest') return request(info.terminalId, req);
        if (req.type === 'prepaidConfirm') return confirm(info.terminalId, req);
        return Promise.reject(protoError('PROTO_UNEXPECTED_MESSAGE', 'the prepaid flow does not serve this request', { request: req.type }));
      },
      onClose: () => undefined,
    }),
  };
}

const USE_STATUS: Record<UseResult['status'], PrepaidStatus> = { done: PREPAID_STATUS.DONE, repeated: PREPAID_STATUS.REPEATED, resume: PREPAID_STATUS.RESUME };
const CONFIRM_STATUS: Record<ConfirmResult['status'], PrepaidStatus> = { confirmed: PREPAID_STATUS.CONFIRMED, current: PREPAID_STATUS.CURRENT, resume: PREPAID_STATUS.RESUME };

/** The file sent back: in clear to a medium shown by its file, sealed to one shown by a proof. */
function fileFields(r: { readonly file?: Buffer | null; readonly sealedFile?: Buffer }): Pick<Answer, 'prepaidInfo' | 'sealedFile'> {
  return { ...(r.file ? { prepaidInfo: r.file } : {}), ...(r.sealedFile ? { sealedFile: r.sealedFile } : {}) };
}

function useAnswer(transactionId: Buffer, r: UseResult): Answer {
  const base = { transactionId, status: USE_STATUS[r.status], resultCode: PREPAID_RESULT_CODES.OK, ...fileFields(r) };
  if (r.status === 'resume') return { ...base, generation: r.generation };
  return { ...base, balanceMinor: r.balanceMinor, generation: r.usage.generation };
}

function confirmAnswer(transactionId: Buffer, r: ConfirmResult | BalanceResult): Answer {
  return { transactionId, status: CONFIRM_STATUS[r.status], resultCode: PREPAID_RESULT_CODES.OK, ...fileFields(r), balanceMinor: r.balanceMinor, generation: r.generation };
}
