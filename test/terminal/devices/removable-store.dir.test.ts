/** The removable-store contract on the real file system: mount directory + virtual media (temp dirs). */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../core/clock.js';
import { VirtualMedium } from '../../../sim/medium/virtual-medium.js';
import { DirRemovableStore } from '../../../terminal/devices/files/dir-removable-store.js';
import { describeRemovableStoreContract } from './removable-store.contract.js';

describeRemovableStoreContract('mount directory + virtual media', {
  rig: async (pollMs) => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-media-'));
    const shelf = join(root, 'shelf');
    mkdirSync(shelf);
    const mountDir = join(root, 'drive', 'medium');
    mkdirSync(join(root, 'drive'));
    const clock = new ManualClock();
    let hook: (() => Promise<void> | void) | null = null;
    const store = new DirRemovableStore({
      mountDir,
      clock,
      pollMs,
      afterTempSynced: async () => {
        const fn = hook;
        hook = null;
        await fn?.();
      },
    });
    return {
      store,
      clock,
      medium: (name) => new VirtualMedium(name, shelf, mountDir),
      shelfPath: (name) => join(shelf, name),
      onNextTempSynced: (fn) => {
        hook = fn;
      },
      stop: async () => {
        await store.close();
        rmSync(root, { recursive: true, force: true });
      },
    };
  },
});
