/**
 * The agent's TERMINAL_STATUS reporter against a real center (createCenter
 * on SQLite, real TCP and handshake): device states mapped to the wire
 * (store without a medium, a validator jam and a full cash box with their
 * codes), a report on connect and on each change; and on a version-1
 * session nothing is ever sent (a version-1 center does not know the
 * message). The devices are event-emitter doubles of the device interfaces.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { CENTER_MODULES, centerModules } from '../../../center/modules.js';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { deriveTerminalKey } from '../../../center/server/terminal-keys.js';
import { openStorage } from '../../../center/storage/open.js';
import { silentLogger } from '../../../core/log.js';
import { StatusReporter } from '../../../terminal/agent/status-reporter.js';
import type { BarcodeScanner } from '../../../terminal/devices/barcode-scanner.js';
import type { BillValidator } from '../../../terminal/devices/bill-validator.js';
import type { CardReader } from '../../../terminal/devices/card-reader.js';
import type { RemovableStore } from '../../../terminal/devices/removable-store.js';
import { LinkClient, type LinkSession } from '../../../terminal/link/link-client.js';
import { configOf, keyDir, seedTerminals, TERMINAL } from '../../center/server/support.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

class Double<S> extends EventEmitter {
  constructor(public state: S) {
    super();
  }
  async status(): Promise<S> {
    return this.state;
  }
}

async function world(linkVersions?: { min: number; max: number }) {
  const keys = keyDir();
  cleanups.push(() => keys.remove());
  const storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
  cleanups.push(() => storage.close());
  await seedTerminals(storage);
  const center: Center = await startCenter(configOf(keys.masterKeyFile), CENTER_MODULES, { storage, log: silentLogger });
  cleanups.push(() => center.close());
  const link = new LinkClient({
    terminalId: TERMINAL,
    terminalKey: deriveTerminalKey(keys.masterKey, `k-${TERMINAL}`),
    centers: [{ host: '127.0.0.1', port: center.address.port }],
    ...(linkVersions && { protocolVersions: linkVersions }),
  });
  cleanups.push(() => link.close());
  const reader = new Double({ device: 'online', media: 'absent', retained: false, readerName: 'R', atr: null, insertion: null });
  const scanner = new Double({ device: 'online', path: '/dev/x', code: null });
  const store = new Double({ device: 'online', media: 'absent' });
  const validator = new Double({ device: 'online', path: '/dev/y', enabled: false, escrow: null, cashBox: 'ok' });
  const reporter = new StatusReporter({
    link,
    reader: reader as unknown as CardReader,
    scanner: scanner as unknown as BarcodeScanner,
    store: store as unknown as RemovableStore,
    validator: validator as unknown as BillValidator,
    log: silentLogger,
  });
  cleanups.push(() => reporter.stop());
  const up = new Promise<LinkSession>((r) => link.on('up', r));
  await reporter.start();
  link.start();
  return { center, link, reporter, reader, scanner, store, validator, session: await up };
}

describe('StatusReporter', () => {
  it('reports on connect and on each change, with the device codes', async () => {
    const w = await world();
    const devices = async () => (await w.center.fleet.terminalStatus(TERMINAL))?.devices.map((d) => [d.kind, d.state, d.reason]);
    await vi.waitFor(async () =>
      expect(await devices()).toEqual([
        ['reader', 'online', null],
        ['scanner', 'online', null],
        ['store', 'offline', 'DEV_MEDIUM_ABSENT'],
        ['validator', 'online', null],
      ]),
    );
    w.store.emit('inserted');
    w.validator.emit('fault', { code: 'DEV_NOTE_JAMMED', event: 1 });
    w.scanner.emit('status', { device: 'offline', code: 'DEV_PORT_GONE' });
    await vi.waitFor(async () =>
      expect(await devices()).toEqual([
        ['reader', 'online', null],
        ['scanner', 'offline', 'DEV_PORT_GONE'],
        ['store', 'online', null],
        ['validator', 'jammed', 'DEV_NOTE_JAMMED'],
      ]),
    );
    w.validator.emit('accepted', {});
    w.validator.emit('cashBox', { state: 'full', code: 'DEV_CASHBOX_FULL' });
    w.reader.emit('status', { ...w.reader.state, media: 'jammed' });
    await vi.waitFor(async () =>
      expect(await devices()).toEqual([
        ['reader', 'jammed', null],
        ['scanner', 'offline', 'DEV_PORT_GONE'],
        ['store', 'online', null],
        ['validator', 'offline', 'DEV_CASHBOX_FULL'],
      ]),
    );
    // A status event that changes nothing sends nothing.
    const sent = w.reporter.reportsSent;
    w.scanner.emit('status', { device: 'offline', code: 'DEV_PORT_GONE' });
    expect(w.reporter.reportsSent).toBe(sent);
  });

  it('on a version-1 session it never sends TERMINAL_STATUS', async () => {
    const w = await world({ min: 1, max: 1 });
    expect(w.session.protocolVersion).toBe(1);
    w.scanner.emit('status', { device: 'offline', code: 'DEV_PORT_GONE' });
    expect(w.reporter.reportsSent).toBe(0);
    expect(await w.center.fleet.terminalStatus(TERMINAL)).toBeUndefined();
    expect(w.link.isUp).toBe(true);
  });
});
