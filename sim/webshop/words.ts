/**
 * What the buyer reads for a code: the center's refusals in plain words.
 * The code itself is shown beside them (small print), so support can match
 * a buyer's screenshot with the journal. No message reveals which of
 * several PINs failed or why a PIN cannot pay: the center answers one code
 * for every such PIN (VOUCHER_PIN_REFUSED), and the shop says no more.
 */
const WORDS: Readonly<Record<string, string>> = {
  VOUCHER_PIN_REFUSED:
    'A card number (PIN) you entered cannot pay. Check the digits under the scratch-off panel. A card can pay only after the store activated it at the till, and not once it is used up or expired.',
  VOUCHER_INSUFFICIENT: 'Your cards together hold less than the total. Add another card, or choose fewer items.',
  VOUCHER_TOO_MANY_CARDS: 'Too many cards for one payment. Use fewer cards of higher value.',
  VOUCHER_LOCKED_OUT: 'Too many wrong card numbers were entered. For your protection, payments with cards are paused for a while; try again later.',
  VOUCHER_AMOUNT_INVALID: 'The amount of this order cannot be paid with cards.',
  VOUCHER_REDEMPTION_STATE: 'This payment was already completed, cancelled or refunded.',
  MERCHANT_IDEMPOTENCY_MISMATCH:
    'This payment was already sent with other cards. Enter the same cards as the first time, or start a new order.',
  MERCHANT_UNAVAILABLE: 'We could not reach the card payment service, so we do not know yet whether your payment went through. Press pay again with the same cards: you will not be charged twice.',
  MERCHANT_RATE_LIMITED: 'The payment service is busy. Try again in a minute.',
  WEBSHOP_BAD_INPUT: 'Please correct the form.',
};

const DEFAULT_REFUSED = 'The payment was refused. Try other cards, or contact the shop with the code below.';
const DEFAULT_NO_ANSWER = 'We could not confirm your payment. Press pay again with the same cards: you will not be charged twice.';

/** The buyer's sentence for a refusal or failure code. */
export function buyerWords(code: string, inDoubt: boolean, details: Readonly<Record<string, unknown>> = {}): string {
  const base = WORDS[code] ?? (inDoubt ? DEFAULT_NO_ANSWER : DEFAULT_REFUSED);
  const retry = details.retryAfterMs;
  if (code === 'VOUCHER_LOCKED_OUT' && typeof retry === 'number') return `${base} (about ${Math.max(1, Math.ceil(retry / 60_000))} min)`;
  return base;
}
