import { z } from 'zod';
import { isLoopbackHost } from '../loopback.js';

/**
 * The `metrics` section of the terminal's and the bank host's config: a
 * Prometheus /metrics endpoint on a loopback address (docs/METRICS.md).
 */
export const metricsSectionSchema = z
  .object({
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .refine(isLoopbackHost, 'a loopback address (127.0.0.1 or ::1)')
      .describe('Loopback address of /metrics (127.0.0.1 or ::1).'),
    port: z.number().int().min(0).max(65_535).describe('Port of /metrics; 0 picks a free port (printed in the ready line).'),
  })
  .strict()
  .optional()
  .describe('Prometheus /metrics on a loopback address (docs/METRICS.md); off when absent.');
