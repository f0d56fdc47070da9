import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context, SCARD_LEAVE_CARD, SCARD_PROTOCOL_T0, SCARD_PROTOCOL_T1, SCARD_SHARE_EXCLUSIVE } from 'smartcard';
import type { CardApplet } from '../../sim/card/card-applet.js';
import { VirtualCard } from '../../sim/card/virtual-card.js';
import { startTestPcscd, type TestPcscd } from '../support/pcscd.js';

/** Echoes the command header back with 9000: enough to see one round trip. */
class EchoApplet implements CardApplet {
  readonly atr = Buffer.from('3b8080010101', 'hex');
  resets = 0;
  reset(): void {
    this.resets += 1;
  }
  async process(apdu: Buffer): Promise<Buffer> {
    return Buffer.concat([apdu.subarray(0, 4), Buffer.from([0x90, 0x00])]);
  }
}

describe('pcscd + vpcd + virtual card (end to end, no driver code of ours)', () => {
  let env: TestPcscd;
  beforeAll(async () => {
    env = await startTestPcscd({ devices: 1 });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('lists both vpcd slots under the names the launcher reports', () => {
    const ctx = new Context();
    try {
      expect(ctx.listReaders().map((r) => r.name)).toEqual(env.pcscd.slots.map((s) => s.name));
    } finally {
      ctx.close();
    }
  });

  it('inserts a card, connects exclusively, and answers one APDU', async () => {
    const applet = new EchoApplet();
    const card = new VirtualCard(applet);
    const slot = env.pcscd.slots[0]!;
    await card.insert(slot.port);
    const ctx = new Context();
    try {
      let reader = ctx.listReaders().find((r) => r.name === slot.name)!;
      for (let i = 0; i < 100 && !reader.atr; i++) {
        await new Promise((r) => setTimeout(r, 20));
        reader = ctx.listReaders().find((r) => r.name === slot.name)!;
      }
      expect(reader.atr?.toString('hex')).toBe('3b8080010101');
      const handle = await reader.connect(SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1);
      const response = await handle.transmit(Buffer.from([0x00, 0xb0, 0x01, 0x02, 0x00]));
      expect(response.toString('hex')).toBe('00b001029000');
      expect(card.apduCount).toBe(1);
      handle.disconnect(SCARD_LEAVE_CARD);
    } finally {
      ctx.close();
      await card.remove();
    }
    expect(card.inserted).toBe(false);
  });
});
