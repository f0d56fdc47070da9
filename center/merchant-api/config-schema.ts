import { z } from 'zod';
import { MERCHANT_LIMITS } from './limits.js';

/**
 * The `merchantApi` section of the center config: when present the center
 * runs the merchant API on its own listener. Without `tls` the host must be
 * loopback (tests and the demo); shops reach it over HTTPS.
 */
export const merchantApiSectionSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535),
    tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).strict().optional(),
    /** Per API key: `max` requests per `windowMs` (a token bucket). */
    rateLimit: z
      .object({ max: z.number().int().min(1).max(1_000_000), windowMs: z.number().int().min(1_000).max(3_600_000) })
      .strict()
      .default({ max: MERCHANT_LIMITS.RATE_LIMIT_MAX, windowMs: MERCHANT_LIMITS.RATE_LIMIT_WINDOW_MS }),
  })
  .strict();

export type MerchantApiSection = z.infer<typeof merchantApiSectionSchema>;
