/**
 * A card pulled while the center is thinking: before the transaction is sent
 * nothing is sent and nothing is journalled; while the transaction is in
 * flight the answer is still taken and journalled (the holder has left, the
 * outcome stands).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slowLookups, startTerminal, startWorld, type TestTerminal, type World } from './harness.js';

const CARD_A = 'ab00000000000001';
const CARD_B = 'ab00000000000002';
let world: World;
let term: TestTerminal;

beforeAll(async () => {
  world = await startWorld();
  await world.startCenter('direct');
  await world.card(CARD_A);
  await world.card(CARD_B);
  term = await startTerminal(world, 'POS-R1');
});
afterAll(async () => {
  await term?.stop();
  await world?.close();
});

/** Inserts the card and pulls it `afterMs` after its second APDU (READ ID): while the validity request is at the center. */
async function pullDuringRequest(cardId: string, afterMs: number) {
  const done = term.nextOutcome((o) => o.trigger === 'card');
  const card = await world.slots.insert(cardId, term.readerName);
  let apdus = 0;
  card.on('apdu', () => {
    if (++apdus === 2) setTimeout(() => void world.slots.remove(term.readerName), afterMs);
  });
  return done;
}

async function rowsFor(mediumId: string): Promise<unknown[]> {
  return world.storage.read((q) => q.all('SELECT id FROM checked_transactions WHERE medium_id = ?', [mediumId]));
}

describe('card pulled mid-flow', () => {
  it('during the validity check: TERM_CARD_REMOVED, no transaction sent, nothing journalled', async () => {
    // The lookup must outlast pcscd noticing the removal (its reader poll takes up to ~400 ms under load).
    await world.startCenter('direct', world.center!.address.port, { wrapValiditySource: slowLookups(1_500) });
    const open = term.agent.context.journal.outboxOpen().length;
    const r = await pullDuringRequest(CARD_A, 50);
    expect(r).toMatchObject({ result: 'error', code: 'TERM_CARD_REMOVED', card: 'removed', mediumId: CARD_A });
    expect(term.agent.context.journal.outboxOpen()).toHaveLength(open);
    expect(await rowsFor(CARD_A)).toEqual([]);
  });

  it('during the transaction (EARLY_ACK, terminal check pending): the answer is taken and journalled', async () => {
    await world.startCenter('cached-medium', world.center!.address.port, { wrapValiditySource: slowLookups(400) });
    const r = await pullDuringRequest(CARD_B, 50);
    expect(r).toMatchObject({ result: 'approved', card: 'removed', mediumId: CARD_B, details: { verdict: 'validityEarlyAck' } });
    expect(term.agent.context.journal.outboxGet(r.transactionId!)).toMatchObject({ state: 'done', resultCode: 0 });
    expect(await rowsFor(CARD_B)).toEqual([{ id: r.transactionId }]);
  });
});
