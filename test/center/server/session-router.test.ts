import { describe, expect, it } from 'vitest';
import { routeSessions, type CenterFlow } from '../../../center/server/session-router.js';
import type { SessionHandler, SessionInfo } from '../../../center/net/types.js';
import type { CenterResponse, TerminalRequest } from '../../../protocol/messages/types.js';
import { protoError } from '../../../protocol/errors.js';

const info = { terminalId: 'T-0001', remoteAddress: '127.0.0.1:1' } as SessionInfo;
const validity: TerminalRequest = { type: 'validityRequest', terminalId: 'T-0001', mediumId: Buffer.alloc(8, 1) };

/** A flow that answers with its own name in the NAK reason, so a test can see who served. */
function flow(handles: TerminalRequest['type'][], reason: 1 | 2): CenterFlow {
  return {
    handles,
    open: (): SessionHandler => ({
      onRequest: async (): Promise<CenterResponse> => ({ type: 'validityNak', reason, capture: false }),
      onClose: () => undefined,
    }),
  };
}

describe('session router', () => {
  it('refuses, when built, two flows that claim one request type (no silent take-over)', () => {
    expect(() => routeSessions([flow(['validityRequest', 'transactionRequest'], 1), flow(['chargeRequest', 'validityRequest'], 2)])).toThrow(
      expect.objectContaining({ code: 'CENTER_FLOW_TYPE_TAKEN', details: { type: 'validityRequest', flows: [0, 1] } }),
    );
  });

  it('hands each request to the one flow that serves it', async () => {
    const h = routeSessions([flow(['validityRequest'], 1), flow(['chargeRequest'], 2)])(info);
    expect(await h.onRequest(validity, { requestId: 1 })).toEqual({ type: 'validityNak', reason: 1, capture: false });
  });

  it('refuses a request no flow serves with a coded PROTO_UNEXPECTED_MESSAGE', async () => {
    const h = routeSessions([flow(['chargeRequest'], 2)])(info);
    await expect(h.onRequest(validity, { requestId: 1 })).rejects.toEqual(protoError('PROTO_UNEXPECTED_MESSAGE', 'no flow of this center serves the request', { request: 'validityRequest' }));
    await expect(h.onRequest(validity, { requestId: 1 })).rejects.toMatchObject({ code: 'PROTO_UNEXPECTED_MESSAGE', details: { request: 'validityRequest' } });
  });
});
