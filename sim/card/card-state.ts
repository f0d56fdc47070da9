import { createHash } from 'node:crypto';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import { deriveCardKeys } from '../../protocol/purse/crypto.js';
import { PURSE_LIMITS } from '../../protocol/purse/constants.js';

/** What a virtual card's chip keeps between insertions (persisted per card in the sim state dir). */
export const CardStateSchema = z.object({
  version: z.literal(1),
  cardId: z.string().regex(/^[0-9a-f]{16}$/),
  /** `purse`: the Tessera purse; `foreign`: some other issuer's card (SELECT of our AID answers 6A82). */
  application: z.enum(['purse', 'foreign']),
  currency: z.string().regex(/^[A-Z]{3}$/),
  balanceMinor: z.number().int().min(0).max(PURSE_LIMITS.balanceMinorMax),
  counter: z.number().int().min(0).max(PURSE_LIMITS.counterMax),
  pinTriesLeft: z.number().int().min(0).max(PURSE_LIMITS.pinTriesMax),
  /** SHA-256 of "TESSERA-PIN" || card id || PIN digits (hex): the sim never stores the PIN itself. */
  pinHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The card's diversified keys (hex). A simulated secret: real cards never export them. */
  cardMacKey: z.string().regex(/^[0-9a-f]{64}$/),
  hostMacKey: z.string().regex(/^[0-9a-f]{64}$/),
});

export type CardState = z.infer<typeof CardStateSchema>;

/**
 * A bank cash card (seed 004): the user's bank account, read by the provider
 * kiosk. It holds no PIN: the bank checks the PIN (sim/CARD.md).
 */
export const CashCardStateSchema = z.object({
  version: z.literal(1),
  cardId: z.string().regex(/^[0-9a-f]{16}$/),
  application: z.literal('cash'),
  bankCode: z.string().regex(/^[0-9]{4}$/),
  branchCode: z.string().regex(/^[0-9]{3}$/),
  accountNumber: z.string().regex(/^[0-9]{7}$/),
});

export type CashCardState = z.infer<typeof CashCardStateSchema>;

/** Any card the store keeps: purse/foreign states (unchanged format) or cash cards. */
export const StoredCardSchema = z.union([CardStateSchema, CashCardStateSchema]);
export type StoredCard = CardState | CashCardState;

export function pinHash(cardId: string, pin: string): string {
  return createHash('sha256').update('TESSERA-PIN').update(Buffer.from(cardId, 'hex')).update(pin, 'ascii').digest('hex');
}

export interface PersonaliseOptions {
  readonly cardId: string;
  readonly pin: string;
  readonly balanceMinor?: number;
  readonly currency?: string;
  readonly masterKey: Buffer;
  readonly application?: CardState['application'];
}

/** Issues a card: keys diversified from the issuer master key, full PIN tries, counter 0. */
export function personaliseCard(options: PersonaliseOptions): CardState {
  const keys = deriveCardKeys(options.masterKey, options.cardId);
  return CardStateSchema.parse({
    version: 1,
    cardId: options.cardId,
    application: options.application ?? 'purse',
    currency: options.currency ?? 'JPY',
    balanceMinor: options.balanceMinor ?? 0,
    counter: 0,
    pinTriesLeft: PURSE_LIMITS.pinTriesMax,
    pinHash: pinHash(options.cardId, options.pin),
    cardMacKey: keys.cardMacKey.toString('hex'),
    hostMacKey: keys.hostMacKey.toString('hex'),
  });
}

export interface CashCardOptions {
  readonly cardId: string;
  readonly bankCode: string;
  readonly branchCode: string;
  readonly accountNumber: string;
}

/** Issues a bank cash card for an account; a malformed field (bank 4 digits, branch 3, account 7) is SIM_BAD_COMMAND. */
export function personaliseCashCard(options: CashCardOptions): CashCardState {
  const parsed = CashCardStateSchema.safeParse({ version: 1, application: 'cash', ...options });
  if (!parsed.success) throw new TesseraError('SIM_BAD_COMMAND', 'cash card: card id 16 hex chars, bank code 4 digits, branch 3 digits, account number 7 digits');
  return parsed.data;
}
