import { z } from 'zod';
import { MERCHANT_LIMITS } from './limits.js';

/**
 * The `merchantApi` section of the center config: when present the center
 * runs the merchant API on its own listener. Without `tls` the host must be
 * loopback (tests and the demo); shops reach it over HTTPS.
 */
export const merchantApiSectionSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1').describe('Address the merchant API binds; without tls only a loopback address is accepted.'),
    port: z.number().int().min(0).max(65_535).describe('TCP port of the merchant API; 0 picks a free port.'),
    tls: z
      .object({
        certFile: z.string().min(1).describe('Path of the PEM certificate of the merchant API listener.'),
        keyFile: z.string().min(1).describe('Path of the PEM private key of the merchant API listener, mode 0600.'),
      })
      .strict()
      .optional()
      .describe('HTTPS for shops; plain HTTP only on loopback (tests and the demo).'),
    rateLimit: z
      .object({
        max: z.number().int().min(1).max(1_000_000).describe('Requests one API key may make per window.'),
        windowMs: z.number().int().min(1_000).max(3_600_000).describe('The rate-limit window, in milliseconds.'),
      })
      .strict()
      .default({ max: MERCHANT_LIMITS.rateRequestsMaxDefault, windowMs: MERCHANT_LIMITS.rateWindowMsDefault })
      .describe('Per API key: `max` requests per `windowMs` (a token bucket); over it a coded 429 with Retry-After.'),
  })
  .strict()
  .describe('The merchant API for online shops (/v1/, center/merchant-api): when present the center runs it on its own listener.');

export type MerchantApiSection = z.infer<typeof merchantApiSectionSchema>;
