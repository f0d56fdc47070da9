/**
 * The HQ's CenterFlow: serves VOUCHER_ACTIVATE, VOUCHER_VOID and
 * VOUCHER_REVERSAL (PROTOCOL.md §6.5) on its tills' sessions; every refusal is
 * a VOUCHER_RESULT with a 0x05xx code, never an ERROR frame.
 */
import type { CenterResponse, TerminalRequest } from '../../protocol/messages/types.js';
import { protoError } from '../../protocol/errors.js';
import type { SessionHandler, SessionInfo } from '../net/types.js';
import type { CenterFlow } from '../server/session-router.js';
import type { HqService } from './hq-service.js';

export function hqFlow(hq: HqService): CenterFlow {
  return {
    handles: ['voucherActivate', 'voucherVoid', 'voucherReversal'],
    open: (info: SessionInfo): SessionHandler => ({
      onRequest: (req: TerminalRequest): Promise<CenterResponse> => {
        switch (req.type) {
          case 'voucherActivate':
            return hq.activate(info.terminalId, req);
          case 'voucherVoid':
            return hq.void(info.terminalId, req);
          case 'voucherReversal':
            return hq.reverse(info.terminalId, req);
          default:
            return Promise.reject(protoError('PROTO_UNEXPECTED_MESSAGE', 'the HQ flow does not serve this request', { request: req.type }));
        }
      },
      onClose: () => undefined,
    }),
  };
}
