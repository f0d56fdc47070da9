import { afterAll, describe, expect, it } from 'vitest';
import { startCenter } from '../../../center/server/start-center.js';
import { CENTER_MODULES } from '../../../center/modules.js';
import { openStorage } from '../../../center/storage/open.js';
import { RawPeer } from '../../protocol/support/raw-peer.js';
import { configOf, keyDir, seedTerminals, TERMINAL, terminalLink } from './support.js';

/** startCenter wires the listener's limits and security counters: `listen.maxConnections`, `center.securityCounters()`. */
const keys = keyDir();
afterAll(() => keys.remove());

describe('center listener limits from the config', () => {
  it('listen.maxConnections bounds sessions; refusals and failed handshakes show in center.securityCounters()', async () => {
    const storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
    await seedTerminals(storage);
    const center = await startCenter(configOf(keys.masterKeyFile, { listen: { host: '127.0.0.1', port: 0, maxConnections: 1 } }), CENTER_MODULES, { storage });
    const peers: RawPeer[] = [];
    const link = terminalLink(keys.masterKey, TERMINAL, center.address.port);
    try {
      const wrong = await RawPeer.connect(center.address.port);
      peers.push(wrong);
      expect(await wrong.handshake(TERMINAL, Buffer.alloc(32, 1))).toBe('PROTO_AUTH_FAILED');
      expect((await link.request({ type: 'ping' })).type).toBe('pong');
      const refused = await RawPeer.connect(center.address.port);
      peers.push(refused);
      expect(await refused.errorCode()).toBe('PROTO_TOO_MANY_CONNECTIONS');
      expect(center.securityCounters()).toMatchObject({ tooManyConnections: 1, authFailed: 1, badMac: 0, replay: 0 });
    } finally {
      for (const p of peers) p.close();
      await link.close();
      await center.close();
      await storage.close();
    }
  });
});
