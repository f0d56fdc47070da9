/**
 * roleSettings of the password till (seed 003), validated when the role is
 * created: a bad config stops the agent at start (TERM_CONFIG_INVALID).
 */
import { z } from 'zod';
import { PASSWORD_POS_LIMITS as L } from '../../../limits.js';
import { termError } from '../../errors.js';

const minor = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const passwordPosSettingsSchema = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency: 3 uppercase letters (ISO 4217 alpha)').default('JPY'),
    /**
     * The TTP's Ed25519 public keys (32 bytes raw, hex; several while the TTP rolls its key): a scanned QR
     * is verified offline against them before anything is sent (protocol/password/verify.ts).
     */
    ttpPublicKeys: z.array(z.string().regex(/^[0-9a-f]{64}$/, '32 bytes as 64 lowercase hex chars')).min(1).max(4),
    /** This till's shop id (the terminal's owner at the TTP): a QR the device signed for another shop is refused offline. */
    shopId: z.string().regex(/^[A-Z0-9-]{1,16}$/).optional(),
    /** Goods category codes of what this till sells (its department), sent with every sale. */
    goodsClasses: z.array(z.string().regex(/^[A-Z0-9]{1,8}$/)).max(16).default([]),
    /** Range a keyed amount must fall in. */
    amountMinorMin: minor.default(L.amountMinorMinDefault),
    amountMinorMax: minor.default(L.amountMinorMaxDefault),
    /** Each attempt's wait for the answer; the sale is sent again with the same TRANSACTION_ID up to answerAttempts times. */
    answerTimeoutMs: z.number().int().min(500).max(60_000).default(L.answerTimeoutMsDefault),
    answerAttempts: z.number().int().min(1).max(L.answerAttemptsMax).default(L.answerAttemptsDefault),
  })
  .strict();

export type PasswordPosSettings = z.infer<typeof passwordPosSettingsSchema>;

export function parsePasswordPosSettings(input: unknown): PasswordPosSettings {
  const r = passwordPosSettingsSchema.safeParse(input ?? {});
  if (r.success && r.data.amountMinorMin <= r.data.amountMinorMax) return r.data;
  const problems = r.success ? ['roleSettings.amountMinorMin: above amountMinorMax'] : r.error.issues.map((i) => `roleSettings.${i.path.join('.') || '(root)'}: ${i.message}`);
  throw termError('TERM_CONFIG_INVALID', `role password-pos: ${problems.join('; ')}`, { problems });
}
