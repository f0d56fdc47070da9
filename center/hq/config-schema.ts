/**
 * The `hq` section of `tessera hq serve --config` (seed 002): the HQ's id at
 * the settlement center, its stores and their tills, and the signed link to
 * the center. The signing key lives in a file (mode 0600), never in the config.
 */
import { z } from 'zod';
import { HQ_LIMITS } from './limits.js';

const id = z.string().regex(/^[A-Z0-9-]{1,16}$/, 'id: 1-16 of A-Z 0-9 -');

export const hqSectionSchema = z
  .object({
    hqId: id.describe('This HQ\'s id at the settlement center (the cards of its batches name it).'),
    currency: z.string().regex(/^[A-Z]{3}$/).default('JPY').describe('Currency of the cards the stores sell.'),
    commissionBp: z.number().int().min(0).max(10_000).default(0).describe('The HQ\'s agreed commission in basis points of the net face value (its own daily file computes what it owes with it).'),
    timeZone: z.string().min(1).default('Asia/Tokyo').describe('Time zone of the business day (the daily file\'s day), as the settlement center\'s.'),
    stores: z
      .array(z.object({ storeId: id.describe('Store id (sent to the center with each sale).'), terminals: z.array(id).min(1).describe('Terminal ids of the store\'s tills.') }).strict())
      .min(1)
      .describe('The HQ\'s stores and their tills; a till not listed is refused HQ_STORE_UNKNOWN.'),
    center: z
      .object({
        url: z.string().url().describe('Base URL of the settlement center\'s HQ link (https://host:port; http:// only on loopback).'),
        caFile: z.string().min(1).optional().describe('PEM CA certificate the center\'s TLS certificate is checked against (default: the system\'s).'),
        keyFile: z.string().min(1).describe('Path of the HQ\'s Ed25519 private key (PEM, mode 0600; `tessera hq keygen`). The center holds its public key.'),
      })
      .strict()
      .describe('The signed HTTPS link to the settlement center (PROTOCOL.md §6.5.1).'),
    forwardDeadlineMs: z
      .number()
      .int()
      .min(100)
      .max(60_000)
      .default(HQ_LIMITS.forwardDeadlineMsDefault)
      .describe('How long a till\'s activation waits for the center before the HQ answers HQ_CENTER_UNREACHABLE and reverses it; below the till\'s own wait.'),
  })
  .strict();

export type HqSection = z.infer<typeof hqSectionSchema>;
