import type { ValiditySource } from '../center/validity/types.js';

/**
 * Adds `extraMs` before every database read of the validity source (a slower
 * or farther database). Pushes and the capture write are left as they are.
 */
export function delayedSource(source: ValiditySource, extraMs: number): ValiditySource {
  if (extraMs <= 0) return source;
  const delay = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, extraMs));
  const slow =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await delay();
      return fn(...args);
    };
  return {
    getMedium: slow((id) => source.getMedium(id)),
    getTerminal: slow((id) => source.getTerminal(id)),
    listMedia: slow((after, limit) => source.listMedia(after, limit)),
    listTerminals: slow((after, limit) => source.listTerminals(after, limit)),
    listMediaChangedSince: slow((after, limit) => source.listMediaChangedSince(after, limit)),
    listTerminalsChangedSince: slow((after, limit) => source.listTerminalsChangedSince(after, limit)),
    countMedia: slow(() => source.countMedia()),
    validityVersion: slow(() => source.validityVersion()),
    subscribe: (listener) => source.subscribe(listener),
    captureMedium: (id) => source.captureMedium(id),
  };
}
