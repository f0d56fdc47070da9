/**
 * roleSettings of the voucher POS (seed 002), validated when the role is
 * created: a bad config stops the agent at start (TERM_CONFIG_INVALID).
 */
import { z } from 'zod';
import { VOUCHER_POS_LIMITS } from '../../../limits.js';
import { termError } from '../../errors.js';

const minor = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const voucherPosSettingsSchema = z
  .object({
    /** The cards' currency (the HQ's). */
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency: 3 uppercase letters (ISO 4217 alpha)').default('JPY'),
    /**
     * Fixed-value products by serial prefix (the till's item master): a scanned serial starting with a prefix
     * is sold at that amount. A serial matching none is a variable-load card: the clerk keys the amount.
     */
    products: z.array(z.object({ serialPrefix: z.string().regex(/^[0-9]{1,15}$/), amountMinor: minor }).strict()).default([]),
    /** Range a keyed amount must fall in (the center checks the card's own limit). */
    keyedAmountMinorMin: minor.default(VOUCHER_POS_LIMITS.keyedAmountMinorMinDefault),
    keyedAmountMinorMax: minor.default(VOUCHER_POS_LIMITS.keyedAmountMinorMaxDefault),
    /** How long the till waits for the activation's answer before it voids the sale (above the HQ's forward deadline). */
    answerTimeoutMs: z.number().int().min(500).max(60_000).default(VOUCHER_POS_LIMITS.answerTimeoutMsDefault),
  })
  .strict();

export type VoucherPosSettings = z.infer<typeof voucherPosSettingsSchema>;

export function parseVoucherPosSettings(input: unknown): VoucherPosSettings {
  const r = voucherPosSettingsSchema.safeParse(input ?? {});
  if (r.success && r.data.keyedAmountMinorMin <= r.data.keyedAmountMinorMax) return r.data;
  const problems = r.success ? ['roleSettings.keyedAmountMinorMin: above keyedAmountMinorMax'] : r.error.issues.map((i) => `roleSettings.${i.path.join('.') || '(root)'}: ${i.message}`);
  throw termError('TERM_CONFIG_INVALID', `role voucher-pos: ${problems.join('; ')}`, { problems });
}
