/**
 * `npm run bench -- apdu [--json] [--iterations N]`
 *
 * APDU round trip through the real stack (PcscCardReader -> smartcard ->
 * pcscd -> vpcd -> virtual purse card) against a baseline: the same card
 * code answering the same APDU over plain loopback TCP (no pcscd), measured
 * in the same run. Also: the stack before the Nagle fixes (unpatched vpcd;
 * unpatched vpcd + a naive card writing length and data separately), and
 * card insertion -> first APDU possible (the driver's `inserted` event).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '../core/random.js';
import { encodeCommand, selectPurseCommand } from '../protocol/purse/commands.js';
import { CardSlots } from '../sim/card/card-slots.js';
import { CardStateStore } from '../sim/card/card-state-store.js';
import { personaliseCard } from '../sim/card/card-state.js';
import { PurseApplet } from '../sim/card/purse-applet.js';
import { VirtualCard } from '../sim/card/virtual-card.js';
import { pickFreePortRuns } from '../sim/pcscd/free-ports.js';
import { SimPcscd } from '../sim/pcscd/sim-pcscd.js';
import { encodeVpcdMessage, VpcdFrameDecoder } from '../sim/vpcd/vpcd-frames.js';
import { PcscCardReader } from '../terminal/devices/pcsc/pcsc-card-reader.js';

const CARD_ID = '0102030405060708';
const MASTER_KEY = Buffer.alloc(32, 7);
const SELECT = encodeCommand(selectPurseCommand());
const READ_PURSE = encodeCommand({ kind: 'readPurse' });

function percentileUs(samplesMs: number[], p: number): number {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(p * (sorted.length - 1))] ?? NaN) * 1000);
}

function summary(samplesMs: number[]): { p50Us: number; p99Us: number; n: number } {
  return { p50Us: percentileUs(samplesMs, 0.5), p99Us: percentileUs(samplesMs, 0.99), n: samplesMs.length };
}

/** The same virtual card, reached by a minimal vpcd-speaking server over loopback TCP. */
async function loopbackBaseline(store: CardStateStore, iterations: number): Promise<number[]> {
  const server = createServer();
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const card = new VirtualCard(new PurseApplet(store, CARD_ID));
  await card.insert((server.address() as AddressInfo).port);
  const socket = await accepted;
  socket.setNoDelay(true);
  const decoder = new VpcdFrameDecoder();
  const exchange = (apdu: Buffer): Promise<Buffer> =>
    new Promise((resolve) => {
      const onData = (chunk: Buffer): void => {
        const [response] = decoder.push(chunk);
        if (!response) return;
        socket.off('data', onData);
        resolve(response);
      };
      socket.on('data', onData);
      socket.write(encodeVpcdMessage(apdu));
    });
  const samples = await timeLoop(iterations, exchange);
  await card.remove();
  socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return samples;
}

async function timeLoop(iterations: number, exchange: (apdu: Buffer) => Promise<Buffer>): Promise<number[]> {
  await exchange(SELECT);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const response = await exchange(READ_PURSE);
    samples.push(performance.now() - t0);
    if (response.readUInt16BE(response.length - 2) !== 0x9000) throw new Error('READ PURSE failed');
  }
  return samples;
}

interface StackRun {
  apduMs: number[];
  insertToReadyMs: number[];
}

/** One pcscd configuration: APDU loop plus a few insertion -> ready timings. */
async function stackRun(dir: string, basePort: number, o: { shim: boolean; lowLatencyCard: boolean; iterations: number; inserts: number }): Promise<StackRun> {
  const pcscd = await SimPcscd.start({ dir, devices: 1, basePorts: [basePort], nodelay: o.shim, namePrefix: 'Bench' });
  process.env['PCSCLITE_CSOCK_NAME'] = pcscd.socketPath; // same path every run (same dir); read by libpcsclite once
  const slots = new CardSlots(pcscd.slots, join(dir, 'cards'));
  const reader = new PcscCardReader({ readerPattern: / 00 00$/ });
  const run: StackRun = { apduMs: [], insertToReadyMs: [] };
  try {
    await reader.open();
    for (let i = 0; i < o.inserts; i++) {
      const inserted = new Promise((resolve) => reader.once('inserted', resolve));
      const t0 = performance.now();
      await slots.insert(CARD_ID, pcscd.slots[0]!.name, { lowLatency: o.lowLatencyCard });
      await inserted;
      run.insertToReadyMs.push(performance.now() - t0);
      if (i === o.inserts - 1) run.apduMs = await timeLoop(o.iterations, (apdu) => reader.transmit(apdu));
      await slots.remove(pcscd.slots[0]!.name);
    }
  } finally {
    await reader.close();
    await slots.removeAll();
    await pcscd.stop();
  }
  return run;
}

function flag(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

export async function run(args: string[], report: (line: string) => void): Promise<Record<string, unknown>> {
  const iterations = flag(args, '--iterations', 300);
  const slowIterations = Math.min(iterations, 20);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-apdu-'));
  try {
    const store = new CardStateStore(join(dir, 'cards'));
    await store.save(personaliseCard({ cardId: CARD_ID, pin: '1234', balanceMinor: 1_000_000, masterKey: MASTER_KEY }));
    const baseline = summary(await loopbackBaseline(store, iterations));
    report(`loopback TCP baseline (same card code, no pcscd): p50 ${baseline.p50Us} us, p99 ${baseline.p99Us} us`);
    const [basePort] = await pickFreePortRuns(1, 2, new SeededRandom(Date.now() >>> 0));
    const fixed = await stackRun(dir, basePort!, { shim: true, lowLatencyCard: true, iterations, inserts: 5 });
    const fixedApdu = summary(fixed.apduMs);
    report(`pcscd+vpcd, fixed (nodelay shim + one-write card): p50 ${fixedApdu.p50Us} us, p99 ${fixedApdu.p99Us} us`);
    const cardOnly = summary((await stackRun(dir, basePort!, { shim: false, lowLatencyCard: true, iterations: slowIterations, inserts: 1 })).apduMs);
    report(`pcscd+vpcd, card fix only (packaged vpcd): p50 ${cardOnly.p50Us} us`);
    const before = summary((await stackRun(dir, basePort!, { shim: false, lowLatencyCard: false, iterations: slowIterations, inserts: 1 })).apduMs);
    report(`pcscd+vpcd, before (packaged vpcd + naive card): p50 ${before.p50Us} us`);
    const insert = summary(fixed.insertToReadyMs);
    report(`card insertion -> first APDU possible: p50 ${Math.round(insert.p50Us / 1000)} ms (n=${insert.n})`);
    return {
      apduUsP50: fixedApdu.p50Us,
      apduUsP99: fixedApdu.p99Us,
      baselineUsP50: baseline.p50Us,
      baselineUsP99: baseline.p99Us,
      apduCardFixOnlyUsP50: cardOnly.p50Us,
      apduBeforeFixUsP50: before.p50Us,
      insertToReadyMsP50: Math.round(insert.p50Us / 1000),
      insertToReadyMsMax: Math.round(Math.max(...fixed.insertToReadyMs)),
      iterations,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
