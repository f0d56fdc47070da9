/**
 * Issue 11 item 3, live updates: flow outcomes on GET /events (Server-Sent
 * Events) of a real center (startCenter with the admin listener, the
 * validity and e-money modules, a real SQLite file), watched over real HTTP
 * while a real terminal link asks: a validity decision (ACK, NAK with its
 * reason), the transaction's final word, and an e-money charge answered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Operators } from '../../../center/admin/operators.js';
import { emoneyModule } from '../../../center/emoney/module.js';
import { centerModules } from '../../../center/modules.js';
import { Relay } from '../../../center/relay/relay.js';
import { parseCenterConfig } from '../../../center/server/config.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { systemRandom } from '../../../core/random.js';
import { TAG, TX_KIND } from '../../../protocol/codes.js';
import { pinBlockFormat2 } from '../../../protocol/crypto/seal.js';
import type { LinkClient } from '../../../terminal/link/link-client.js';
import { keyDir, terminalLink } from '../server/support.js';

const keys = keyDir();
const dir = mkdtempSync(join(tmpdir(), 'tessera-admin-events-'));
let center: Center;
let url: string;
let viewer = '';
const links: LinkClient[] = [];
const GOOD = '00000000000000e1';
const STOLEN = '00000000000000e2';

async function call(method: string, path: string, token: string, body?: unknown): Promise<number> {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}` }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  await res.text();
  return res.status;
}

/** Watches GET /events; `outcomes()` are the `event: outcome` payloads so far. */
async function watch(token: string): Promise<{ outcomes: () => Array<Record<string, unknown>>; stop: () => Promise<void> }> {
  const controller = new AbortController();
  const res = await fetch(`${url}/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const reader = res.body!.getReader();
  let stream = '';
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      stream += Buffer.from(value!).toString('utf8');
    }
  })();
  await vi.waitFor(() => expect(stream).toContain(': watching'));
  return {
    outcomes: () => [...stream.matchAll(/event: outcome\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>),
    stop: async () => {
      controller.abort();
      await pump;
    },
  };
}

beforeAll(async () => {
  const modules = [
    ...centerModules().filter((m) => m.name !== 'emoney'),
    emoneyModule({ secrets: { issuerMasterKey: Buffer.alloc(32, 1), currency: 'JPY', providerAccounts: [] }, relay: new Relay({ adapters: [] }), sweepIntervalMs: null }),
  ];
  const config = parseCenterConfig({ listen: { port: 0 }, db: join(dir, 'center.db'), admin: { port: 0 }, terminalKeys: { masterKeyFile: keys.masterKeyFile } }, modules);
  center = await startCenter(config, modules, { fleet: { nodeId: 'node-events-test' } });
  url = center.admin!.url;
  const ops = new Operators(center.storage, systemRandom);
  viewer = await ops.add('op-viewer', 'viewer', 1);
  const operator = await ops.add('op-operator', 'operator', 1);
  expect(await call('POST', '/terminals', operator, { terminals: [{ id: 'POS-E1', ownerKind: 'store', ownerId: 'o1', keyRef: 'k-POS-E1' }] })).toBe(200);
  expect(await call('POST', '/media', operator, { media: [GOOD, STOLEN].map((id) => ({ id, expiresAtMs: 4_102_444_800_000 })) })).toBe(200);
  expect(await call('POST', `/media/${STOLEN}/block`, operator, { status: 'stolen' })).toBe(200);
  // Blocks reach the validity store through its change feed: wait until the center refuses the stolen card.
  await center.module<{ store: { settled(): Promise<void> } | null }>('validity').store?.settled();
});

afterAll(async () => {
  for (const l of links) await l.close();
  await center?.close();
  keys.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /events: flow outcomes', () => {
  it('streams each validity decision, the transaction cleared, and an e-money charge answered, as they happen', async () => {
    const w = await watch(viewer);
    const link = terminalLink(keys.masterKey, 'POS-E1', center.address.port);
    links.push(link);

    expect(await link.request({ type: 'validityRequest', terminalId: 'POS-E1', mediumId: Buffer.from(GOOD, 'hex') })).toMatchObject({ type: expect.stringMatching(/^validity(Ack|EarlyAck)$/) });
    await vi.waitFor(() => expect(w.outcomes()).toContainEqual(expect.objectContaining({ flow: 'validity', step: 'admit', outcome: expect.stringMatching(/^(ack|early-ack)$/), code: null, terminalId: 'POS-E1', subject: GOOD })));

    const tx = { type: 'transactionRequest' as const, transactionId: Buffer.alloc(16, 0x51), kind: TX_KIND.PURCHASE, amountMinor: 100, currency: 'JPY', content: [] };
    expect(await link.request(tx)).toMatchObject({ type: 'transactionResult' });
    await vi.waitFor(() => expect(w.outcomes()).toContainEqual(expect.objectContaining({ flow: 'validity', step: 'transaction', outcome: 'cleared', terminalId: 'POS-E1', subject: GOOD })));

    expect(await link.request({ type: 'validityRequest', terminalId: 'POS-E1', mediumId: Buffer.from(STOLEN, 'hex') })).toMatchObject({ type: 'validityNak' });
    await vi.waitFor(() => expect(w.outcomes()).toContainEqual(expect.objectContaining({ flow: 'validity', step: 'admit', outcome: 'nak', code: 'MEDIUM_STOLEN', terminalId: 'POS-E1', subject: STOLEN })));

    // A charge this center has no provider account for: answered (refused with its code) without a bank call.
    const chargeId = 'c3'.repeat(16);
    const answer = await link.request((s) => ({
      type: 'chargeRequest', transactionId: Buffer.from(chargeId, 'hex'), amountMinor: 500, currency: 'JPY', bankCode: '0005', branchCode: '123', accountNumber: '1234567',
      pinBlock: s.sealer.seal(TAG.PIN_BLOCK, pinBlockFormat2('1234')),
    }));
    expect(answer).toMatchObject({ type: 'chargeResult' });
    await vi.waitFor(() => expect(w.outcomes()).toContainEqual(expect.objectContaining({ flow: 'emoney', step: 'charge', outcome: 'refused', code: 'EMONEY_NO_PROVIDER_ACCOUNT', terminalId: 'POS-E1', subject: chargeId })));

    // Ids and codes only: nothing secret in the stream.
    expect(JSON.stringify(w.outcomes())).not.toMatch(/1234|pin/i);
    expect(w.outcomes().every((o) => typeof o['atMs'] === 'number')).toBe(true);
    await w.stop();
  });
});
