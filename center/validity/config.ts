import { z } from 'zod';
import { VALIDITY_LIMITS } from './limits.js';
import { VALIDITY_MODES } from './types.js';

/** The `validity` section of the center config: which of the four modes (VALIDITY.md) and its timings. */
export const validitySectionSchema = z
  .object({
    mode: z
      .enum(VALIDITY_MODES)
      .default('cached')
      .describe(
        'How a validity request is judged (center/validity/VALIDITY.md): direct reads medium and terminal from the database; cached judges both from memory (configuration 1); cached-medium answers EARLY_ACK from the in-memory media list and reads the terminal from the database (configuration 2); cached-terminal the other way round (configuration 3).',
      ),
    refreshIntervalMs: z
      .number()
      .int()
      .min(VALIDITY_LIMITS.refreshIntervalMsMin)
      .max(VALIDITY_LIMITS.refreshIntervalMsMax)
      .default(300_000)
      .describe('Period of the full reload of the in-memory validity store from the database, in milliseconds.'),
    deferredCheckTimeoutMs: z
      .number()
      .int()
      .min(10)
      .max(60_000)
      .default(VALIDITY_LIMITS.deferredCheckTimeoutMsDefault)
      .describe('A deferred database check (cached-medium, cached-terminal) that takes longer is answered NAK UNAVAILABLE, in milliseconds.'),
  })
  .strict()
  .default({ mode: 'cached', refreshIntervalMs: 300_000, deferredCheckTimeoutMs: VALIDITY_LIMITS.deferredCheckTimeoutMsDefault })
  .describe('The validity engine: how media and terminals are checked.');

export type ValiditySection = z.infer<typeof validitySectionSchema>;
