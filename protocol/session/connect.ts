/** Opens a TCP or TLS connection with TCP_NODELAY and a connect timeout (coded errors). */
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Clock } from '../../core/clock.js';
import { protoError } from '../errors.js';

export interface PeerAddress {
  host: string;
  port: number;
  tls?: ConnectionOptions | undefined;
}

export function connectSocket(a: PeerAddress, clock: Clock, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s: Socket = a.tls ? tlsConnect({ ...a.tls, host: a.host, port: a.port }) : tcpConnect({ host: a.host, port: a.port });
    s.setNoDelay(true);
    const timer = clock.setTimer(timeoutMs, () => {
      s.destroy();
      reject(protoError('PROTO_TIMEOUT', 'connect timed out', { host: a.host, port: a.port }));
    });
    s.once(a.tls ? 'secureConnect' : 'connect', () => {
      timer.cancel();
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      timer.cancel();
      reject(protoError('PROTO_CLOSED', 'connect failed', { host: a.host, port: a.port, errno: e.code }));
    });
  });
}

