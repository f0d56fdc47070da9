/**
 * The `prepaid` section of `tessera center --config` (seed 000): the master
 * key lives in a 0600 file, never in the config.
 */
import { z } from 'zod';

export const prepaidSectionSchema = z
  .object({
    masterKeyFile: z.string().min(1).describe('Path of the prepaid master key file (64 hex chars, mode 0600): every medium key is diversified from it.'),
    issuerId: z.number().int().min(0).max(0xffffffff).describe('This prepaid center\'s issuer id (u32), written in every medium file; a medium of another issuer is refused.'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency: 3 letters A-Z').default('JPY').describe('The currency of the media (ISO 4217 alpha).'),
    providers: z
      .array(z.string().regex(/^[A-Z0-9-]{1,16}$/, 'a terminal id: 1-16 of [A-Z0-9-]'))
      .default([])
      .describe('Terminal ids (on the validity terminal list, keyed like any terminal) of the provider centers that may send PREPAID_REQUEST and PREPAID_CONFIRM (PROTOCOL.md §6.4); a provider charges its usage fee under this id.'),
  })
  .strict();

export type PrepaidSection = z.infer<typeof prepaidSectionSchema>;
