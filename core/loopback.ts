const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** True for a loopback host: where a metrics port, or a plain-HTTP listener (tests, the demo), may bind. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
