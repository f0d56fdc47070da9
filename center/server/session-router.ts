import { TesseraError } from '../../core/errors.js';
import { protoError, type ProtocolError } from '../../protocol/errors.js';
import type { CenterResponse, TerminalRequest } from '../../protocol/messages/types.js';
import type { OnSession, SessionHandler, SessionInfo } from '../net/types.js';

/** A flow serves some request types of a session (validity + transaction, e-money, vouchers, …). */
export interface CenterFlow {
  readonly handles: readonly TerminalRequest['type'][];
  open(info: SessionInfo): SessionHandler;
}

/**
 * One session handler per session that hands each request to the flow that
 * serves its type (each flow keeps its own per-session state, opened lazily).
 *
 * Built once, checked once: two flows claiming one request type is a
 * composition error (CENTER_FLOW_TYPE_TAKEN), as fastify refuses a duplicated
 * route; no flow silently takes over another's messages. A request no flow
 * serves is refused with PROTO_UNEXPECTED_MESSAGE, which the session answers
 * as a non-fatal ERROR (PROTOCOL.md §7): the session goes on.
 */
export function routeSessions(flows: readonly CenterFlow[]): OnSession {
  const byType = new Map<string, CenterFlow>();
  for (const [i, f] of flows.entries()) {
    for (const t of f.handles) {
      const owner = byType.get(t);
      if (owner !== undefined) {
        throw new TesseraError('CENTER_FLOW_TYPE_TAKEN', `two flows serve ${t}`, { type: t, flows: [flows.indexOf(owner), i] });
      }
      byType.set(t, f);
    }
  }
  return (info) => {
    const open = new Map<CenterFlow, SessionHandler>();
    return {
      onRequest(req: TerminalRequest, ctx): Promise<CenterResponse> {
        const flow = byType.get(req.type);
        if (!flow) return Promise.reject(protoError('PROTO_UNEXPECTED_MESSAGE', 'no flow of this center serves the request', { request: req.type }));
        let handler = open.get(flow);
        if (!handler) open.set(flow, (handler = flow.open(info)));
        return handler.onRequest(req, ctx);
      },
      onClose(reason: ProtocolError): void {
        for (const h of open.values()) h.onClose(reason);
      },
    };
  };
}
