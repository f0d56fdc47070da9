import { createServer, type Server } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { serveMetrics } from '../../../core/metrics/serve.js';

/** The plain node:http /metrics endpoint (agent, bank host, a center without the admin API). */
describe('serveMetrics', () => {
  it('serves GET and HEAD /metrics from its registry only', async () => {
    const registry = new Registry();
    new Counter({ name: 'tessera_test_things_total', help: 'things', registers: [registry] }).inc(3);
    const server = await serveMetrics(registry, '127.0.0.1', 0);
    try {
      const base = `http://127.0.0.1:${server.address.port}`;
      const get = await fetch(`${base}/metrics?x=1`);
      expect(get.status).toBe(200);
      expect(get.headers.get('content-type')).toBe(registry.contentType);
      expect(await get.text()).toContain('tessera_test_things_total 3');
      const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    } finally {
      await server.close();
    }
  });

  it('refuses a non-loopback host (METRICS_NOT_LOOPBACK) and a taken port (METRICS_LISTEN_FAILED), naming the field', async () => {
    const registry = new Registry();
    const wide = await serveMetrics(registry, '0.0.0.0', 0).then(
      () => undefined,
      (e: unknown) => e as { code: string; details: Record<string, unknown> },
    );
    expect(wide).toMatchObject({ code: 'METRICS_NOT_LOOPBACK', details: { path: 'metrics.host' } });
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = await serveMetrics(registry, '127.0.0.1', port).then(
        () => undefined,
        (e: unknown) => e as { code: string; details: Record<string, unknown> },
      );
      expect(taken).toMatchObject({ code: 'METRICS_LISTEN_FAILED', details: { path: 'metrics.port', port } });
    } finally {
      blocker.close();
    }
  });
});
