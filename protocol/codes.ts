/**
 * The code tables of the wire protocol, mirrored in PROTOCOL.md §5-§6.
 * One place for every number that goes on the wire: message codes, TLV tags
 * and the enumerations carried in TLV values. Append only; never renumber.
 * Which capability owns which message codes: core/numbers.ts.
 */
import { ownerOf } from '../core/numbers.js';

/** Frame header constants (PROTOCOL.md §2). */
export const MAGIC = 0x5453; // "TS"
export const VERSION = 0x01;
export const FLAG_MAC = 0x0001; // a 16-byte MAC trails the body
export const FLAG_RESPONSE = 0x0002; // the frame answers the request named by its request id
export const FLAGS_KNOWN = FLAG_MAC | FLAG_RESPONSE;

/** Message codes (header byte 3). */
export const MSG = {
  // Handshake (sent without MAC except AUTH / AUTH_OK; request id 0)
  HELLO: 0x01, //               terminal → center: terminal id, terminal nonce
  CHALLENGE: 0x02, //           center → terminal: center nonce
  AUTH: 0x03, //                terminal → center: terminal proof (MAC'd, seq 1)
  AUTH_OK: 0x04, //             center → terminal: center proof (MAC'd, seq 1)
  CALLBACK_HELLO: 0x05, //      center → terminal (center dialled): token, terminal id, center nonce
  CALLBACK_AUTH: 0x06, //       terminal → center: terminal nonce, terminal proof
  // Control
  PING: 0x08, //                either → either: keep-alive request
  PONG: 0x09, //                response to PING
  ERROR: 0x0f, //               either → either: coded protocol error
  // Fleet status (protocol version 2; PROTOCOL.md §6.8)
  TERMINAL_STATUS: 0x0a, //     terminal → center: software and protocol version, device states (on connect and on change)
  TERMINAL_STATUS_ACK: 0x0b, // response to TERMINAL_STATUS: recorded
  // Validity check and transaction (seed 001)
  VALIDITY_REQUEST: 0x10, //    medium id + terminal id
  VALIDITY_ACK: 0x11, //        both checked, valid
  VALIDITY_EARLY_ACK: 0x12, //  one side checked, the other still pending: send the transaction now
  VALIDITY_NAK: 0x13, //        invalid: reason + capture flag; the center then closes
  TRANSACTION_REQUEST: 0x14, // transaction id, kind, amount, content TLVs
  TRANSACTION_RESULT: 0x15, //  approved / declined + code
  // E-money over bank POS (seed 004)
  CHARGE_REQUEST: 0x20, //      bank card data + sealed PIN block + amount
  CHARGE_RESULT: 0x21, //       bank transfer to the provider's account done or refused
  EMONEY_ISSUE_REQUEST: 0x22, //card id, counter, amount
  EMONEY_ISSUE_RESULT: 0x23, // host MAC ("unique authenticator") to write to the card
  PURCHASE_UPLOAD: 0x24, //     accumulated purchase records
  PURCHASE_UPLOAD_ACK: 0x25, // per-record acceptance
  SETTLE_REQUEST: 0x26, //      terminal id + records: "settle"
  AWAIT_CALLBACK: 0x27, //      disconnect, the center calls back with this token
  SETTLEMENT_INSTRUCTION: 0x28, // (callback session) provider account, sealed security code, total, per-record results
  SETTLEMENT_ACK: 0x29, //      records erased by the terminal
  CHARGE_ABANDON: 0x2a, //      the kiosk gave the charge up (customer told it failed): reverse it now; answered by CHARGE_RESULT
  SETTLE_REFUSED: 0x2b, //      answers SETTLE_REQUEST: not settled now (result code); nothing opened, the session goes on
  // Rewritable-medium prepaid (seed 000)
  PREPAID_REQUEST: 0x30, //     a service (use, balance) + the medium shown: its file, or medium id, generation, proof
  PREPAID_RESULT: 0x31, //      status, result code (0x04xx), balance, the new or pending file (sealed to a proof), receipt
  PREPAID_CONFIRM: 0x32, //     the medium shows the generation it holds (S43 confirmed)
  PREPAID_CONFIRM_RESULT: 0x33, // confirmed / current / resume (+ the pending file) / refused
  PREPAID_ISSUE: 0x34, //       prepaid terminal: a new medium paid in cash (stacked notes) or by a purse debit record
  PREPAID_ISSUE_RESULT: 0x35, // the new medium's id and generation 1's file to write, or declined + code
  // Voucher activated at the point of sale (seed 002)
  // 0x38-0x3b: the first sketch (activation carrying the PIN, redemption on the wire); retired, never sent
  // by Tessera, no flow serves them (PROTOCOL.md §6.5). Kept in the catalog so the numbers are never reused.
  VOUCHER_ACTIVATE_REQUEST: 0x38,
  VOUCHER_ACTIVATE_RESULT: 0x39,
  VOUCHER_REDEEM_REQUEST: 0x3a,
  VOUCHER_REDEEM_RESULT: 0x3b,
  VOUCHER_ACTIVATE: 0x3c, //    till → HQ: sale of a card: serial (never the PIN), amount; the POS request id
  VOUCHER_VOID: 0x3d, //        till → HQ: cancel a sale (the activation's request id)
  VOUCHER_REVERSAL: 0x3e, //    till → HQ: the activation's answer never came, the customer got the money back: undo it
  VOUCHER_RESULT: 0x3f, //      answers the three: status, result code (0x05xx), amount and expiry when activated
  // Settlement passwords (seed 003)
  PASSWORD_ISSUE_REQUEST: 0x40,
  PASSWORD_ISSUE_RESULT: 0x41,
  PASSWORD_REDEEM_REQUEST: 0x42,
  PASSWORD_REDEEM_RESULT: 0x43,
  PASSWORD_SALE_REQUEST: 0x44, // terminal → TTP: an in-store sale on a password (scanned QR or keypad code), captured at once
  PASSWORD_SALE_RESULT: 0x45, //  approved / declined + code (0x06xx); captured amount, value left, expiry
  // Cash taken by a terminal's bill validator (issue 9; PROTOCOL.md §6.7)
  CASH_NOTES_REPORT: 0x50, //   notes stacked into the terminal's cash box (each with its note key)
  CASH_RESULT: 0x51, //         booked (all or none) or refused + code; answers both cash requests
  CASH_COLLECTION: 0x52, //     the cash box emptied: collection id, currency, control count and total, the note keys
} as const;
export type MsgCode = (typeof MSG)[keyof typeof MSG];
for (const [name, n] of Object.entries(MSG)) {
  if (!ownerOf('messages', n)) throw new Error(`message code ${name} = 0x${n.toString(16)} lies in no area's range (core/numbers.ts)`);
}

/**
 * TLV tags (BER-TLV, context-specific class). One-byte tags are
 * 0x80 | n (primitive) and 0xA0 | n (constructed) for n < 31; two-byte tags
 * are 0x9F nn with nn in 0x1F..0x7F. Fixed-width integers are big-endian.
 * Tags with class bits 11 (first byte 0xC0..0xFF) are private and ignorable.
 */
export const TAG = {
  TERMINAL_ID: 0x80, //        ascii 1-16 [A-Z0-9-]
  NONCE: 0x81, //              32 bytes
  PROOF: 0x82, //              32 bytes HMAC-SHA-256
  ERROR_CODE: 0x83, //         u16 wire error code
  MEDIUM_ID: 0x84, //          8 bytes (IC card / medium / purse card id)
  REASON: 0x85, //             u8 NAK reason
  CAPTURE: 0x86, //            u8 0 = return the card, 1 = capture it
  TRANSACTION_ID: 0x87, //     16 bytes idempotency key
  KIND: 0x88, //               u8 transaction kind
  AMOUNT_MINOR: 0x89, //       u64, at most 2^53-1
  CURRENCY: 0x8a, //           ascii 3 A-Z
  STATUS: 0x8b, //             u8 result status
  RESULT_CODE: 0x8c, //        u16 business result code (0 = none)
  BANK_CODE: 0x8d, //          ascii 4 digits
  BRANCH_CODE: 0x8e, //        ascii 3 digits
  ACCOUNT_NUMBER: 0x8f, //     ascii 7 digits
  PIN_BLOCK: 0x90, //          sealed (PROTOCOL.md §4.4), 29-92 bytes (36 for format 2)
  HOST_MAC: 0x91, //           4-32 bytes unique authenticator
  CARD_COUNTER: 0x92, //       u32
  TERMINAL_NONCE: 0x93, //     8 bytes
  CARD_MAC: 0x94, //           4-32 bytes
  CALLBACK_TOKEN: 0x95, //     16 bytes
  WAIT_MS: 0x96, //            u32 milliseconds
  SECURITY_CODE: 0x97, //      sealed (PROTOCOL.md §4.4), 29-92 bytes
  RECORD_STATUS: 0x98, //      u8 settlement status of one record
  PREPAID_INFO: 0x99, //       1-4096 bytes opaque prepaid information file
  BALANCE_MINOR: 0x9a, //      u64
  VOUCHER_PIN: 0x9b, //        ascii 10-16 digits (repeatable in redeem)
  MERCHANT_ID: 0x9c, //        ascii 1-16 [A-Z0-9-] store / shop / payee
  PASSWORD: 0x9d, //           ascii 8-32 [A-Z0-9]
  VERIFICATION_CODE: 0x9e, //  ascii 4-16 digits
  SERVICE: 0x9f20, //          u8 prepaid service kind
  VENDOR_ID: 0x9f21, //        ascii 1-16 [A-Z0-9-]
  RECEIPT: 0x9f22, //          0-1024 bytes opaque vendor receipt
  EXPIRES_AT_MS: 0x9f23, //    u64 wall-clock ms since epoch
  DEVICE_ADDRESS: 0x9f24, //   ascii 1-64 printable: where to deliver the password
  USER_RESTRICTION: 0x9f25, // ascii 1-64 printable
  GOODS_CLASS: 0x9f26, //      ascii 1-32 printable
  FATAL: 0x9f27, //            u8 0/1: the sender of the ERROR closes the connection
  STACKED_AT_MS: 0x9f28, //    u64 wall-clock ms since epoch: when the validator stacked the note
  NOTE_COUNT: 0x9f29, //       u32 control count of a cash collection
  NOTE_KEY: 0x9f2a, //         16 bytes: one stacked note's idempotency key (repeatable in CASH_COLLECTION)
  RECORD: 0xa0, //             constructed: one purchase record
  CONTENT: 0xa1, //            constructed: opaque transaction content TLVs
  RECORD_RESULT: 0xa2, //      constructed: record key + record status
  RECORD_KEY: 0xa3, //         constructed: medium id + card counter (names one record)
  CASH_NOTE: 0xa4, //          constructed: note key, amount, currency, stacked-at (one stacked note)
  SOFTWARE_VERSION: 0x9f2b, // ascii 1-32 printable: the terminal software's version
  PROTOCOL_VERSION: 0x9f2c, // u16: the highest protocol version the terminal speaks (TERMINAL_STATUS)
  DEVICE_KIND: 0x9f2d, //      u8 DEVICE_KIND
  DEVICE_STATE: 0x9f2e, //     u8 DEVICE_STATE
  DEVICE_REASON: 0x9f2f, //    ascii 1-40 [A-Z0-9_]: the device's coded reason (e.g. DEV_PORT_GONE)
  DEVICE: 0xa5, //             constructed: kind, state, reason (one device)
  VOUCHER_SERIAL: 0x9f38, //   ascii 16 digits: a voucher card's public serial (15 digits + Luhn check digit)
  ISSUED_MEDIUM_ID: 0x9f34, // 16 bytes: the prepaid medium an issue made (PREPAID_ISSUE_RESULT only); the same value as PREPAID_MEDIUM_ID, its own tag for version-1 peers (PROTOCOL.md §6.4)
  ORIGINAL_TRANSACTION_ID: 0x9f39, // 16 bytes: the request a void cancels (the activation's TRANSACTION_ID)
  PASSWORD_QR: 0x9f40, //      ascii 1-1024 [A-Z0-9:]: a settlement password's QR text as scanned (TPQ1:...)
  PREPAID_MEDIUM_ID: 0x9f30, // 16 bytes: a prepaid medium's id (docs/MEDIUM.md; MEDIUM_ID is the 8-byte card id); the tag for it in every new message
  GENERATION: 0x9f31, //       u32: the generation of a prepaid medium's file (shown, or of the file sent back)
  MEDIUM_PROOF: 0x9f32, //     16 bytes: HMAC keyed from the file shown over the canonical request (PROTOCOL.md §6.4)
  SEALED_FILE: 0x9f33, //      28-4124 bytes: a prepaid file sealed to the holder of the file shown (§6.4)
  // Private class (PROTOCOL.md §3.3): a version-1 receiver skips them, so they ride in AUTH / AUTH_OK unnoticed by old peers.
  HANDSHAKE_VERSION: 0xdf01, //     u16: AUTH: highest protocol version the terminal speaks; AUTH_OK: the version chosen for the session
  HANDSHAKE_VERSION_MIN: 0xdf02, // u16: AUTH: lowest protocol version the terminal speaks
} as const;
export type Tag = (typeof TAG)[keyof typeof TAG];

/** VALIDITY_NAK reasons (TAG.REASON). */
export const NAK_REASON = {
  MEDIUM_UNKNOWN: 0x01,
  MEDIUM_LOST: 0x02,
  MEDIUM_STOLEN: 0x03,
  MEDIUM_EXPIRED: 0x04,
  MEDIUM_CAPTURED: 0x05,
  TERMINAL_UNKNOWN: 0x10,
  TERMINAL_INACTIVE: 0x11,
  TERMINAL_MISMATCH: 0x12, // the terminal id in the request is not the session's
  CHECK_UNAVAILABLE: 0x20, // the deferred check could not complete
} as const;
export type NakReason = (typeof NAK_REASON)[keyof typeof NAK_REASON];

/** Which side VALIDITY_EARLY_ACK is still checking. */
export const PENDING_CHECK = { TERMINAL: 0x01, MEDIUM: 0x02 } as const;
export type PendingCheck = (typeof PENDING_CHECK)[keyof typeof PENDING_CHECK];

/** TRANSACTION_REQUEST kinds (TAG.KIND). */
export const TX_KIND = { PURCHASE: 0x01, REFUND: 0x02, WITHDRAWAL: 0x03, DEPOSIT: 0x04, BALANCE: 0x05, REVERSAL: 0x06 } as const;
export type TxKind = (typeof TX_KIND)[keyof typeof TX_KIND];

/** Result statuses of every *_RESULT message (TAG.STATUS). */
export const STATUS = { APPROVED: 0x00, DECLINED: 0x01 } as const;
export type Status = (typeof STATUS)[keyof typeof STATUS];

/** Per-record settlement outcome (TAG.RECORD_STATUS). */
export const RECORD_STATUS = { ACCEPTED: 0x00, FORGED: 0x01, ALTERED: 0x02, DUPLICATE: 0x03 } as const;
export type RecordStatus = (typeof RECORD_STATUS)[keyof typeof RECORD_STATUS];

/** Prepaid services (seed 000; TAG.SERVICE). */
export const PREPAID_SERVICE = { USAGE_CHARGE: 0x01, SHAREWARE_REGISTRATION: 0x02, GOODS: 0x03, BALANCE: 0x04 } as const;
export type PrepaidService = (typeof PREPAID_SERVICE)[keyof typeof PREPAID_SERVICE];

/**
 * STATUS of PREPAID_RESULT / PREPAID_CONFIRM_RESULT (seed 000, §6.4): 0 and 1 are
 * APPROVED (done) and DECLINED (refused) as in every *_RESULT; the others say
 * what the holder must do with the file sent back.
 */
export const PREPAID_STATUS = { DONE: 0x00, REFUSED: 0x01, REPEATED: 0x02, RESUME: 0x03, CONFIRMED: 0x04, CURRENT: 0x05 } as const;
export type PrepaidStatus = (typeof PREPAID_STATUS)[keyof typeof PREPAID_STATUS];

/** Devices a terminal reports in TERMINAL_STATUS (TAG.DEVICE_KIND). */
export const DEVICE_KIND = { READER: 0x01, SCANNER: 0x02, STORE: 0x03, VALIDATOR: 0x04 } as const;
export type DeviceKind = (typeof DEVICE_KIND)[keyof typeof DEVICE_KIND];

/** A device's state (TAG.DEVICE_STATE): the XFS4IoT device states, plus JAMMED (a card or note stuck). */
export const DEVICE_STATE = { ONLINE: 0x00, OFFLINE: 0x01, BUSY: 0x02, HARDWARE_ERROR: 0x03, JAMMED: 0x04 } as const;
export type DeviceStateCode = (typeof DEVICE_STATE)[keyof typeof DEVICE_STATE];

/** Name of a value in one of the tables above (for logs, docs and vector comments). */
export function nameOf(table: Readonly<Record<string, number>>, value: number): string {
  for (const [k, v] of Object.entries(table)) if (v === value) return k;
  return `0x${value.toString(16)}`;
}
