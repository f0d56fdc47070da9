/**
 * Seed 001 end to end: simulated cards in simulated terminals against a
 * running center, every piece real — virtual purse card → vpcd → our own
 * pcscd → smartcard → PcscCardReader → agent (validity-pos) → LinkClient →
 * TCP → createCenter (SQLite) → validity engine → checked transaction.
 * The center restarts on the same port in each validity mode; the agents
 * stay up and reconnect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VALIDITY_MODES, type ValidityMode } from '../../center/validity/types.js';
import { posTerminal, type WorldTerminal } from '../../sim/world/terminals.js';
import { openWorld, type World } from '../../sim/world/world.js';

const EXPECTED_VERDICT: Record<ValidityMode, string> = {
  direct: 'validityAck',
  cached: 'validityAck',
  'cached-medium': 'validityEarlyAck',
  'cached-terminal': 'validityEarlyAck',
};

let world: World;
let pos: WorldTerminal;
let blocked: WorldTerminal;
const FOREIGN = 'ff000000000000ff';

const cardId = (mode: ValidityMode, n: number): string => `e${VALIDITY_MODES.indexOf(mode)}${n.toString(16).padStart(14, '0')}`;

beforeAll(async () => {
  // One vpcd device (two reader slots): see the report about a second device's slots.
  world = await openWorld({ hardware: { readerDevices: 1, namePrefix: 'Agent Reader' }, center: { validity: { mode: 'direct' } } });
  await world.card(FOREIGN, { foreign: true });
  for (const mode of VALIDITY_MODES) {
    await world.card(cardId(mode, 1));
    await world.card(cardId(mode, 2));
    await world.card(cardId(mode, 3), { status: 'lost' });
  }
  pos = await world.startTerminal(posTerminal('POS-E2E-1', { reader: 0 }));
  blocked = await world.startTerminal(posTerminal('POS-E2E-BLK', { reader: 1, status: 'blocked' }));
});
afterAll(async () => {
  await pos?.stop();
  await blocked?.stop();
  await world?.close();
});

async function approvedRow(id: string): Promise<unknown> {
  return world.storage.read((q) => q.get('SELECT medium_id, terminal_id FROM checked_transactions WHERE id = ?', [id]));
}

describe.each(VALIDITY_MODES)('validity mode %s', (mode) => {
  beforeAll(async () => {
    // The blocked terminal's link never comes up: no waiting for the agents.
    await world.startCenter({ validity: { mode } }, { awaitTerminals: false });
  });

  it('a simulated card in a simulated terminal is ACKed and its transaction approved', async () => {
    const r = await pos.present(cardId(mode, 1));
    await pos.take();
    expect(r).toMatchObject({ result: 'approved', mediumId: cardId(mode, 1), card: 'returned', details: { verdict: EXPECTED_VERDICT[mode], resultCode: 0 } });
    expect(await approvedRow(r.transactionId!)).toEqual({ medium_id: cardId(mode, 1), terminal_id: 'POS-E2E-1' });
  });

  it('a lost card is NAKed with capture: retained by the reader, captured in the center database', async () => {
    const r = await pos.present(cardId(mode, 3));
    expect(r).toMatchObject({ result: 'refused', code: 'TERM_CARD_NAK', card: 'captured', details: { reason: 'MEDIUM_LOST', captured: true } });
    expect((await pos.agent.context.devices.reader.status()).retained).toBe(true);
    await pos.take();
    expect((await world.validity.getMedium(cardId(mode, 3)))?.status).toBe('captured');
  });

  it('a blocked terminal is NAKed (TERMINAL_INACTIVE), the card returned and nothing executed', async () => {
    const r = await blocked.present(cardId(mode, 2));
    await blocked.take();
    expect(r).toMatchObject({ result: 'refused', code: 'TERM_CARD_NAK', card: 'returned', details: { reason: 'TERMINAL_INACTIVE', capture: false } });
    expect((await world.validity.getMedium(cardId(mode, 2)))?.status).toBe('active');
  });

  it('a foreign card gets a coded error and the terminal serves the next card', async () => {
    const bad = await pos.present(FOREIGN);
    await pos.take();
    expect(bad).toMatchObject({ result: 'error', code: 'TERM_FOREIGN_CARD', card: 'returned' });
    const next = await pos.present(cardId(mode, 2));
    await pos.take();
    expect(next).toMatchObject({ result: 'approved', mediumId: cardId(mode, 2) });
  });
});

describe('an unknown terminal', () => {
  it('is refused by the center at the handshake: TERM_CENTER_REFUSED, the card returned', async () => {
    await blocked.stop(); // frees reader slot 1
    const stranger = await world.startTerminal(posTerminal('POS-NOBODY', { reader: 1, register: false, config: { link: { requestTimeoutMs: 1_000, attempts: 1 } } }));
    try {
      const r = await stranger.present(cardId('cached', 1));
      await stranger.take();
      expect(r).toMatchObject({ result: 'error', code: 'TERM_CENTER_REFUSED', card: 'returned', details: { protocolCode: 'PROTO_AUTH_FAILED' } });
    } finally {
      await stranger.stop();
    }
  });
});
