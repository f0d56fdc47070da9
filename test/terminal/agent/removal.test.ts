/**
 * A card pulled while the center is thinking: before the transaction is sent
 * nothing is sent and nothing is journalled; while the transaction is in
 * flight the answer is still taken and journalled (the holder has left, the
 * outcome stands).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValiditySource } from '../../../center/validity/types.js';
import { validityModule } from '../../../center/validity/module.js';
import { posTerminal, type WorldTerminal } from '../../../sim/world/terminals.js';
import { openWorld, type World } from '../../../sim/world/world.js';

const CARD_A = 'ab00000000000001';
const CARD_B = 'ab00000000000002';
let world: World;
let term: WorldTerminal;

beforeAll(async () => {
  world = await openWorld({ hardware: { readerDevices: 1, namePrefix: 'Agent Reader' }, center: { validity: { mode: 'direct' } } });
  await world.card(CARD_A);
  await world.card(CARD_B);
  term = await world.startTerminal(posTerminal('POS-R1'));
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
    await world.startCenter({ validity: { mode: 'direct' }, modules: [validityModule({ wrapSource: slowLookups(1_500) })] });
    const open = term.agent.context.journal.outboxOpen().length;
    const r = await pullDuringRequest(CARD_A, 50);
    expect(r).toMatchObject({ result: 'error', code: 'TERM_CARD_REMOVED', card: 'removed', mediumId: CARD_A });
    expect(term.agent.context.journal.outboxOpen()).toHaveLength(open);
    expect(await rowsFor(CARD_A)).toEqual([]);
  });

  it('during the transaction (EARLY_ACK, terminal check pending): the answer is taken and journalled', async () => {
    await world.startCenter({ validity: { mode: 'cached-medium' }, modules: [validityModule({ wrapSource: slowLookups(400) })] });
    const r = await pullDuringRequest(CARD_B, 50);
    expect(r).toMatchObject({ result: 'approved', card: 'removed', mediumId: CARD_B, details: { verdict: 'validityEarlyAck' } });
    expect(term.agent.context.journal.outboxGet(r.transactionId!)).toMatchObject({ state: 'done', resultCode: 0 });
    expect(await rowsFor(CARD_B)).toEqual([{ id: r.transactionId }]);
  });
});

/** The database side of the validity check, `delayMs` slower on medium and terminal lookups (to pull a card mid-request). */
function slowLookups(delayMs: number): (source: ValiditySource) => ValiditySource {
  const sleep = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, delayMs));
  return (source) => ({
    ...bindAll(source),
    getMedium: async (id) => (await sleep(), source.getMedium(id)),
    getTerminal: async (id) => (await sleep(), source.getTerminal(id)),
  });
}

function bindAll(source: ValiditySource): ValiditySource {
  const out: Record<string, unknown> = {};
  for (const key of ['getMedium', 'getTerminal', 'listMedia', 'listTerminals', 'listMediaChangedSince', 'listTerminalsChangedSince', 'countMedia', 'validityVersion', 'subscribe', 'captureMedium'] as const) {
    out[key] = (source[key] as (...a: unknown[]) => unknown).bind(source);
  }
  return out as unknown as ValiditySource;
}
