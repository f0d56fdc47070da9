/**
 * Several vpcd devices in one simulated pcscd (the demo's fleet needs six
 * readers): a card inserted into any slot is seen by pcscd in that reader
 * and in no other. vsmartcard-vpcd 3.3 keeps its connections per slot number
 * in one global array, so devices sharing one driver library would see each
 * other's cards; each device after the first loads its own copy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_LIMITS } from '../../sim/limits.js';
import { CardSlots } from '../../sim/card/card-slots.js';
import { startTestPcscd, type TestPcscd } from '../support/pcscd.js';

const DEVICES = 3;
let pcscd: TestPcscd;
let slots: CardSlots;

beforeAll(async () => {
  pcscd = await startTestPcscd({ devices: DEVICES, namePrefix: 'Multi' });
  slots = new CardSlots(pcscd.pcscd.slots, join(pcscd.dir, 'cards'));
  await slots.issue({ cardId: '0a0b0c0d0e0f0102', pin: '1234', masterKey: Buffer.alloc(32, 7) });
});
afterAll(async () => {
  await slots.removeAll().catch(() => undefined);
  await pcscd.stop();
});

/** Readers pcscd reported a card inserted into since `from` (its log, one line per event). */
function insertedSince(from: number): string[] {
  const log = readFileSync(join(pcscd.dir, 'pcscd.log'), 'utf8').slice(from);
  return log.split('\n').filter((l) => l.includes('Card inserted into ')).map((l) => l.slice(l.indexOf('Card inserted into ') + 'Card inserted into '.length).trim());
}

describe('simulated pcscd with several vpcd devices', () => {
  it('sees a card only in the reader it was inserted into, for every slot of every device', async () => {
    const names = pcscd.pcscd.slots.map((s) => s.name);
    expect(names).toHaveLength(DEVICES * SIM_LIMITS.vpcdSlotsPerDeviceCount);
    for (const name of names) {
      const from = readFileSync(join(pcscd.dir, 'pcscd.log'), 'utf8').length;
      await slots.insert('0a0b0c0d0e0f0102', name);
      // pcscd polls presence every 400 ms.
      for (let i = 0; i < 40 && insertedSince(from).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 450));
      expect(insertedSince(from), name).toEqual([name]);
      await slots.remove(name);
    }
  }, 60_000);
});
