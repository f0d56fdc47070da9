import type { Storage } from '../storage/types.js';
import type { ValidityPush, ValiditySource } from './types.js';

/** The storage contract seen as a validity source (both engines). */
export function storageSource(storage: Storage): ValiditySource {
  return {
    getMedium: async (id) => (await storage.getMedium(id)) ?? null,
    getTerminal: async (id) => (await storage.getTerminal(id)) ?? null,
    listMedia: (afterId, limit) => storage.listMedia(afterId, limit),
    listTerminals: (afterId, limit) => storage.listTerminals(afterId, limit),
    listMediaChangedSince: (after, limit) => storage.listMediaChangedSince(after, limit),
    listTerminalsChangedSince: (after, limit) => storage.listTerminalsChangedSince(after, limit),
    countMedia: () => storage.countMedia(),
    validityVersion: () => storage.getValidityVersion(),
    subscribe: async (listener: (push: ValidityPush) => void) => {
      const unsubscribe = storage.subscribeValidity(listener);
      // PostgreSQL: do not prefetch before LISTEN is active, or a change committed in between is never pushed.
      const pg = storage as Partial<{ validityListenReady(): Promise<void> }>;
      if (typeof pg.validityListenReady === 'function') await pg.validityListenReady();
      return async () => unsubscribe();
    },
    captureMedium: async (id) => {
      await storage.captureMedium(id);
    },
  };
}
