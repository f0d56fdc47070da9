/**
 * The agent with the validity-pos role on the real stacks (PC/SC reader over
 * pcscd + vpcd + virtual cards, LinkClient to a running center on SQLite):
 * unhappy paths and restart recovery. The happy paths per validity mode are
 * in test/e2e/validity.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../../terminal/journal/journal.js';
import { posTerminal, type WorldTerminal } from '../../../sim/world/terminals.js';
import { openWorld, type World } from '../../../sim/world/world.js';

const GOOD = 'a100000000000001';
const GOOD2 = 'a100000000000002';
const LOST = 'a1000000000000f1';
const FOREIGN = 'f100000000000001';
const UNKNOWN_CARD = 'a1000000000000e1';

let world: World;
let term: WorldTerminal;

async function checked(id: string): Promise<unknown[]> {
  return world.storage.read((q) => q.all('SELECT medium_id, terminal_id, amount_minor FROM checked_transactions WHERE id = ?', [id]));
}

beforeAll(async () => {
  world = await openWorld({ hardware: { readerDevices: 1, namePrefix: 'Agent Reader' }, center: { validity: { mode: 'cached' } } });
  await world.card(GOOD);
  await world.card(GOOD2);
  await world.card(LOST, { status: 'lost' });
  await world.card(FOREIGN, { foreign: true });
  await world.card(UNKNOWN_CARD, { register: false });
  term = await world.startTerminal(posTerminal('POS-A1'));
});
afterAll(async () => {
  await term?.stop();
  await world?.close();
});

describe('agent (validity-pos) on the real reader and link', () => {
  it('approves a valid card: one checked transaction at the center, the outbox entry done, the card returned', async () => {
    const r = await term.present(GOOD);
    await term.take();
    expect(r).toMatchObject({ trigger: 'card', result: 'approved', code: null, mediumId: GOOD, card: 'returned' });
    expect(r.transactionId).toMatch(/^[0-9a-f]{32}$/);
    expect(r.ackAtMs).toBeGreaterThanOrEqual(r.insertedAtMs!);
    expect(await checked(r.transactionId!)).toEqual([{ medium_id: GOOD, terminal_id: 'POS-A1', amount_minor: 500 }]);
    expect(term.agent.context.journal.outboxGet(r.transactionId!)).toMatchObject({ state: 'done', resultCode: 0, attempts: 0 });
  });

  it('a foreign card is a coded error, released, and the agent serves the next card', async () => {
    const bad = await term.present(FOREIGN);
    await term.take();
    expect(bad).toMatchObject({ result: 'error', code: 'TERM_FOREIGN_CARD', card: 'returned' });
    const next = await term.present(GOOD2);
    await term.take();
    expect(next).toMatchObject({ result: 'approved', mediumId: GOOD2 });
  });

  it('a lost card is NAKed with capture: kept by the reader, captured in the center database', async () => {
    const r = await term.present(LOST);
    expect(r).toMatchObject({ result: 'refused', code: 'TERM_CARD_NAK', card: 'captured', details: { reason: 'MEDIUM_LOST', capture: true, captured: true } });
    expect(await term.agent.context.devices.reader.status()).toMatchObject({ retained: true, media: 'present' });
    expect((await world.validity.getMedium(LOST))?.status).toBe('captured');
    await term.take();
    expect((await term.present(GOOD)).result).toBe('approved');
    await term.take();
  });

  it('an unregistered card is NAKed without capture and returned', async () => {
    const r = await term.present(UNKNOWN_CARD);
    await term.take();
    expect(r).toMatchObject({ result: 'refused', code: 'TERM_CARD_NAK', card: 'returned', details: { reason: 'MEDIUM_UNKNOWN', capture: false, captured: false } });
  });

  it('a card pulled mid-read is TERM_CARD_REMOVED, nothing journalled, and the next card is served', async () => {
    const before = term.agent.context.journal.outboxOpen().length;
    const done = term.nextOutcome((o) => o.trigger === 'card');
    const card = await world.slots.insert(GOOD, term.readerName);
    card.once('apdu', () => void world.slots.remove(term.readerName));
    const r = await done;
    expect(r).toMatchObject({ result: 'error', code: 'TERM_CARD_REMOVED', card: 'removed' });
    expect(term.agent.context.journal.outboxOpen()).toHaveLength(before);
    expect((await term.present(GOOD2)).result).toBe('approved');
    await term.take();
  });

  it('center down: TERM_CENTER_UNREACHABLE and the card returned; back up on the same port: approved', async () => {
    await world.stopCenter();
    const r = await term.present(GOOD);
    await term.take();
    expect(r).toMatchObject({ result: 'error', code: 'TERM_CENTER_UNREACHABLE', card: 'returned', details: { protocolCode: expect.stringMatching(/^PROTO_/) } });
    await world.startCenter(undefined, { awaitTerminals: false });
    await term.agent.context.link.client.close(); // (only to make the test quick: skip the backoff wait)
    term.agent.context.link.client.start();
    expect((await term.present(GOOD)).result).toBe('approved');
    await term.take();
  });
});

describe('agent restart: the outbox is repeated with the same transaction id', () => {
  it('an executed transaction resolves done; one the center never saw resolves abandoned (nothing owed)', async () => {
    const executed = (await term.present(GOOD)).transactionId!;
    await term.take();
    const journalPath = term.journalPath;
    await term.stop();
    // As if the agent had crashed after sending and before storing the answers:
    const payload = Buffer.from(JSON.stringify({ mediumId: GOOD, kind: 'PURCHASE', amountMinor: 500, currency: 'JPY' }));
    const fresh = randomBytes(16).toString('hex');
    const j2 = Journal.open(journalPath);
    j2.outboxSet(executed, 'pending');
    j2.outboxAdd({ transactionId: fresh, role: 'validity-pos', kind: 'transaction', payload });
    j2.close();
    await term.restart();
    const seen = new Set<string>();
    while (seen.size < 2) {
      const r = await term.nextOutcome((o) => o.trigger === 'recover');
      seen.add(`${r.transactionId}:${String(r.details?.['recovered'])}`);
    }
    expect(seen).toEqual(new Set([`${executed}:done`, `${fresh}:abandoned`]));
    const journal = term.agent.context.journal;
    expect(journal.outboxGet(executed)).toMatchObject({ state: 'done', resultCode: 0 });
    expect(journal.outboxGet(fresh)).toMatchObject({ state: 'abandoned', resultCode: 1 });
    expect(await checked(fresh)).toEqual([]);
    expect(await checked(executed)).toHaveLength(1);
  });
});
