const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** True for the hosts a metrics port may bind (loopback). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
