/**
 * How the center's HTTP surface (fastify, on the admin listener) exposes
 * and counts: `metricsRoute(metrics)` mounts GET /metrics, and
 * `httpMetricsHook(metrics)` adds the onResponse hook that counts every
 * request by route pattern (never the raw URL: ids in paths would make
 * unbounded labels), method and status. Both are `(app) => void`, so the
 * admin server calls them on its root instance before its routes are added.
 */
import type { FastifyInstance } from 'fastify';
import type { CenterMetrics } from './center-metrics.js';

/** Mounts GET /metrics (text exposition format 0.0.4). */
export function metricsRoute(metrics: CenterMetrics): (app: FastifyInstance) => void {
  return (app) => {
    app.get('/metrics', async (_req, reply) => {
      const text = await metrics.scrape();
      return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(text);
    });
  };
}

/**
 * Counts every answered request, 404s and errors included. The route label
 * is fastify's route pattern (`/terminals/:id`), `other` when no route
 * matched, so a scan of random URLs adds no series.
 */
export function httpMetricsHook(metrics: CenterMetrics): (app: FastifyInstance) => void {
  return (app) => {
    app.addHook('onResponse', (req, reply, done) => {
      metrics.observeHttp(req.routeOptions.url, req.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  };
}
