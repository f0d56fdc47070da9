/**
 * Child process for vpcd-line.test.ts: a virtual card and the PC/SC calls in
 * one process, the JS thread kept busy past pcscd's ATR poll, then the
 * synchronous SCardDisconnect. Prints "disconnect returned" if it does.
 */
import { Context, SCARD_LEAVE_CARD, SCARD_PROTOCOL_T0, SCARD_PROTOCOL_T1, SCARD_SHARE_EXCLUSIVE } from 'smartcard';
import { VirtualCard } from '../../../sim/card/virtual-card.js';
import { startTestPcscd } from '../../support/pcscd.js';

const atr = Buffer.from('3b8080010101', 'hex');
const env = await startTestPcscd({ devices: 1, namePrefix: 'Polled Reader' });
const slot = env.pcscd.slots[0]!;
const card = new VirtualCard({ atr, reset: () => undefined, process: async (apdu) => Buffer.concat([apdu.subarray(0, 4), Buffer.from([0x90, 0x00])]) });
try {
  await card.insert(slot.port);
  await new Promise((r) => setTimeout(r, 1_000));
  const ctx = new Context();
  const reader = ctx.listReaders().find((r) => r.name === slot.name)!;
  const handle = await reader.connect(SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1);
  const until = Date.now() + 1_000; // longer than pcscd's ~400 ms presence poll
  while (Date.now() < until) {
    // busy: the main thread cannot answer the card's socket now
  }
  handle.disconnect(SCARD_LEAVE_CARD);
  process.stdout.write('disconnect returned\n');
  ctx.close();
} finally {
  await card.remove();
  await env.stop();
}
