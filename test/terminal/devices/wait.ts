/** Anything with EventEmitter-style once/off (the device interfaces, EventEmitters). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Subscribable = { once(event: any, listener: any): unknown; off(event: any, listener: any): unknown };

/** Resolves with the next `event`'s arguments, or rejects after timeoutMs (tests only). */
export function nextEvent<T extends unknown[] = unknown[]>(emitter: Subscribable, event: string, timeoutMs = 5_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, handler);
      reject(new Error(`timed out waiting for '${event}'`));
    }, timeoutMs);
    const handler = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolve(args as T);
    };
    emitter.once(event, handler);
  });
}

/** Polls `check` every 20 ms until it holds, or throws after timeoutMs (tests only). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
