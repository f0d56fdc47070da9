/**
 * `npm run bench -- protocol [--json] [--connections N] [--requests N] [--ms N]`
 *
 * 1. Codec: encode + decode of representative message bodies (BER-TLV)
 *    against msgpackr packing + unpacking the same fields.
 * 2. Round trips: authenticated request/response over the real protocol on
 *    loopback (LinkClient → CenterServer, MAC'd frames) against a bare TCP
 *    echo of the same request size, same number of connections, each
 *    connection sequential. TCP_NODELAY on every socket.
 */
import { createServer, connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Packr } from 'msgpackr';
import { CenterServer } from '../center/net/server.js';
import { encodeFrame } from '../protocol/frame/encoder.js';
import { decodeBody, encodeBodyToBuffer } from '../protocol/messages/catalog.js';
import type { Message, TerminalRequest } from '../protocol/messages/types.js';
import { LinkClient } from '../terminal/link/link-client.js';

const KEY = Buffer.alloc(32, 7);
const medium = Buffer.from('0123456789abcdef', 'hex');
const record = (n: number) => ({ mediumId: medium, cardCounter: n, amountMinor: 150, currency: 'JPY', terminalId: 'SHOP-01', terminalNonce: Buffer.alloc(8, 1), cardMac: Buffer.alloc(8, 2) });
const SAMPLES: Message[] = [
  { type: 'validityRequest', terminalId: 'T-0001', mediumId: medium },
  { type: 'transactionRequest', transactionId: Buffer.alloc(16, 1), kind: 1, amountMinor: 1200, currency: 'JPY', content: [{ tag: 0x9f02, value: Buffer.from('000000001200', 'hex') }] },
  { type: 'transactionResult', transactionId: Buffer.alloc(16, 1), status: 0, resultCode: 0 },
  { type: 'purchaseUpload', records: [record(1), record(2), record(3)] },
];

function opsPerSec(ms: number, op: () => void): number {
  for (let i = 0; i < 2000; i++) op(); // warm-up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 200; i++) op();
    n += 200;
  }
  return Math.round((n / (performance.now() - start)) * 1000);
}

function codecBench(ms: number): { codecOpsPerSec: number; msgpackrOpsPerSec: number } {
  const codes = SAMPLES.map((m) => encodeFrame(m, { seq: 0, requestId: 0, response: false })[3] as number);
  let i = 0;
  const codecOpsPerSec = opsPerSec(ms, () => {
    const k = i++ % SAMPLES.length;
    decodeBody(codes[k] as number, encodeBodyToBuffer(SAMPLES[k] as Message));
  });
  const packr = new Packr({ useRecords: false });
  let j = 0;
  const msgpackrOpsPerSec = opsPerSec(ms, () => {
    packr.unpack(packr.pack(SAMPLES[j++ % SAMPLES.length]));
  });
  return { codecOpsPerSec, msgpackrOpsPerSec };
}

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
}

async function protocolRtt(connections: number, requests: number): Promise<number[]> {
  const server = new CenterServer({
    lookupKey: async () => KEY,
    onSession: () => ({ onRequest: async () => ({ type: 'validityAck' }), onClose: () => undefined }),
    pingIntervalMs: 0,
  });
  const { port } = await server.listen(0);
  const clients = Array.from({ length: connections }, (_, i) => new LinkClient({ terminalId: `T-${i}`, terminalKey: KEY, centers: [{ host: '127.0.0.1', port }], pingIntervalMs: 0 }));
  clients.forEach((c) => c.start());
  const req: TerminalRequest = { type: 'validityRequest', terminalId: 'T-0', mediumId: medium };
  await Promise.all(clients.map((c) => c.request(req)));
  const rtts: number[] = [];
  await Promise.all(clients.map(async (c) => {
    for (let i = 0; i < requests; i++) {
      const t = performance.now();
      await c.request(req);
      rtts.push((performance.now() - t) * 1000);
    }
  }));
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
  return rtts;
}

async function echoRtt(connections: number, requests: number, size: number): Promise<number[]> {
  const server = createServer((s) => {
    s.setNoDelay(true);
    s.on('data', (d) => s.write(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const payload = Buffer.alloc(size, 0x5a);
  const one = async (): Promise<number[]> => {
    const s: Socket = await new Promise((r) => { const c = connect({ host: '127.0.0.1', port }, () => r(c)); });
    s.setNoDelay(true);
    const out: number[] = [];
    let got = 0;
    let done: () => void = () => undefined;
    s.on('data', (d: Buffer) => { got += d.length; if (got >= size) { got -= size; done(); } });
    for (let i = 0; i < requests; i++) {
      const t = performance.now();
      await new Promise<void>((r) => { done = r; s.write(payload); });
      out.push((performance.now() - t) * 1000);
    }
    s.destroy();
    return out;
  };
  const all = (await Promise.all(Array.from({ length: connections }, one))).flat();
  await new Promise<void>((r) => server.close(() => r()));
  return all;
}

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

export async function run(args: string[], report: (line: string) => void): Promise<Record<string, unknown>> {
  const connections = arg(args, 'connections', 4);
  const requests = arg(args, 'requests', 2000);
  const ms = arg(args, 'ms', 1000);
  const codec = codecBench(ms);
  report(`codec: ${codec.codecOpsPerSec} encode+decode/s vs msgpackr ${codec.msgpackrOpsPerSec}/s`);
  const reqSize = encodeFrame(SAMPLES[0] as Message, { seq: 1, requestId: 1, response: false, macKey: KEY }).length;
  const rtt = (await protocolRtt(connections, requests)).sort((a, b) => a - b);
  const echo = (await echoRtt(connections, requests, reqSize)).sort((a, b) => a - b);
  const result = {
    suite: 'protocol',
    connections,
    requestsPerConnection: requests,
    frameBytes: reqSize,
    ...codec,
    codecVsMsgpackr: Number((codec.codecOpsPerSec / codec.msgpackrOpsPerSec).toFixed(2)),
    rttUsP50: percentile(rtt, 0.5),
    rttUsP99: percentile(rtt, 0.99),
    echoRttUsP50: percentile(echo, 0.5),
    echoRttUsP99: percentile(echo, 0.99),
  };
  const ratio = Number((result.rttUsP50 / Math.max(1, result.echoRttUsP50)).toFixed(2));
  report(`round trip p50 ${result.rttUsP50} µs (p99 ${result.rttUsP99}) vs bare echo p50 ${result.echoRttUsP50} µs: ${ratio}x`);
  return { ...result, rttVsEcho: ratio };
}
