/**
 * roleSettings of the provider kiosk (seed 004), validated when the role is
 * created: a bad config stops the agent at start (TERM_CONFIG_INVALID).
 */
import { z } from 'zod';
import { KIOSK_LIMITS } from '../../../../limits.js';
import { termError } from '../../../errors.js';

const ms = z.number().int().positive();

export const kioskSettingsSchema = z
  .object({
    /** The e-money currency (the center's); charges and cards in another are refused. */
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency: 3 uppercase letters (ISO 4217 alpha)').default('JPY'),
    /** Largest charge the kiosk takes (minor units). */
    amountMinorMax: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(KIOSK_LIMITS.chargeAmountMinorMaxDefault),
    /** How long an approved charge waits for its e-money card. */
    awaitCardMs: ms.default(KIOSK_LIMITS.awaitCardMsDefault),
    /** How long a charge bound to a card that left before its credit waits for that card. */
    boundKeepMs: ms.default(KIOSK_LIMITS.boundKeepMsDefault),
  })
  .strict();

export type KioskSettings = z.infer<typeof kioskSettingsSchema>;

/**
 * Settings of older builds that no longer mean anything: refused (not silently
 * ignored), each with why and what to do, so a config that relies on one is
 * corrected rather than trusted.
 */
const REMOVED_SETTINGS: Readonly<Record<string, string>> = {
  chargeRepeatWindowMs: 'no longer used: an unanswered charge is given up (CHARGE_ABANDON), never repeated; remove this field',
};

export function parseKioskSettings(input: unknown): KioskSettings {
  const removed: string[] = [];
  let rest = input;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const kept: Record<string, unknown> = { ...(input as Record<string, unknown>) };
    for (const [field, why] of Object.entries(REMOVED_SETTINGS)) {
      if (!Object.hasOwn(kept, field)) continue;
      removed.push(`roleSettings.${field}: ${why}`);
      delete kept[field];
    }
    rest = kept;
  }
  const r = kioskSettingsSchema.safeParse(rest);
  if (r.success && removed.length === 0) return r.data;
  const problems = [...removed, ...(r.success ? [] : r.error.issues.map((i) => `roleSettings.${i.path.join('.') || '(root)'}: ${i.message}`))];
  throw termError('TERM_CONFIG_INVALID', `role provider-kiosk: ${problems.join('; ')}`, { problems });
}
