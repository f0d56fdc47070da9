/**
 * The card-reader contract on the real driver path: PcscCardReader ->
 * smartcard (libpcsclite) -> our own pcscd -> vpcd -> virtual cards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Context, SCARD_LEAVE_CARD, SCARD_PROTOCOL_T0, SCARD_PROTOCOL_T1, SCARD_SHARE_EXCLUSIVE } from 'smartcard';
import { CardSlots } from '../../../sim/card/card-slots.js';
import { PcscCardReader } from '../../../terminal/devices/pcsc/pcsc-card-reader.js';
import { startTestPcscd } from '../../support/pcscd.js';
import { describeCardReaderContract, MASTER_KEY, type CardReaderHarness } from './card-reader.contract.js';

function escape(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function pcscHarness(): Promise<CardReaderHarness> {
  const env = await startTestPcscd({ devices: 1, namePrefix: 'Contract Reader' });
  const cardsDir = mkdtempSync(join(tmpdir(), 'tessera-cards-'));
  const slots = new CardSlots(env.pcscd.slots, cardsDir);
  const slotName = (i: number): string => env.pcscd.slots[i]!.name;
  return {
    reader: (slot, options = {}) =>
      new PcscCardReader({
        readerPattern: options.pattern ?? new RegExp(`^${escape(slotName(slot))}$`),
        ...(options.openTimeoutMs !== undefined ? { openTimeoutMs: options.openTimeoutMs } : {}),
        ...(options.transmitTimeoutMs !== undefined ? { transmitTimeoutMs: options.transmitTimeoutMs } : {}),
      }),
    issue: async (cardId, o) => {
      await slots.issue({ cardId, pin: o.pin, balanceMinor: o.balanceMinor, masterKey: MASTER_KEY, application: o.foreign ? 'foreign' : 'purse' });
    },
    insert: (cardId, slot, mode = 'normal') => slots.insert(cardId, slotName(slot), { mode }),
    remove: (slot) => slots.remove(slotName(slot)),
    foreignConnect: async (slot) => {
      const ctx = new Context();
      try {
        const reader = ctx.listReaders().find((r) => r.name === slotName(slot));
        const card = await reader!.connect(SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1);
        card.disconnect(SCARD_LEAVE_CARD);
        return 'connected';
      } catch {
        return 'refused';
      } finally {
        ctx.close();
      }
    },
    killService: () => env.kill(),
    restartService: () => env.restart(),
    teardown: async () => {
      await slots.removeAll();
      await env.stop();
      rmSync(cardsDir, { recursive: true, force: true });
    },
  };
}

describeCardReaderContract('PC/SC (pcscd + vpcd + virtual card)', pcscHarness);
