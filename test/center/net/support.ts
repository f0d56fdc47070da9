import { afterEach } from 'vitest';
import { CenterServer, type SessionHandler, type SessionInfo } from '../../../center/net/index.js';
import type { CenterResponse, TerminalRequest } from '../../../protocol/messages/types.js';
import { RawPeer } from '../../protocol/support/raw-peer.js';

export const KEY = Buffer.alloc(32, 0x42);
export const TID = 'T-0001';
export const lookup = async (id: string): Promise<Buffer | undefined> => (id === TID || id === 'T-0002' ? KEY : undefined);

/** A small flow of the kind later issues write: early ACK, then the transaction on the same session. */
export class EchoFlow implements SessionHandler {
  readonly seen: TerminalRequest[] = [];
  closedWith: string | undefined;
  constructor(readonly info: SessionInfo, private readonly hooks: Partial<{ onRequest: (r: TerminalRequest) => Promise<CenterResponse> | undefined }> = {}) {}
  async onRequest(req: TerminalRequest): Promise<CenterResponse> {
    this.seen.push(req);
    const hooked = this.hooks.onRequest?.(req);
    if (hooked) return hooked;
    switch (req.type) {
      case 'validityRequest':
        return req.mediumId[0] === 0xff ? { type: 'validityNak', reason: 0x03, capture: true } : { type: 'validityEarlyAck', pending: 0x01 };
      case 'transactionRequest':
        return { type: 'transactionResult', transactionId: req.transactionId, status: 0, resultCode: 0 };
      case 'settleRequest':
        return { type: 'awaitCallback', token: Buffer.alloc(16, 0xee), waitMs: 5000 };
      default:
        throw new Error(`not served: ${req.type}`);
    }
  }
  onClose(reason: { code: string }): void {
    this.closedWith = reason.code;
  }
}

export async function startCenter(extra: Partial<ConstructorParameters<typeof CenterServer>[0]> = {}) {
  const flows: EchoFlow[] = [];
  const server = new CenterServer({
    lookupKey: lookup,
    onSession: (info) => {
      const f = new EchoFlow(info);
      flows.push(f);
      return f;
    },
    ...extra,
  });
  const addr = await server.listen(0);
  return { server, port: addr.port, flows };
}

/**
 * Centers and raw peers that close after each test (in reverse order), for
 * the listener and session tests; `cleanups` takes anything else to undo.
 */
export function netFixtures() {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    cleanups,
    async center(extra: Parameters<typeof startCenter>[0] = {}) {
      const c = await startCenter(extra);
      cleanups.push(() => c.server.close());
      return c;
    },
    async peer(port: number): Promise<RawPeer> {
      const p = await RawPeer.connect(port);
      cleanups.push(() => p.close());
      return p;
    },
  };
}
