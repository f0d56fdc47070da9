import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CenterMetrics } from '../../../center/metrics/center-metrics.js';
import { handshakeOutcome, responseCode } from '../../../center/metrics/labels.js';
import { Relay } from '../../../center/relay/relay.js';
import type { BankHostAdapter, BankTransferRequest } from '../../../center/relay/types.js';
import { startCenter } from '../../../center/server/start-center.js';
import { CENTER_MODULES, centerModules } from '../../../center/modules.js';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { deriveTerminalKey } from '../../../center/server/terminal-keys.js';
import { openStorage } from '../../../center/storage/open.js';
import { RawPeer } from '../../protocol/support/raw-peer.js';
import { parseProm, sampleSum } from '../../support/prom-text.js';
import { configOf, keyDir, seedTerminals, TERMINAL } from '../server/support.js';

/** Every label value comes from a fixed set: ids, codes a peer makes up and raw URLs never add series. */
const keys = keyDir();
afterAll(() => keys.remove());

function seriesKeys(text: string): Set<string> {
  return new Set(parseProm(text).filter((s) => s.name.startsWith('tessera_')).map((s) => `${s.name}${JSON.stringify(s.labels)}`));
}

describe('center metric labels are bounded', () => {
  it('maps result codes, NAK reasons and handshake outcomes to fixed sets, anything else to "other"', () => {
    expect(responseCode({ type: 'transactionResult', transactionId: Buffer.alloc(16), status: 0, resultCode: 0 } as never)).toBe('0x0000');
    expect(responseCode({ type: 'chargeResult', transactionId: Buffer.alloc(16), status: 1, resultCode: 0x0103 } as never)).toBe('0x0103');
    expect(responseCode({ type: 'chargeResult', transactionId: Buffer.alloc(16), status: 1, resultCode: 0xfe01 } as never)).toBe('other');
    expect(responseCode({ type: 'validityNak', reason: 0x02, capture: false })).toBe('MEDIUM_LOST');
    expect(responseCode({ type: 'validityNak', reason: 0x7f as never, capture: false })).toBe('other');
    expect(responseCode({ type: 'validityAck' })).toBe('none');
    expect(handshakeOutcome('ok')).toBe('ok');
    expect(handshakeOutcome('PROTO_AUTH_FAILED')).toBe('PROTO_AUTH_FAILED');
    expect(handshakeOutcome('T-ATTACKER-1')).toBe('other');
    expect(handshakeOutcome('STORE_COMMIT_FAILED')).toBe('other');
  });

  it('adds no series when unknown cards and made-up terminal ids arrive by the dozen', async () => {
    const storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
    await seedTerminals(storage);
    const metrics = new CenterMetrics({ processMetrics: false });
    const center = await startCenter(configOf(keys.masterKeyFile, { validity: { mode: 'cached' } }), centerModules({ metrics }), { storage, metrics });
    const key = deriveTerminalKey(keys.masterKey, `k-${TERMINAL}`);
    const peers: RawPeer[] = [];
    const round = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const bogus = await RawPeer.connect(center.address.port);
        peers.push(bogus);
        expect(await bogus.handshake(`X-${randomBytes(4).toString('hex').toUpperCase()}`, key)).toBe('PROTO_AUTH_FAILED');
        const p = await RawPeer.connect(center.address.port);
        peers.push(p);
        expect(await p.handshake(TERMINAL, key)).toBe('authOk');
        p.send({ type: 'validityRequest', terminalId: TERMINAL, mediumId: randomBytes(8) }, 1);
        expect((await p.next())?.message.type).toBe('validityNak');
      }
    };
    try {
      await round(3);
      const first = await metrics.scrape();
      await round(20);
      const second = await metrics.scrape();
      expect(sampleSum(parseProm(second), 'tessera_center_security_events_total', { event: 'AUTH_FAILED' })).toBe(23);
      expect(sampleSum(parseProm(second), 'tessera_center_requests_total', { type: 'validityRequest', response: 'validityNak', code: 'MEDIUM_UNKNOWN' })).toBe(23);
      expect([...seriesKeys(second)].filter((k) => !seriesKeys(first).has(k))).toEqual([]);
      expect(second).not.toMatch(/X-[0-9A-F]{8}/);
    } finally {
      for (const p of peers) p.close();
      await center.close();
      await storage.close();
    }
  });

  it('counts bank calls by configured bank, operation and registry code; a code a bank host made up is "other"', async () => {
    const adapter = (bankCode: string, answer: (r: BankTransferRequest) => Promise<string>): BankHostAdapter => ({
      bankCode,
      transfer: async (r) => ({ transferId: r.transferId, approved: false, code: (await answer(r)) as never, inDoubt: false }),
      reverse: async (id) => ({ transferId: id, done: true, moved: true, code: 'OK' }),
    });
    const relay = new Relay({
      adapters: [
        adapter('0001', async () => 'OK'),
        adapter('0002', () => Promise.reject(new Error('connection refused'))),
        adapter('0003', async () => 'WHATEVER_1234567'),
      ],
    });
    const metrics = new CenterMetrics({ processMetrics: false });
    metrics.attachRelay(relay);
    const req = (bankCode: string) => ({
      transferId: randomBytes(16).toString('hex'),
      from: { bankCode, branchCode: '001', accountNumber: '1234567' },
      to: { bankCode, branchCode: '001', accountNumber: '7654321' },
      amountMinor: 100,
      currency: 'JPY',
      pin: '1234',
    });
    await relay.transfer(req('0001'));
    await relay.transfer(req('0002'));
    await relay.transfer(req('0003'));
    await relay.reverse('0001', randomBytes(16).toString('hex'));
    const text = await metrics.scrape();
    const s = parseProm(text);
    expect(sampleSum(s, 'tessera_center_bank_calls_total', { bank: '0001', op: 'transfer', code: 'OK' })).toBe(1);
    expect(sampleSum(s, 'tessera_center_bank_calls_total', { bank: '0002', op: 'transfer', code: 'RELAY_BANK_UNREACHABLE' })).toBe(1);
    expect(sampleSum(s, 'tessera_center_bank_calls_total', { bank: '0003', op: 'transfer', code: 'other' })).toBe(1);
    expect(sampleSum(s, 'tessera_center_bank_calls_total', { bank: '0001', op: 'reverse', code: 'OK' })).toBe(1);
    expect(sampleSum(s, 'tessera_center_bank_call_duration_seconds_count', { bank: '0001', op: 'transfer' })).toBe(1);
    expect(text).not.toContain('WHATEVER');
    expect(text).not.toContain('1234567');
    metrics.detach();
    await relay.transfer(req('0001'));
    expect(sampleSum(parseProm(await metrics.scrape()), 'tessera_center_bank_calls_total', { bank: '0001', op: 'transfer' })).toBe(1);
  });
});

describe('center metrics across a restart', () => {
  it('a center restarted with the same CenterMetrics attaches again; session counters carry on', async () => {
    const storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
    await seedTerminals(storage);
    const metrics = new CenterMetrics({ processMetrics: false });
    const config = configOf(keys.masterKeyFile, { validity: { mode: 'cached' } });
    const key = deriveTerminalKey(keys.masterKey, `k-${TERMINAL}`);
    try {
      for (let run = 1; run <= 2; run++) {
        const center = await startCenter(config, centerModules({ metrics }), { storage, metrics });
        const p = await RawPeer.connect(center.address.port);
        expect(await p.handshake(TERMINAL, key)).toBe('authOk');
        const s = parseProm(await metrics.scrape());
        expect(sampleSum(s, 'tessera_center_handshakes_total', { outcome: 'ok' })).toBe(run);
        expect(sampleSum(s, 'tessera_center_validity_mode', { mode: 'cached' })).toBe(1);
        p.close();
        await center.close();
      }
    } finally {
      await storage.close();
    }
  });
});
