import { z } from 'zod';
import { ValidityLimits } from './limits.js';
import { VALIDITY_MODES } from './types.js';

/** The `validity` section of the center config: which of the four modes (VALIDITY.md) and its timings. */
export const validitySectionSchema = z
  .object({
    mode: z.enum(VALIDITY_MODES).default('cached'),
    refreshIntervalMs: z.number().int().min(ValidityLimits.refreshIntervalMsMin).max(ValidityLimits.refreshIntervalMsMax).default(300_000),
    deferredCheckTimeoutMs: z.number().int().min(10).max(60_000).default(ValidityLimits.deferredCheckTimeoutMs),
  })
  .strict()
  .default({ mode: 'cached', refreshIntervalMs: 300_000, deferredCheckTimeoutMs: ValidityLimits.deferredCheckTimeoutMs });

export type ValiditySection = z.infer<typeof validitySectionSchema>;
