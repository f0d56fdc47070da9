/**
 * roleSettings of the member-shop roles (seed 004), validated when the role
 * is created: a bad config stops the agent at start (TERM_CONFIG_INVALID),
 * not at the first customer.
 */
import { z } from 'zod';
import { PROTOCOL_LIMITS } from '../../../../../protocol/limits.js';
import { SHOP_LIMITS } from '../../../../limits.js';
import { termError } from '../../../errors.js';

const currency = z.string().regex(/^[A-Z]{3}$/, 'currency: 3 uppercase letters (ISO 4217 alpha)');
/** Caps the center's AWAIT_CALLBACK wait (the operator's patience); absent: the center's wait. */
const settleWaitMs = z.number().int().positive().max(PROTOCOL_LIMITS.callbackWaitMsMax);
const priceMinor = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** Barcode data as the scanner sends it (AIM prefix and delimiter stripped): EAN/UPC digits, Code 128 text. */
export const ITEM_CODE = new RegExp(`^[0-9A-Za-z-]{1,${SHOP_LIMITS.itemCodeCharsMax}}$`);
const atMostProducts = (p: Record<string, number>): boolean => Object.keys(p).length <= SHOP_LIMITS.productsMax;
const tooMany = `at most ${SHOP_LIMITS.productsMax} products`;

export const shopSettingsSchema = z
  .object({
    /**
     * Ask the PIN before every debit. When false the PIN is asked only if the
     * card demands it (the Tessera purse demands it for every DEBIT, CARD.md).
     */
    pinRequired: z.boolean().default(false),
    currency: currency.default('JPY'),
    settleWaitMs: settleWaitMs.optional(),
    /** The till's price list: item code (barcode data) → price in minor units. Optional: without it every scan is TERM_ITEM_UNKNOWN. */
    products: z.record(z.string().regex(ITEM_CODE, `item code: 1-${SHOP_LIMITS.itemCodeCharsMax} of 0-9 A-Z a-z -`), priceMinor).refine(atMostProducts, tooMany).optional(),
  })
  .strict();

export const vendingSettingsSchema = z
  .object({
    /** Product code (the button) → price in minor units. */
    products: z.record(z.string().regex(/^[A-Z0-9-]{1,8}$/, 'product code: 1-8 of A-Z 0-9 -'), priceMinor)
      .refine((p) => Object.keys(p).length > 0, 'at least one product')
      .refine(atMostProducts, tooMany),
    currency: currency.default('JPY'),
    settleWaitMs: settleWaitMs.optional(),
  })
  .strict();

export type ShopSettings = z.infer<typeof shopSettingsSchema>;
export type VendingSettings = z.infer<typeof vendingSettingsSchema>;

/** Parses roleSettings; TERM_CONFIG_INVALID lists each bad field (paths under roleSettings). */
export function parseRoleSettings<S extends z.ZodType>(schema: S, role: string, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `roleSettings.${i.path.join('.') || '(root)'}: ${i.message}`);
  throw termError('TERM_CONFIG_INVALID', `role ${role}: ${problems.join('; ')}`, { problems });
}
