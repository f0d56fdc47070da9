/**
 * The agent's /metrics on its loopback port (config `metrics`), scraped with
 * fetch while the agent runs on the real stacks (pcscd + vpcd virtual cards,
 * LinkClient to a real center): flows by role/result/code, reader events,
 * outbox depth, link state and events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTerminalConfig } from '../../../terminal/config/load.js';
import { parseProm, sampleSum, type Sample } from '../../support/prom-text.js';
import { posTerminal, type WorldTerminal } from '../../../sim/world/terminals.js';
import { openWorld, type World } from '../../../sim/world/world.js';

const GOOD = 'a200000000000001';
const LOST = 'a2000000000000f1';
const FOREIGN = 'f200000000000001';

let world: World;
let term: WorldTerminal;

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`http://127.0.0.1:${term.agent.metricsPort}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, samples: parseProm(text) };
}

async function until(cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  world = await openWorld({ hardware: { readerDevices: 1, namePrefix: 'Agent Reader' }, center: { validity: { mode: 'cached' } } });
  await world.card(GOOD);
  await world.card(LOST, { status: 'lost' });
  await world.card(FOREIGN, { foreign: true });
  term = await world.startTerminal(posTerminal('POS-M1', { config: { metrics: { host: '127.0.0.1', port: 0 } } }));
});
afterAll(async () => {
  await term?.stop();
  await world?.close();
});

describe('terminal agent /metrics', () => {
  it('counts flows by role, result and code, reader events, and shows the link up', async () => {
    expect(term.agent.metricsPort).toBeGreaterThan(0);
    await until(async () => sampleSum((await scrape()).samples, 'tessera_terminal_link_up') === 1);
    expect((await term.present(GOOD)).result).toBe('approved');
    await term.take();
    expect((await term.present(FOREIGN)).code).toBe('TERM_FOREIGN_CARD');
    await term.take();
    expect((await term.present(LOST)).code).toBe('TERM_CARD_NAK');
    await term.take();
    const { samples, text } = await scrape();
    const role = 'validity-pos';
    expect(sampleSum(samples, 'tessera_terminal_flows_total', { role, trigger: 'card', result: 'approved', code: 'none' })).toBe(1);
    expect(sampleSum(samples, 'tessera_terminal_flows_total', { role, trigger: 'card', result: 'error', code: 'TERM_FOREIGN_CARD' })).toBe(1);
    expect(sampleSum(samples, 'tessera_terminal_flows_total', { role, trigger: 'card', result: 'refused', code: 'TERM_CARD_NAK' })).toBe(1);
    expect(sampleSum(samples, 'tessera_terminal_device_events_total', { device: 'reader', event: 'inserted' })).toBe(3);
    expect(sampleSum(samples, 'tessera_terminal_link_events_total', { event: 'up' })).toBeGreaterThanOrEqual(1);
    expect(sampleSum(samples, 'tessera_terminal_outbox_open')).toBe(0);
    expect(sampleSum(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    for (const id of [GOOD, LOST, FOREIGN, 'POS-M1']) expect(text).not.toContain(id);
  });

  it('shows the link down with its code when the center goes away', async () => {
    await world.stopCenter();
    await until(async () => sampleSum((await scrape()).samples, 'tessera_terminal_link_up') === 0);
    const { samples } = await scrape();
    expect(sampleSum(samples, 'tessera_terminal_link_events_total', { event: 'down' })).toBeGreaterThanOrEqual(1);
    const downCodes = samples.filter((s) => s.name === 'tessera_terminal_link_events_total' && s.labels['event'] === 'down').map((s) => s.labels['code']);
    for (const c of downCodes) expect(c).toMatch(/^(PROTO_[A-Z_]+|other)$/);
    await world.startCenter();
  });

  it('answers only GET /metrics: other paths 404 and other methods 405, coded', async () => {
    const base = `http://127.0.0.1:${term.agent.metricsPort}`;
    const nf = await fetch(`${base}/debug`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toMatchObject({ error: { code: 'METRICS_NOT_FOUND' } });
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(await post.json()).toMatchObject({ error: { code: 'METRICS_METHOD_NOT_ALLOWED' } });
  });

  it('refuses a metrics address that is not loopback, naming the field', () => {
    const base = { terminalId: 'POS-M2', keyFile: '/nonexistent', centers: [{ host: '127.0.0.1', port: 1 }], devices: { reader: { namePattern: 'x' } }, journal: ':memory:' };
    expect(() => parseTerminalConfig({ ...base, metrics: { host: '0.0.0.0', port: 9100 } })).toThrow(/TERM_CONFIG_INVALID: metrics\.host: a loopback address/);
    expect(parseTerminalConfig({ ...base, metrics: { port: 9100 } }).metrics).toEqual({ host: '127.0.0.1', port: 9100 });
  });
});
