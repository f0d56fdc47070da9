import { IC_CARD } from './records.js';
import type { ValidityRepository } from './repository.js';
import type { ValiditySource } from './types.js';

/**
 * The validity repository seen as the engine's and the store's source (both
 * engines). Lists and change feeds carry IC cards only (the in-memory store's
 * table holds 8-byte ids); a single medium is read whatever its kind.
 */
export function storageSource(repo: ValidityRepository): ValiditySource {
  return {
    getMedium: async (id) => (await repo.getMedium(id)) ?? null,
    getTerminal: async (id) => (await repo.getTerminal(id)) ?? null,
    listMedia: (afterId, limit) => repo.listMedia(afterId, limit, IC_CARD),
    listTerminals: (afterId, limit) => repo.listTerminals(afterId, limit),
    listMediaChangedSince: (after, limit) => repo.listMediaChangedSince(after, limit, IC_CARD),
    listTerminalsChangedSince: (after, limit) => repo.listTerminalsChangedSince(after, limit),
    countMedia: () => repo.countMedia(IC_CARD),
    validityVersion: () => repo.getValidityVersion(),
    // PostgreSQL: resolves once LISTEN is active, so a prefetch after it misses no change committed in between.
    subscribe: async (listener) => {
      const unsubscribe = await repo.subscribeValidity(listener);
      return async () => unsubscribe();
    },
    captureMedium: async (id) => {
      await repo.captureMedium(id);
    },
  };
}
