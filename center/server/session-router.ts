import type { CenterResponse, TerminalRequest } from '../../protocol/messages/types.js';
import type { ProtocolError } from '../../protocol/errors.js';
import type { OnSession, SessionHandler, SessionInfo } from '../net/types.js';

/** A flow serves some request types of a session (validity + transaction, e-money, vouchers, …). */
export interface CenterFlow {
  readonly handles: readonly TerminalRequest['type'][];
  open(info: SessionInfo): SessionHandler;
}

/**
 * One session handler per session that hands each request to the flow that
 * serves its type (each flow keeps its own per-session state, opened lazily).
 */
export function routeSessions(flows: readonly CenterFlow[]): OnSession {
  const byType = new Map<string, CenterFlow>();
  for (const f of flows) for (const t of f.handles) byType.set(t, f);
  return (info) => {
    const open = new Map<CenterFlow, SessionHandler>();
    return {
      onRequest(req: TerminalRequest, ctx): Promise<CenterResponse> {
        const flow = byType.get(req.type);
        if (!flow) return Promise.reject(new Error(`no flow serves ${req.type}`));
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
