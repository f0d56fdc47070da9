/**
 * The voucher module's API (seed 002, issue 12): the contract the other
 * parts are built against. The settlement center implements it
 * (center/voucher/, module name `voucher`); the HQ link (HQ → center,
 * activations, voids, reversals, blocks, the daily file) and the merchant
 * API routes (/v1/vouchers/...) call it. Types only; the lead wrote it so
 * that the center module, the HQ and the web shop could be built at once.
 *
 * Money is integer minor units (JPY: yen). A card's serial is public (the
 * barcode carries it); its PIN is secret (scratch-off panel) and is passed
 * in here only to be hashed (HMAC, key from a 0600 file) and compared in
 * constant time: it is never returned, logged or stored in clear, except in
 * the one print of its batch (`takeForPrinting`).
 *
 * Refusals are thrown as coded TesseraErrors from center/voucher/errors.ts
 * (prefix VOUCHER_, each with its `http` status and a wire result code in
 * 0x0500-0x05ff for the till): VOUCHER_SERIAL_INVALID (bad length or check
 * digit), VOUCHER_UNKNOWN, VOUCHER_WRONG_CHAIN (the card belongs to another
 * HQ), VOUCHER_ALREADY_ACTIVE, VOUCHER_BLOCKED, VOUCHER_VOIDED,
 * VOUCHER_EXPIRED, VOUCHER_AMOUNT_INVALID, VOUCHER_VOID_REFUSED (spent, other
 * store, other day, past the window), VOUCHER_REQUEST_REUSED (same request id,
 * other fields), VOUCHER_PIN_REFUSED (one code for every PIN that cannot pay:
 * unknown, not active, used up, expired: it reveals nothing),
 * VOUCHER_LOCKED_OUT (too many failed PINs: `retryAfterMs` in details),
 * VOUCHER_INSUFFICIENT (the PINs together hold less than the amount),
 * VOUCHER_TOO_MANY_CARDS, VOUCHER_REDEMPTION_UNKNOWN, VOUCHER_REDEMPTION_STATE
 * (capture after cancel, refund over the captured amount, ...).
 */

/** Card states (docs/VOUCHERS.md has the table of transitions). */
export type VoucherState = 'issued' | 'active' | 'partly-used' | 'used-up' | 'voided' | 'blocked' | 'expired';

/** A redemption's states. */
export type RedemptionState = 'authorized' | 'captured' | 'cancelled' | 'expired' | 'refunded' | 'partly-refunded';

export interface IssueBatchRequest {
  /** The chain headquarters the cards travel through; only its stores can activate them. */
  readonly hqId: string;
  /** Fixed face value (500, 1000, 2000, 3000, 5000 JPY) ... */
  readonly denomination?: number;
  /** ... or a variable-load card: the till keys an amount in [minLoad, maxLoad]. Exactly one of denomination / maxLoad. */
  readonly maxLoad?: number;
  readonly count: number;
  /** Days a card stays spendable after its activation (default from the module's limits). */
  readonly validDays?: number;
}

export interface VoucherBatch {
  readonly batchId: string;
  readonly hqId: string;
  readonly denomination: number | null;
  readonly maxLoad: number | null;
  readonly count: number;
  readonly currency: string;
  /** First and last serial of the batch (serials of a batch are consecutive). */
  readonly firstSerial: string;
  readonly lastSerial: string;
  readonly createdAtMs: number;
  /** True once `takeForPrinting` ran: the PINs are gone from the center. */
  readonly printed: boolean;
}

/** One card as the print run sees it, the only time its PIN leaves the center. */
export interface PrintableCard {
  readonly serial: string;
  readonly pin: string;
  readonly denomination: number | null;
  readonly maxLoad: number | null;
  readonly currency: string;
}

/** What an HQ forwards for a till's sale (the HQ has checked the store is its own). */
export interface ActivationRequest {
  /** The POS's request id, unique per HQ: the idempotency key end to end. */
  readonly requestId: string;
  readonly hqId: string;
  readonly storeId: string;
  readonly terminalId: string;
  readonly serial: string;
  /** Face value for a fixed card (must equal it); the keyed amount for a variable-load card. */
  readonly amount: number;
  readonly currency: string;
}

export interface ActivationResult {
  readonly requestId: string;
  readonly serial: string;
  readonly amount: number;
  readonly currency: string;
  readonly expiresAtMs: number;
  /** True when this answers a request id seen before (same fields): nothing changed. */
  readonly replayed: boolean;
}

/** The till cancels a sale: same store, same business day, within the window, nothing spent. */
export interface VoidRequest {
  readonly requestId: string;
  readonly hqId: string;
  readonly storeId: string;
  /** The activation being cancelled. */
  readonly activationRequestId: string;
}

/**
 * The till never got the activation's answer, so it gave the customer the
 * money back: the HQ repeats this until answered. An activation that never
 * arrived leaves a tombstone (a late activation with that id is refused);
 * one that did is undone (value leaves the card) unless the card was spent,
 * which cannot happen before the customer has the card and so is refused
 * with VOUCHER_VOID_REFUSED and reported.
 */
export interface ReversalRequest {
  readonly hqId: string;
  /** The activation's request id. */
  readonly activationRequestId: string;
}

export interface ReversalResult {
  readonly activationRequestId: string;
  readonly outcome: 'reversed' | 'never-arrived';
}

/** An HQ reports stock lost or stolen: a batch, or a serial range, of its own cards. */
export interface BlockRequest {
  readonly hqId: string;
  readonly batchId?: string;
  readonly fromSerial?: string;
  readonly toSerial?: string;
  readonly reason: string;
}

export interface BlockResult {
  /** Cards now blocked (issued cards, and active cards not yet spent). */
  readonly blocked: number;
  /** Cards left alone because they were sold and (partly) spent. */
  readonly refused: number;
}

/** Where a redemption comes from, for the guessing counters. */
export interface RedeemSource {
  readonly merchantId: string;
  /** The API key's id (never the key itself). */
  readonly keyId: string;
  /** The caller's address. */
  readonly address: string;
}

export interface BalanceAnswer {
  /** Last four digits of the serial: enough for the buyer to tell cards apart, never the PIN. */
  readonly serialLast4: string;
  readonly state: VoucherState;
  readonly balance: number;
  readonly currency: string;
  readonly expiresAtMs: number;
}

export interface RedeemRequest {
  readonly source: RedeemSource;
  /** The merchant's Idempotency-Key (the merchant API stores the HTTP answer; this is the engine's own key). */
  readonly redemptionKey: string;
  readonly pins: readonly string[];
  readonly amount: number;
  readonly currency: string;
  readonly orderRef: string;
  /** Capture at once (pay now) or hold (authorise now, capture when shipped). */
  readonly capture: boolean;
}

export interface RedemptionCard {
  readonly serialLast4: string;
  /** Taken from this card by this redemption (net of refunds). */
  readonly taken: number;
  /** Left on the card after it. */
  readonly remaining: number;
}

export interface Redemption {
  readonly redemptionId: string;
  readonly merchantId: string;
  readonly orderRef: string;
  readonly state: RedemptionState;
  readonly amount: number;
  readonly captured: number;
  readonly refunded: number;
  readonly currency: string;
  /** When an authorisation releases its value by itself (authorized only). */
  readonly authExpiresAtMs: number | null;
  readonly cards: readonly RedemptionCard[];
}

/** The daily file an HQ and the center both build and compare (仕入れ決済). */
export interface HqDailyFile {
  readonly hqId: string;
  /** Business day, YYYY-MM-DD in the center's settlement time zone. */
  readonly businessDay: string;
  readonly currency: string;
  readonly activations: number;
  readonly activatedMinor: number;
  readonly voids: number;
  readonly voidedMinor: number;
  /** Face value sold net of voids and reversals. */
  readonly netFaceMinor: number;
  /** The HQ's commission (agreed basis points of the net face value, rounded down). */
  readonly commissionMinor: number;
  /** What the HQ owes the center for the day: net face value less commission. */
  readonly dueMinor: number;
  /** One line per activation/void/reversal: request id, serial, amount, kind (for a line-by-line comparison). */
  readonly lines: readonly { readonly requestId: string; readonly serial: string; readonly amount: number; readonly kind: 'activation' | 'void' | 'reversal' }[];
}

export interface VoucherApi {
  // The settlement center's own operations (CLI `tessera voucher ...`)
  registerHq(hqId: string, o: { commissionBp: number }): Promise<void>;
  issueBatch(req: IssueBatchRequest): Promise<VoucherBatch>;
  batch(batchId: string): Promise<VoucherBatch>;
  /** The PINs of a batch, once: afterwards they exist only as keyed hashes (VOUCHER_BATCH_PRINTED on a second call). */
  takeForPrinting(batchId: string): Promise<readonly PrintableCard[]>;

  // What an HQ forwards
  activate(req: ActivationRequest): Promise<ActivationResult>;
  void(req: VoidRequest): Promise<{ readonly requestId: string; readonly replayed: boolean }>;
  reverse(req: ReversalRequest): Promise<ReversalResult>;
  block(req: BlockRequest): Promise<BlockResult>;
  dailyFile(hqId: string, businessDay: string): Promise<HqDailyFile>;
  /** The HQ paid the day's dueMinor (booked; VOUCHER_FILE_MISMATCH when the HQ's totals differ from the center's). */
  settleHqDay(hqId: string, businessDay: string, o: { paidMinor: number; hqTotals: Pick<HqDailyFile, 'activations' | 'netFaceMinor' | 'dueMinor'> }): Promise<void>;

  // What online shops call through the merchant API
  balance(source: RedeemSource, pin: string): Promise<BalanceAnswer>;
  redeem(req: RedeemRequest): Promise<Redemption>;
  capture(merchantId: string, redemptionId: string, amount?: number): Promise<Redemption>;
  cancel(merchantId: string, redemptionId: string): Promise<Redemption>;
  refund(merchantId: string, redemptionId: string, o: { refundId: string; amount: number }): Promise<Redemption>;
  redemption(merchantId: string, redemptionId: string): Promise<Redemption>;
  /** The merchant's own redemptions with this order reference, newest first, at most `limit` (another merchant's: none). */
  redemptionsByOrder(merchantId: string, orderRef: string, limit?: number): Promise<Redemption[]>;

  /** Authorisations past their deadline release their value; cards past expiry are expired (booked); shop payouts due are made. */
  sweep(): Promise<void>;
}
