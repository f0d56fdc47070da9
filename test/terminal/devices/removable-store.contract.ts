/**
 * The removable-store contract (terminal/devices/removable-store.ts), run
 * against every implementation through a harness. Today: the mount-directory
 * driver with virtual media (temp directories inserted and ejected).
 */
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../../core/clock.js';
import type { VirtualMedium } from '../../../sim/medium/virtual-medium.js';
import type { RemovableStore } from '../../../terminal/devices/removable-store.js';

export interface StoreRig {
  readonly store: RemovableStore;
  readonly clock: ManualClock;
  /** A medium on the shelf (not inserted). */
  medium(name: string): VirtualMedium;
  /** The directory the medium occupies when ejected (to look at leftovers). */
  shelfPath(name: string): string;
  /** Calls fn between the temp file's fsync and its rename, once. */
  onNextTempSynced(fn: () => Promise<void> | void): void;
  stop(): Promise<void>;
}

export interface StoreHarness {
  rig(pollMs: number): Promise<StoreRig>;
}

const POLL_MS = 200;
const codeOf = (code: string) => expect.objectContaining({ code });

export function describeRemovableStoreContract(name: string, harness: StoreHarness): void {
  describe(`RemovableStore contract: ${name}`, () => {
    const rigs: StoreRig[] = [];
    const rig = async (): Promise<StoreRig> => {
      const r = await harness.rig(POLL_MS);
      rigs.push(r);
      return r;
    };
    afterEach(async () => {
      await Promise.all(rigs.splice(0).map((r) => r.stop()));
    });

    it('reports insertion and removal on the next poll of the injected clock', async () => {
      const { store, clock, medium } = await rig();
      const events: string[] = [];
      store.on('inserted', () => events.push('inserted'));
      store.on('removed', () => events.push('removed'));
      await store.open();
      expect(await store.status()).toEqual({ device: 'online', media: 'absent' });
      await expect(store.readFile('prepaid.dat')).rejects.toThrow(codeOf('DEV_MEDIUM_ABSENT'));
      const m = medium('disk-1');
      m.insert();
      expect(events).toEqual([]); // not before the poll
      clock.advance(POLL_MS);
      expect(events).toEqual(['inserted']);
      m.eject();
      clock.advance(POLL_MS);
      expect(events).toEqual(['inserted', 'removed']);
      expect(await store.status()).toEqual({ device: 'online', media: 'absent' });
    });

    it('reports a medium already present at open', async () => {
      const { store, medium } = await rig();
      medium('disk-2').insert();
      const events: string[] = [];
      store.on('inserted', () => events.push('inserted'));
      await store.open();
      expect(events).toEqual(['inserted']);
    });

    it('writes, reads, lists and deletes named files; content survives eject and re-insert', async () => {
      const { store, clock, medium } = await rig();
      await store.open();
      const m = medium('disk-3');
      m.insert();
      clock.advance(POLL_MS);
      await store.writeFile('prepaid.dat', Buffer.from('balance=1200'));
      await store.writeFile('usage.log', Buffer.from('one\n'));
      await store.writeFile('prepaid.dat', Buffer.from('balance=900'));
      expect((await store.readFile('prepaid.dat')).toString()).toBe('balance=900');
      expect(await store.listFiles()).toEqual(['prepaid.dat', 'usage.log']);
      await store.deleteFile('usage.log');
      await expect(store.readFile('usage.log')).rejects.toThrow(codeOf('DEV_FILE_NOT_FOUND'));
      m.eject();
      await expect(store.listFiles()).rejects.toThrow(codeOf('DEV_MEDIUM_ABSENT'));
      m.insert();
      expect((await store.readFile('prepaid.dat')).toString()).toBe('balance=900');
    });

    it('keeps the old file when the medium is removed during a write', async () => {
      const { store, clock, medium, onNextTempSynced, shelfPath } = await rig();
      await store.open();
      const m = medium('disk-4');
      m.insert();
      clock.advance(POLL_MS);
      await store.writeFile('prepaid.dat', Buffer.from('OLD'));
      onNextTempSynced(() => m.eject()); // pulled after the new bytes hit the medium, before the rename
      await expect(store.writeFile('prepaid.dat', Buffer.from('NEW'))).rejects.toThrow(codeOf('DEV_MEDIUM_REMOVED'));
      expect(readdirSync(shelfPath('disk-4')).filter((f) => f.endsWith('.tmp'))).toHaveLength(1); // the torn attempt
      m.insert();
      expect((await store.readFile('prepaid.dat')).toString()).toBe('OLD');
      expect(await store.listFiles()).toEqual(['prepaid.dat']); // temp files are never listed
    });

    it('detects corrupt, truncated and foreign files with DEV_FILE_CORRUPT', async () => {
      const { store, clock, medium } = await rig();
      await store.open();
      const m = medium('disk-5');
      m.insert();
      clock.advance(POLL_MS);
      await store.writeFile('good.dat', Buffer.from('intact'));
      m.putFile('flipped.dat', Buffer.from('will be flipped'));
      m.corrupt('flipped.dat');
      m.putRaw('short.dat', m.rawFile('good.dat').subarray(0, 20));
      m.putRaw('foreign.txt', Buffer.from('plain text from another system'));
      for (const f of ['flipped.dat', 'short.dat', 'foreign.txt']) {
        await expect(store.readFile(f)).rejects.toThrow(codeOf('DEV_FILE_CORRUPT'));
      }
      expect((await store.readFile('good.dat')).toString()).toBe('intact');
    });

    it('rejects bad names and oversized files, and every call after close', async () => {
      const { store, clock, medium } = await rig();
      await store.open();
      medium('disk-6').insert();
      clock.advance(POLL_MS);
      for (const bad of ['', '.hidden', '../escape', 'a/b', 'x'.repeat(65)]) {
        await expect(store.writeFile(bad, Buffer.from('x'))).rejects.toThrow(codeOf('DEV_BAD_ARGUMENT'));
      }
      await expect(store.writeFile('big.dat', Buffer.alloc(1024 * 1024 + 1))).rejects.toThrow(codeOf('DEV_FILE_TOO_LARGE'));
      await store.close();
      await expect(store.readFile('big.dat')).rejects.toThrow(codeOf('DEV_CLOSED'));
      await expect(store.open()).rejects.toThrow(codeOf('DEV_CLOSED'));
    });
  });
}
