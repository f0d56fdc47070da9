/**
 * Named maxima of the terminal (TigerBeetle style): every buffer, timeout,
 * retry and poll has its bound here, relations asserted at module load.
 */
import { assert } from '../core/assert.js';

// ---------------------------------------------------------------- devices

export const DEVICE_LIMITS = {
  /** Longest short command APDU: header 4 + Lc 1 + 255 data + Le 1. */
  apduBytesMax: 261,
  /** Longest short response APDU: 256 data + SW1 SW2. */
  responseBytesMax: 258,
  /** Default and largest time a transmit may take before DEV_TIMEOUT. */
  transmitTimeoutMsDefault: 5_000,
  transmitTimeoutMsMax: 60_000,
  /** Time to connect (exclusive) to a card after its insertion is seen. */
  cardConnectTimeoutMs: 5_000,
  /**
   * How long a failed transmit waits to learn whether the card was pulled
   * (pcscd polls card presence every 400 ms), and the step of that wait.
   */
  removalConfirmMs: 1_000,
  removalPollMs: 25,
  /** Retry interval while the PC/SC service or the reader is gone. */
  readerRetryMs: 250,
  /** Wait in open() for a reader matching the name pattern. */
  readerOpenTimeoutMs: 10_000,
  /**
   * Longest barcode line (bytes before the delimiter) unless the scanner's config says otherwise; longer lines
   * are discarded with DEV_SCAN_TOO_LONG. Up to scanLineBytesMax: a phone's settlement-password QR
   * (seed 003, TPQ1:…) is up to 828 characters plus the AIM prefix.
   */
  scanLineBytesDefault: 512,
  scanLineBytesMax: 1_100,
  /** Longest delimiter. */
  scanDelimiterBytesMax: 4,
  /** Retry interval while the serial port is gone: the first retry, doubled after each failed one up to the max. */
  serialReopenMsMin: 100,
  serialReopenMsMax: 2_000,
  /**
   * Presence check of an open serial port's path: the port is gone when the
   * path no longer names the device opened. serialport does not always see
   * the loss itself (a pty whose owner was killed can read as idle forever).
   */
  serialPresencePollMs: 500,
  /**
   * Silence after which a partial scan line is one that will not end (no or
   * wrong suffix): dropped with DEV_SCAN_UNTERMINATED. A scanner sends a code
   * in one burst; even at 1200 baud its bytes are 8 ms apart.
   */
  scanLineIdleMs: 500,
  /** Baud rates a scanner may be configured with. */
  serialBaudsAllowed: [1200, 2400, 4800, 9600, 19_200, 38_400, 57_600, 115_200] as readonly number[],
  /** Largest file on a removable store (payload bytes). */
  storeFileBytesMax: 1024 * 1024,
  /** Longest file name on a removable store. */
  storeFileNameCharsMax: 64,
  /** Files listed on one medium at most. */
  storeFilesMax: 256,
  /** Presence poll interval of the mount directory. */
  storePollMs: 200,
  /** Longest ccTalk frame: destination, length, source, header, 255 data bytes, checksum. */
  cctalkFrameBytesMax: 260,
  /** Time a ccTalk slave has to answer one request before it counts as silent. */
  cctalkReplyTimeoutMs: 500,
  /** Silent requests in a row after which the validator is reported offline (DEV_TIMEOUT). */
  cctalkSilentMax: 3,
  /** Bill types a ccTalk validator has (inhibit masks of header 231 are two bytes). */
  cctalkBillTypesMax: 16,
  /** Events a ccTalk validator buffers for header 159 (the spec's fixed 5). */
  cctalkEventBufferCount: 5,
  /** Interval of "read buffered bill events" polls (the spec asks for a poll at least every second or so). */
  validatorPollMs: 200,
  /** How long stack() / return() wait for the validator to report the note stacked or returned. */
  validatorRouteTimeoutMs: 5_000,
} as const;

assert(DEVICE_LIMITS.transmitTimeoutMsDefault <= DEVICE_LIMITS.transmitTimeoutMsMax, 'default transmit timeout above max');
assert(DEVICE_LIMITS.readerRetryMs < DEVICE_LIMITS.readerOpenTimeoutMs, 'reader retry must fit in the open timeout');
assert(DEVICE_LIMITS.removalPollMs < DEVICE_LIMITS.removalConfirmMs, 'removal poll step must fit in the confirm window');
assert(DEVICE_LIMITS.removalConfirmMs < DEVICE_LIMITS.transmitTimeoutMsDefault, 'removal confirmation must end before a transmit times out');
assert(DEVICE_LIMITS.scanDelimiterBytesMax < DEVICE_LIMITS.scanLineBytesDefault, 'delimiter longer than a line');
assert(DEVICE_LIMITS.scanLineBytesDefault <= DEVICE_LIMITS.scanLineBytesMax, 'scan line default within the max');
assert(DEVICE_LIMITS.serialReopenMsMin <= DEVICE_LIMITS.serialReopenMsMax, 'serial reopen backoff starts above its max');
assert(DEVICE_LIMITS.storeFileNameCharsMax < 255, 'file names must fit every file system');
assert(DEVICE_LIMITS.cctalkFrameBytesMax === 255 + 5, 'a ccTalk frame carries at most 255 data bytes');
assert(DEVICE_LIMITS.validatorPollMs > 0 && DEVICE_LIMITS.cctalkReplyTimeoutMs < DEVICE_LIMITS.validatorRouteTimeoutMs, 'a route must fit several polls');
assert(DEVICE_LIMITS.cctalkBillTypesMax <= 16, 'header 231 inhibit masks cover 16 bill types');

// ---------------------------------------------------------------- agent (terminal/agent, terminal/journal)

export const AGENT_LIMITS = {
  /** Unsettled offline purchase records the journal holds at most (one settle request carries them all). */
  journalUnsettledMax: 2_000,
  /** Open outbox entries (requests to repeat or reverse) at most. */
  outboxOpenMax: 256,
  /** Attempts of one outbox entry (across restarts) before it is marked abandoned. */
  outboxAttemptsMax: 20,
  /** Outbox entries the agent repeats in one drain pass. */
  outboxDrainBatchMax: 32,
  /** Interval between outbox drain passes while entries are open. */
  outboxDrainIntervalMs: 5_000,
  /** Cash notes reports (notesPerReportMax notes each) and collections one outbox pass sends at most. */
  cashReportPassesMax: 8,
  /** Longest whole card flow (insertion to release) before TERM_FLOW_TIMEOUT. */
  cardFlowTimeoutMs: 120_000,
  /** Default time the center has to answer one request (each link attempt). */
  requestTimeoutMsDefault: 5_000,
  requestTimeoutMsMax: 60_000,
  /** Keypad input (amount, PIN) wait. */
  keypadInputTimeoutMs: 60_000,
  /** Scripted keypad entries queued at most. */
  keypadQueueMax: 64,
  /** Largest outbox payload (bytes). */
  outboxPayloadBytesMax: 64 * 1024,
  /** Cards served one after another without the agent blocking (queued insertion events). */
  cardQueueMax: 4,
  /**
   * How long a card flow whose transmit failed with DEV_CARD_REMOVED waits,
   * before labelling the card's disposition, for the reader to report the
   * removal (pcscd polls presence every 400 ms, later under load).
   */
  removalReportWaitMs: 3_000,
} as const;

assert(AGENT_LIMITS.requestTimeoutMsDefault <= AGENT_LIMITS.requestTimeoutMsMax, 'agent request timeout default above max');
assert(AGENT_LIMITS.outboxDrainBatchMax <= AGENT_LIMITS.outboxOpenMax, 'drain batch larger than the outbox');
assert(AGENT_LIMITS.requestTimeoutMsMax < AGENT_LIMITS.cardFlowTimeoutMs, 'a flow must fit at least one request');
assert(DEVICE_LIMITS.removalConfirmMs < AGENT_LIMITS.removalReportWaitMs, 'the agent waits for a removal report at least as long as the driver confirms one');
assert(AGENT_LIMITS.removalReportWaitMs < AGENT_LIMITS.cardFlowTimeoutMs, 'the removal report wait must fit in a card flow');

// ---------------------------------------------------------------- provider kiosk (seed 004 charge)

export const KIOSK_LIMITS = {
  /**
   * How long an approved charge waits for its e-money card (default). Shorter
   * than the center's issue timeout, so the kiosk never binds a charge the
   * center is about to reverse; after it the charge is left to that reversal.
   */
  awaitCardMsDefault: 5 * 60_000,
  /** How long a charge bound to a card that left before its credit waits for that card to come back. */
  boundKeepMsDefault: 24 * 3_600_000,
  /** Largest charge a kiosk takes unless configured otherwise (minor units). */
  chargeAmountMinorMaxDefault: 1_000_000,
  /** Bank PIN digits (ISO 9564 format-2 blocks carry 4-12). */
  bankPinDigitsMin: 4,
  bankPinDigitsMax: 12,
} as const;

assert(KIOSK_LIMITS.awaitCardMsDefault < KIOSK_LIMITS.boundKeepMsDefault, 'a bound charge waits at least as long as an unbound one');
assert(KIOSK_LIMITS.chargeAmountMinorMaxDefault <= Number.MAX_SAFE_INTEGER, 'charge maximum must be a safe integer');

// ---------------------------------------------------------------- member shop / vending (seed 004 purchase)

export const SHOP_LIMITS = {
  /** Items in the till's open basket (scanned, not yet paid); one more is TERM_BASKET_FULL. */
  basketItemsMax: 50,
  /** Products on a shop's or vending machine's price list (roleSettings.products). */
  productsMax: 1_000,
  /** Longest item code (barcode data) on a shop's price list. */
  itemCodeCharsMax: 32,
  /** Settlement receipt names tried when one is taken on the medium (two settles in one millisecond). */
  receiptNameTriesMax: 10,
} as const;

assert(SHOP_LIMITS.basketItemsMax >= 1, 'a basket must take an item');
assert(SHOP_LIMITS.receiptNameTriesMax >= 1, 'a receipt needs a name to try');
assert(`SETTLE-YYYYMMDD-HHMMSSmmm-${'X'.repeat(16)}-${SHOP_LIMITS.receiptNameTriesMax}.JSON`.length <= DEVICE_LIMITS.storeFileNameCharsMax, 'receipt names must fit the store');

// ---------------------------------------------------------------- voucher POS (seed 002)

export const VOUCHER_POS_LIMITS = {
  /**
   * How long the till waits for an activation's answer before it voids the
   * sale and journals a reversal; above the HQ's own forward deadline
   * (center/hq/limits.ts forwardDeadlineMsDefault, 4 s), so the HQ answers first when it can.
   */
  answerTimeoutMsDefault: 8_000,
  /** Range of an amount keyed for a variable-load card unless configured otherwise (minor units). */
  keyedAmountMinorMinDefault: 500,
  keyedAmountMinorMaxDefault: 50_000,
  /** A void's answer wait (each attempt). */
  voidTimeoutMs: 8_000,
} as const;

assert(VOUCHER_POS_LIMITS.keyedAmountMinorMinDefault <= VOUCHER_POS_LIMITS.keyedAmountMinorMaxDefault, 'keyed voucher amount range ordered');
assert(VOUCHER_POS_LIMITS.answerTimeoutMsDefault <= AGENT_LIMITS.requestTimeoutMsMax, 'the till waits at most the longest request');

/** The settlement-password till (seed 003, roles/passwords/). */
export const PASSWORD_POS_LIMITS = {
  /** Each attempt's wait for the TTP's answer (the sale is captured in one unit: quick). */
  answerTimeoutMsDefault: 8_000,
  /** Attempts with the same TRANSACTION_ID before the outcome is reported unknown. */
  answerAttemptsDefault: 3,
  answerAttemptsMax: 10,
  /** Range of a keyed sale amount unless configured otherwise (minor units). */
  amountMinorMinDefault: 1,
  amountMinorMaxDefault: 500_000,
} as const;

assert(PASSWORD_POS_LIMITS.answerAttemptsDefault <= PASSWORD_POS_LIMITS.answerAttemptsMax, 'password till attempts within the max');
assert(PASSWORD_POS_LIMITS.answerTimeoutMsDefault <= AGENT_LIMITS.requestTimeoutMsMax, 'the password till waits at most the longest request');

