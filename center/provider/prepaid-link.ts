/**
 * The provider center's link to the prepaid center (PROTOCOL.md §6.4): it is
 * a registered terminal there, so it opens a session with its own terminal
 * key over the framed protocol (connect, the §4.1.1 handshake, MAC'd frames)
 * exactly as a terminal agent does, from the same protocol/session parts.
 * One session at a time, opened when a request needs it, tried over the
 * addresses in order; a request on a session that closes under it fails
 * PROVIDER_CENTER_UNREACHABLE and the PC repeats it with the same request id.
 */
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import { isProtocolError } from '../../protocol/errors.js';
import type { RequestMessage, ResponseMessage } from '../../protocol/messages/types.js';
import { Channel } from '../../protocol/session/channel.js';
import { connectSocket, type PeerAddress } from '../../protocol/session/connect.js';
import { terminalHandshake } from '../../protocol/session/handshake.js';
import { RpcSession } from '../../protocol/session/rpc.js';
import { PROVIDER_LIMITS } from './limits.js';

export interface PrepaidLinkOptions {
  readonly terminalId: string;
  readonly terminalKey: Buffer;
  readonly centers: readonly PeerAddress[];
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
}

export interface PrepaidLink {
  request(m: RequestMessage): Promise<ResponseMessage>;
  close(): Promise<void>;
}

export function prepaidLink(o: PrepaidLinkOptions): PrepaidLink {
  let live: RpcSession | undefined;
  let opening: Promise<RpcSession> | undefined;
  let closed = false;

  async function open(): Promise<RpcSession> {
    let last: unknown;
    for (const [i, addr] of o.centers.entries()) {
      try {
        const socket = await connectSocket(addr, o.clock, PROVIDER_LIMITS.sessionOpenTimeoutMs);
        socket.on('error', () => undefined);
        const ch = new Channel(socket, { clock: o.clock, logger: o.log });
        await terminalHandshake(ch, { terminalId: o.terminalId, terminalKey: o.terminalKey, random: o.random, timeoutMs: PROVIDER_LIMITS.sessionOpenTimeoutMs });
        const rpc = new RpcSession(ch, { clock: o.clock, acceptRequests: new Set(['ping']) });
        ch.onClose((reason) => {
          if (live === rpc) live = undefined;
          o.log.info({ code: reason.code }, 'prepaid center session closed');
        });
        o.log.info({ center: i }, 'prepaid center session open');
        return rpc;
      } catch (e) {
        last = e;
        const code = isProtocolError(e) ? e.code : 'INTERNAL';
        if (code === 'PROTO_AUTH_FAILED') o.log.error({ code, center: i, terminalId: o.terminalId }, 'the prepaid center refused this provider (wrong key file, or the terminal id is not registered there)');
        else o.log.warn({ code, center: i }, 'prepaid center session failed');
      }
    }
    throw unreachable(last);
  }

  async function session(): Promise<RpcSession> {
    if (closed) throw unreachable(undefined);
    if (live && !live.channel.isClosed) return live;
    opening ??= open().finally(() => (opening = undefined));
    live = await opening;
    return live;
  }

  return {
    async request(m) {
      // A session found closed before the request went out is opened again once.
      for (let attempt = 0; ; attempt++) {
        const s = await session();
        try {
          return await s.request(m, PROVIDER_LIMITS.relayTimeoutMs);
        } catch (e) {
          if (isProtocolError(e) && e.code === 'PROTO_CLOSED' && attempt === 0 && s.channel.isClosed) continue;
          throw unreachable(e);
        }
      }
    },
    async close() {
      closed = true;
      live?.close();
      live = undefined;
    },
  };
}

function unreachable(cause: unknown): TesseraError {
  const reason = isProtocolError(cause) ? cause.code : cause === undefined ? 'closed' : 'INTERNAL';
  return new TesseraError('PROVIDER_CENTER_UNREACHABLE', 'the prepaid center did not answer', { reason }, { cause });
}
