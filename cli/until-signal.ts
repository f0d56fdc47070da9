/**
 * Resolves on SIGTERM or SIGINT. A long-running command (center, terminal,
 * bank) must not end because its event loop ran empty — e.g. a terminal whose
 * stdin closed while its center and reader are gone keeps running offline —
 * so a referenced timer holds the loop open until the signal comes (without
 * it Node exits with code 13, an unsettled top-level await).
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const done = (signal: NodeJS.Signals): void => {
      clearInterval(keepAlive);
      process.off('SIGTERM', done);
      process.off('SIGINT', done);
      resolve(signal);
    };
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
}
