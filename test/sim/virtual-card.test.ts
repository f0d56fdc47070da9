/** The virtual card on the wire, with a minimal vpcd-speaking server in the test (no pcscd). */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TesseraError } from '../../core/errors.js';
import type { CardApplet } from '../../sim/card/card-applet.js';
import { VirtualCard } from '../../sim/card/virtual-card.js';
import { encodeVpcdMessage, VpcdFrameDecoder } from '../../sim/vpcd/vpcd-frames.js';

/** Answers 9000 after the test releases it: an APDU stays in flight as long as needed. */
class GatedApplet implements CardApplet {
  readonly atr = Buffer.from('3b8080010101', 'hex');
  resets = 0;
  private release: (() => void) | null = null;
  reset(): void {
    this.resets += 1;
  }
  async process(): Promise<Buffer> {
    await new Promise<void>((resolve) => (this.release = resolve));
    return Buffer.from([0x90, 0x00]);
  }
  open(): void {
    this.release?.();
  }
}

async function driver(): Promise<{ server: Server; port: number; accepted: Promise<Socket> }> {
  const server = createServer();
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, accepted };
}

function replies(socket: Socket): Buffer[] {
  const decoder = new VpcdFrameDecoder();
  const out: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => out.push(...decoder.push(chunk)));
  return out;
}

describe('VirtualCard (vpcd wire)', () => {
  const servers: Server[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.close()));

  it('answers get-ATR, resets the applet on power on/off, and replies to an APDU in one frame', async () => {
    const d = await driver();
    servers.push(d.server);
    const applet = new GatedApplet();
    const card = new VirtualCard(applet);
    await card.insert(d.port);
    const socket = await d.accepted;
    const got = replies(socket);
    socket.write(Buffer.concat([encodeVpcdMessage(Buffer.from([1])), encodeVpcdMessage(Buffer.from([4]))]));
    await new Promise((r) => setTimeout(r, 50));
    expect(got.map((b) => b.toString('hex'))).toEqual(['3b8080010101']);
    expect(applet.resets).toBe(1);
    expect(card.powered).toBe(true);
    socket.write(encodeVpcdMessage(Buffer.from('00a4040000', 'hex')));
    await new Promise((r) => setTimeout(r, 20));
    applet.open();
    await new Promise((r) => setTimeout(r, 20));
    expect(got.map((b) => b.toString('hex'))).toEqual(['3b8080010101', '9000']);
    await card.remove();
    expect(card.inserted).toBe(false);
  });

  it('enforces one APDU at a time: an overlapping APDU is a SIM_OVERLAPPING_APDU violation, not answered', async () => {
    const d = await driver();
    servers.push(d.server);
    const applet = new GatedApplet();
    const card = new VirtualCard(applet);
    const violations: TesseraError[] = [];
    card.on('violation', (e) => violations.push(e));
    await card.insert(d.port);
    const socket = await d.accepted;
    const got = replies(socket);
    socket.write(Buffer.concat([encodeVpcdMessage(Buffer.from('0001000000', 'hex')), encodeVpcdMessage(Buffer.from('0002000000', 'hex'))]));
    await new Promise((r) => setTimeout(r, 50));
    expect(violations.map((v) => v.code)).toEqual(['SIM_OVERLAPPING_APDU']);
    applet.open();
    await new Promise((r) => setTimeout(r, 20));
    expect(got.map((b) => b.toString('hex'))).toEqual(['9000']);
    expect(card.apduCount).toBe(1);
    await card.remove();
  });

  it('stays silent on APDUs in unresponsive mode and rejects a second insert', async () => {
    const d = await driver();
    servers.push(d.server);
    const card = new VirtualCard(new GatedApplet(), { mode: 'unresponsive' });
    await card.insert(d.port);
    await expect(card.insert(d.port)).rejects.toThrow(expect.objectContaining({ code: 'SIM_SLOT_BUSY' }));
    const socket = await d.accepted;
    const got = replies(socket);
    socket.write(Buffer.concat([encodeVpcdMessage(Buffer.from([4])), encodeVpcdMessage(Buffer.from('00b0000000', 'hex'))]));
    await new Promise((r) => setTimeout(r, 50));
    expect(got.map((b) => b.toString('hex'))).toEqual(['3b8080010101']); // ATR yes, APDU never
    await card.remove();
  });

  it('fails to insert with SIM_CARD_CONNECT_FAILED when no reader listens', async () => {
    const d = await driver();
    await new Promise<void>((resolve) => d.server.close(() => resolve()));
    await expect(new VirtualCard(new GatedApplet()).insert(d.port)).rejects.toThrow(expect.objectContaining({ code: 'SIM_CARD_CONNECT_FAILED' }));
  });
});
