/**
 * roleSettings of the prepaid issuer (seed 000), validated when the role is
 * created: a bad config stops the agent at start (TERM_CONFIG_INVALID).
 */
import { z } from 'zod';
import { termError } from '../../errors.js';

export const prepaidIssuerSettingsSchema = z
  .object({
    /** The prepaid center's currency: a note in another currency is given back. */
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency: 3 uppercase letters (ISO 4217 alpha)').default('JPY'),
    /** The most one medium is issued for: a note that would take the customer's notes past it is given back. */
    amountMinorMax: z.number().int().min(1).max(10_000_000).default(50_000),
    /** Purse-card payment: ask the PIN before the debit (otherwise only when the card demands it). */
    pinRequired: z.boolean().default(false),
  })
  .strict();

export type PrepaidIssuerSettings = z.infer<typeof prepaidIssuerSettingsSchema>;

export function parsePrepaidIssuerSettings(input: unknown): PrepaidIssuerSettings {
  const r = prepaidIssuerSettingsSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `roleSettings.${i.path.join('.') || '(root)'}: ${i.message}`);
  throw termError('TERM_CONFIG_INVALID', `role prepaid-issuer: ${problems.join('; ')}`, { problems });
}
