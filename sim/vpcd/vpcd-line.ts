/**
 * The TCP line between a virtual card and vpcd, run in a worker thread.
 *
 * Why a thread: pcscd checks every slot holding a card about every 400 ms by
 * asking the card for its ATR, holding the vpcd driver's lock until the card
 * answers; SCardDisconnect and SCardReleaseContext take that lock, and the
 * smartcard binding makes them synchronous calls on the JS thread. When the
 * virtual card is served by the same JS thread as the PC/SC driver (tests,
 * the demo), a disconnect issued while such a check is pending waited for an
 * answer only the blocked thread could give: a deadlock (reproduced about 1
 * run in 28 of the card-reader contract suite under load). The worker owns the
 * socket and answers "get ATR" itself, so the check never needs the JS thread;
 * power changes and APDUs still go to the card's applet on the main thread,
 * in order.
 *
 * The worker is plain JavaScript evaluated from a string so that it runs the
 * same under tsx, vitest and the compiled dist/ (no loader for a .ts worker
 * file there). It holds no application logic: framing, one socket per line.
 */
import { Worker } from 'node:worker_threads';
import { assert } from '../../core/assert.js';
import { SIM_LIMITS } from '../limits.js';

const WORKER_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const net = require('node:net');
const GET_ATR = 4;
const lines = new Map();
function write(line, body) {
  if (line.closing || line.socket.destroyed) return;
  const m = Buffer.allocUnsafe(2 + body.length);
  m.writeUInt16BE(body.length, 0);
  m.set(body, 2);
  if (line.lowLatency) line.socket.write(m);
  else { line.socket.write(m.subarray(0, 2)); line.socket.write(m.subarray(2)); }
}
function onData(id, line, chunk) {
  const data = line.pending.length ? Buffer.concat([line.pending, chunk]) : chunk;
  let off = 0;
  while (data.length - off >= 2) {
    const n = data.readUInt16BE(off);
    if (data.length - off - 2 < n) break;
    const body = Buffer.from(data.subarray(off + 2, off + 2 + n));
    off += 2 + n;
    if (body.length === 1 && body[0] === GET_ATR) write(line, line.atr);
    else parentPort.postMessage({ ev: 'message', id, body });
  }
  line.pending = Buffer.from(data.subarray(off));
}
function open(m) {
  const socket = net.connect({ port: m.port, host: m.host, noDelay: m.lowLatency });
  const line = { socket, atr: Buffer.from(m.atr), lowLatency: m.lowLatency, pending: Buffer.alloc(0), closing: false };
  lines.set(m.id, line);
  socket.once('connect', () => parentPort.postMessage({ ev: 'connected', id: m.id }));
  socket.on('data', (chunk) => onData(m.id, line, chunk));
  socket.on('error', (e) => { parentPort.postMessage({ ev: 'error', id: m.id, message: String(e && e.code || e) }); socket.destroy(); });
  socket.on('close', () => { lines.delete(m.id); parentPort.postMessage({ ev: 'closed', id: m.id }); });
}
parentPort.on('message', (m) => {
  const line = lines.get(m.id);
  if (m.op === 'open') open(m);
  else if (m.op === 'send' && line) write(line, Buffer.from(m.body));
  else if (m.op === 'close' && line) { line.closing = true; line.socket.destroy(); }
});
`;

type FromWorker =
  | { ev: 'connected'; id: number }
  | { ev: 'message'; id: number; body: Uint8Array }
  | { ev: 'error'; id: number; message: string }
  | { ev: 'closed'; id: number };

export interface VpcdLineHandlers {
  /** A vpcd message other than "get ATR" (power controls, APDUs), in arrival order. */
  onMessage(body: Buffer): void;
  /** The connection closed (removed, refused, or the driver went away). Called once. */
  onClosed(): void;
  /** The connection was established. */
  onConnected(): void;
  /** The connection failed before or after it was established (a close follows). */
  onError(message: string): void;
}

export interface VpcdLineOptions {
  readonly port: number;
  readonly host: string;
  readonly atr: Buffer;
  /** Nagle off and one write per message (false: the naive card, for the latency bench). */
  readonly lowLatency: boolean;
}

/** One card's connection to a vpcd slot, carried by the process's line worker. */
export class VpcdLine {
  constructor(private readonly host: LineHost, readonly id: number) {}

  send(body: Uint8Array): void {
    assert(body.length <= SIM_LIMITS.vpcdMessageBytesMax, 'vpcd message too long');
    this.host.post({ op: 'send', id: this.id, body });
  }

  close(): void {
    this.host.post({ op: 'close', id: this.id });
  }
}

/** The worker and the lines it carries (one per process, created on first use, never keeps the process alive). */
class LineHost {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly handlers = new Map<number, VpcdLineHandlers>();

  open(o: VpcdLineOptions, handlers: VpcdLineHandlers): VpcdLine {
    const id = this.nextId++;
    this.handlers.set(id, handlers);
    this.post({ op: 'open', id, port: o.port, host: o.host, atr: o.atr, lowLatency: o.lowLatency });
    return new VpcdLine(this, id);
  }

  post(message: Record<string, unknown>): void {
    this.ensureWorker().postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (m: FromWorker) => this.onWorkerMessage(m));
    worker.on('error', () => this.onWorkerGone(worker));
    worker.on('exit', () => this.onWorkerGone(worker));
    // After the listeners: a 'message' listener refs the worker's port again.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private onWorkerMessage(m: FromWorker): void {
    const h = this.handlers.get(m.id);
    if (!h) return;
    if (m.ev === 'message') h.onMessage(Buffer.from(m.body));
    else if (m.ev === 'connected') h.onConnected();
    else if (m.ev === 'error') h.onError(m.message);
    else {
      this.handlers.delete(m.id);
      h.onClosed();
    }
  }

  /** A dead worker took its sockets with it: every line it carried is closed. */
  private onWorkerGone(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const open = [...this.handlers.values()];
    this.handlers.clear();
    for (const h of open) {
      h.onError('line worker stopped');
      h.onClosed();
    }
  }
}

const host = new LineHost();

/** Opens a line to the vpcd slot listening on `port`; the handlers say what happens. */
export function openVpcdLine(o: VpcdLineOptions, handlers: VpcdLineHandlers): VpcdLine {
  return host.open(o, handlers);
}
