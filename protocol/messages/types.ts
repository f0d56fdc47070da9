/**
 * The message catalog as a discriminated union on `type` (PROTOCOL.md §6).
 * Request ids, sequence numbers and flags live in the frame header, not here.
 * Byte fields are Buffers of the exact sizes the spec states.
 */
import type { DeviceKind, DeviceStateCode, NakReason, PendingCheck, PrepaidService, PrepaidStatus, RecordStatus, Status, TxKind } from '../codes.js';
import type { RawTlv } from '../tlv/fields.js';

export type { RawTlv };

// ---- handshake ----
export interface Hello { type: 'hello'; terminalId: string; nonce: Buffer }
export interface Challenge { type: 'challenge'; nonce: Buffer }
/**
 * `protocolVersion` / `protocolVersionMin`: the versions the terminal speaks
 * (PROTOCOL.md §4.6); absent from a version-1 terminal, which speaks 1 only.
 */
export interface Auth { type: 'auth'; proof: Buffer; protocolVersion?: number; protocolVersionMin?: number }
/** `protocolVersion`: the version chosen for the session; absent from a version-1 center (or for a version-1 terminal). */
export interface AuthOk { type: 'authOk'; proof: Buffer; protocolVersion?: number }
export interface CallbackHello { type: 'callbackHello'; terminalId: string; token: Buffer; nonce: Buffer }
export interface CallbackAuth { type: 'callbackAuth'; nonce: Buffer; proof: Buffer }

// ---- control ----
export interface Ping { type: 'ping' }
export interface Pong { type: 'pong' }
/** `wireCode` is a PROTO_WIRE_CODES number; `fatal` means the sender closes after this frame. */
export interface ErrorMessage { type: 'error'; wireCode: number; fatal: boolean }

// ---- fleet status (protocol version 2) ----
export interface DeviceStatus {
  kind: DeviceKind;
  state: DeviceStateCode;
  /** The device's coded reason (DEV_PORT_GONE, DEV_NOTE_JAMMED, ...), if it gave one. */
  reason?: string;
}
export interface TerminalStatus {
  type: 'terminalStatus';
  softwareVersion: string;
  /** The highest protocol version the terminal speaks. */
  protocolVersion: number;
  /** At most one per kind; a kind the terminal does not have is left out. */
  devices: DeviceStatus[];
}
export interface TerminalStatusAck { type: 'terminalStatusAck' }

// ---- validity check and transaction (seed 001) ----
export interface ValidityRequest { type: 'validityRequest'; mediumId: Buffer; terminalId: string }
export interface ValidityAck { type: 'validityAck' }
export interface ValidityEarlyAck { type: 'validityEarlyAck'; pending: PendingCheck }
export interface ValidityNak { type: 'validityNak'; reason: NakReason; capture: boolean }
export interface TransactionRequest {
  type: 'transactionRequest';
  transactionId: Buffer;
  kind: TxKind;
  amountMinor: number;
  currency: string;
  content: RawTlv[];
}
export interface TransactionResult { type: 'transactionResult'; transactionId: Buffer; status: Status; resultCode: number }

// ---- e-money over bank POS (seed 004) ----
export interface BankAccount { bankCode: string; branchCode: string; accountNumber: string }
export interface ChargeRequest extends BankAccount {
  type: 'chargeRequest';
  transactionId: Buffer;
  /** Sealed ISO 9564 format-2 PIN block (PROTOCOL.md §4.4); never the clear PIN. */
  pinBlock: Buffer;
  amountMinor: number;
  currency: string;
}
/**
 * The kiosk gave the charge up (its customer was told it failed): the center
 * reverses it now and never completes it. The charge's fields are repeated so
 * the center can record a tombstone for a CHARGE_REQUEST it never received.
 */
export interface ChargeAbandon extends BankAccount {
  type: 'chargeAbandon';
  transactionId: Buffer;
  amountMinor: number;
  currency: string;
}
export interface ChargeResult { type: 'chargeResult'; transactionId: Buffer; status: Status; resultCode: number }
export interface EmoneyIssueRequest {
  type: 'emoneyIssueRequest';
  transactionId: Buffer;
  mediumId: Buffer;
  cardCounter: number;
  amountMinor: number;
  currency: string;
  /**
   * Credit confirmation: the card's credit receipt MAC after applying the
   * credit (cardCounter is then the counter after the credit), with the
   * balance the card reported. Absent on the issue request itself.
   */
  creditReceipt?: Buffer;
  balanceMinor?: number;
}
export interface EmoneyIssueResult {
  type: 'emoneyIssueResult';
  transactionId: Buffer;
  status: Status;
  resultCode: number;
  /** The unique authenticator to write to the card; present when approved. */
  hostMac?: Buffer;
}
export interface RecordKey { mediumId: Buffer; cardCounter: number }
export interface PurchaseRecord extends RecordKey {
  amountMinor: number;
  currency: string;
  terminalId: string;
  terminalNonce: Buffer;
  cardMac: Buffer;
}
export interface RecordResult extends RecordKey { status: RecordStatus }
export interface PurchaseUpload { type: 'purchaseUpload'; records: PurchaseRecord[] }
/** resultCode (not 0): the upload was refused as a whole (nothing stored, no results); absent or 0: classified. */
export interface PurchaseUploadAck { type: 'purchaseUploadAck'; results: RecordResult[]; resultCode?: number }
export interface SettleRequest { type: 'settleRequest'; terminalId: string; records: PurchaseRecord[] }
export interface AwaitCallback { type: 'awaitCallback'; token: Buffer; waitMs: number }
/** SETTLE_REQUEST not taken (e-money result code, never 0): no batch opened, no callback; the terminal keeps its records. */
export interface SettleRefused { type: 'settleRefused'; resultCode: number }
export interface SettlementInstruction extends BankAccount {
  type: 'settlementInstruction';
  /** Sealed security code of the provider's account (PROTOCOL.md §4.4). */
  securityCode: Buffer;
  totalMinor: number;
  currency: string;
  results: RecordResult[];
}
export interface SettlementAck { type: 'settlementAck'; erased: RecordKey[] }

// ---- rewritable-medium prepaid (seed 000; PROTOCOL.md §6.4) ----
/** The medium shown: its whole file (a prepaid terminal, the operator), or its id, generation and a proof keyed from the file (the provider center). */
export type PrepaidShown =
  | { prepaidInfo: Buffer; mediumId?: never; generation?: never; mediumProof?: never }
  | { prepaidInfo?: never; mediumId: Buffer; generation: number; mediumProof: Buffer };
export type PrepaidRequest = {
  type: 'prepaidRequest';
  transactionId: Buffer;
  /** 1 usage charge (provider fee), 2 shareware registration, 3 goods (both vendor), 4 balance (amount 0). */
  service: PrepaidService;
  amountMinor: number;
  currency: string;
  /** The payee: the vendor (2, 3) or the provider charging its fee (1). */
  vendorId?: string;
} & PrepaidShown;
export interface PrepaidOutcome {
  transactionId: Buffer;
  status: PrepaidStatus;
  resultCode: number;
}
export interface PrepaidResult extends PrepaidOutcome {
  type: 'prepaidResult';
  /** The new or pending file in clear (only to a medium shown by its file). */
  prepaidInfo?: Buffer;
  balanceMinor?: number;
  /** The generation of the file sent back (or, with none, the one the center holds as current). */
  generation?: number;
  /** The new or pending file sealed to the holder of the file shown (a medium shown by a proof). */
  sealedFile?: Buffer;
  receipt?: Buffer;
}
export type PrepaidConfirm = { type: 'prepaidConfirm'; transactionId: Buffer } & PrepaidShown;
export interface PrepaidConfirmResult extends PrepaidOutcome {
  type: 'prepaidConfirmResult';
  prepaidInfo?: Buffer;
  balanceMinor?: number;
  generation?: number;
  sealedFile?: Buffer;
}

// ---- vouchers activated at the point of sale (seed 002) ----
export interface VoucherActivateRequest {
  type: 'voucherActivateRequest';
  transactionId: Buffer;
  voucherPin: string;
  amountMinor: number;
  currency: string;
  merchantId: string;
}
export interface VoucherActivateResult { type: 'voucherActivateResult'; transactionId: Buffer; status: Status; resultCode: number }
export interface VoucherRedeemRequest {
  type: 'voucherRedeemRequest';
  transactionId: Buffer;
  voucherPins: string[];
  amountMinor: number;
  currency: string;
  merchantId: string;
}
export interface VoucherRedeemResult {
  type: 'voucherRedeemResult';
  transactionId: Buffer;
  status: Status;
  resultCode: number;
  balanceMinor?: number;
}

/**
 * The till's voucher sale (PROTOCOL.md §6.5): the card's public serial and
 * the amount, never the PIN. TRANSACTION_ID is the POS request id, the
 * idempotency key till → HQ → settlement center.
 */
export interface VoucherActivate {
  type: 'voucherActivate';
  transactionId: Buffer;
  /** 16 digits: 15 + Luhn check digit. */
  serial: string;
  amountMinor: number;
  currency: string;
}
/** Cancels a sale: its own id, and the activation it cancels. */
export interface VoucherVoid {
  type: 'voucherVoid';
  transactionId: Buffer;
  originalTransactionId: Buffer;
}
/** The activation's answer never came and the customer was paid back: undo it (TRANSACTION_ID is the activation's). */
export interface VoucherReversal {
  type: 'voucherReversal';
  transactionId: Buffer;
  serial: string;
  amountMinor: number;
  currency: string;
}
/** Answers the three voucher requests; amount and expiry only on an approved activation. */
export interface VoucherResult {
  type: 'voucherResult';
  transactionId: Buffer;
  status: Status;
  resultCode: number;
  amountMinor?: number;
  expiresAtMs?: number;
}

// ---- settlement passwords (seed 003) ----
export interface PasswordIssueRequest {
  type: 'passwordIssueRequest';
  transactionId: Buffer;
  amountMinor: number;
  currency: string;
  deviceAddress: string;
  payeeId?: string;
  userRestriction?: string;
  expiresAtMs?: number;
  goodsClass?: string;
}
export interface PasswordIssueResult {
  type: 'passwordIssueResult';
  transactionId: Buffer;
  status: Status;
  resultCode: number;
  password?: string;
  verificationCode?: string;
  expiresAtMs?: number;
}
export interface PasswordRedeemRequest {
  type: 'passwordRedeemRequest';
  transactionId: Buffer;
  password: string;
  verificationCode: string;
  amountMinor: number;
  currency: string;
  merchantId: string;
  goodsClass?: string;
}
export interface PasswordRedeemResult {
  type: 'passwordRedeemResult';
  transactionId: Buffer;
  status: Status;
  resultCode: number;
  balanceMinor?: number;
}
/** An in-store sale on a password (PROTOCOL.md §6.6): exactly one of password (keypad code) and passwordQr. */
export interface PasswordSaleRequest {
  type: 'passwordSaleRequest';
  transactionId: Buffer;
  amountMinor: number;
  currency: string;
  /** The keypad code (16 of [0-9A-Z], dashes removed). */
  password?: string;
  /** The scanned QR text as is (TPQ1:...). */
  passwordQr?: string;
  /** The basket's goods category codes (0-16). */
  goodsClasses: string[];
  userRestriction?: string;
}
export interface PasswordSaleResult {
  type: 'passwordSaleResult';
  transactionId: Buffer;
  status: Status;
  resultCode: number;
  /** Captured (approved). */
  amountMinor?: number;
  /** The value left on the password. */
  balanceMinor?: number;
  expiresAtMs?: number;
}

// ---- cash taken by a terminal's bill validator (issue 9) ----
/** One note stacked into the cash box; noteKey (16 bytes) is its idempotency key at the center. */
export interface CashNote {
  noteKey: Buffer;
  amountMinor: number;
  currency: string;
  stackedAtMs: number;
}
export interface CashNotesReport {
  type: 'cashNotesReport';
  /** Names this report (echoed by CASH_RESULT); the notes' own keys make it idempotent. */
  transactionId: Buffer;
  notes: CashNote[];
}
export interface CashCollectionReport {
  type: 'cashCollection';
  /** The collection id. */
  transactionId: Buffer;
  currency: string;
  /** Control count and total: must equal the notes listed. */
  noteCount: number;
  amountMinor: number;
  noteKeys: Buffer[];
}
export interface CashResult {
  type: 'cashResult';
  transactionId: Buffer;
  status: Status;
  resultCode: number;
}

// ---- prepaid terminal: issue of a rewritable medium (seed 000, PROTOCOL.md §6.4) ----
/**
 * PREPAID_ISSUE (0x34): a new medium paid at a prepaid terminal. The
 * payment is exactly one of: the notes the terminal's validator stacked
 * for this customer (their keys are the cash booking's idempotency keys),
 * or one purse-card debit record (the card's MAC over it, as a shop's).
 */
export interface PrepaidIssue {
  type: 'prepaidIssue';
  /** The issue's request id: the idempotency key end to end (a retry reuses it and gets the same medium). */
  transactionId: Buffer;
  amountMinor: number;
  currency: string;
  /** Cash: the stacked notes (1..notesPerReportMax); their amounts sum to amountMinor. Empty for a purse payment. */
  notes: CashNote[];
  /** Purse: the card's debit record for amountMinor, made at this terminal. */
  purseRecord?: PurchaseRecord;
}

/** PREPAID_ISSUE_RESULT (0x35): approved with the medium id and generation 1's file to write, or declined + code. */
export interface PrepaidIssueResult {
  type: 'prepaidIssueResult';
  transactionId: Buffer;
  status: Status;
  resultCode: number;
  /** 16 bytes: the new medium's id. */
  issuedMediumId?: Buffer;
  /** Generation 1's prepaid information file (absent once generation 1 is superseded: the medium was written and used). */
  prepaidInfo?: Buffer;
  /** The balance the medium holds (the amount paid in). */
  balanceMinor?: number;
}

export type HandshakeMessage = Hello | Challenge | Auth | AuthOk | CallbackHello | CallbackAuth;

/** Requests a terminal sends to the center on a session it opened. */
export type TerminalRequest =
  | Ping
  | TerminalStatus
  | ValidityRequest
  | TransactionRequest
  | ChargeRequest
  | ChargeAbandon
  | EmoneyIssueRequest
  | PurchaseUpload
  | SettleRequest
  | PrepaidRequest
  | PrepaidConfirm
  | VoucherActivateRequest
  | VoucherRedeemRequest
  | VoucherActivate
  | VoucherVoid
  | VoucherReversal
  | PasswordIssueRequest
  | PasswordRedeemRequest
  | PasswordSaleRequest
  | CashNotesReport
  | CashCollectionReport
  | PrepaidIssue;

/** Responses the center sends to terminal requests. */
export type CenterResponse =
  | Pong
  | TerminalStatusAck
  | ValidityAck
  | ValidityEarlyAck
  | ValidityNak
  | TransactionResult
  | ChargeResult
  | EmoneyIssueResult
  | PurchaseUploadAck
  | AwaitCallback
  | SettleRefused
  | PrepaidResult
  | PrepaidConfirmResult
  | VoucherActivateResult
  | VoucherRedeemResult
  | VoucherResult
  | PasswordIssueResult
  | PasswordRedeemResult
  | PasswordSaleResult
  | CashResult
  | PrepaidIssueResult;

/** Requests the center sends on a callback session, and the terminal's answers. */
export type CallbackRequest = Ping | SettlementInstruction;
export type CallbackResponse = Pong | SettlementAck;

export type RequestMessage = TerminalRequest | CallbackRequest;
export type ResponseMessage = CenterResponse | CallbackResponse;
export type Message = HandshakeMessage | ErrorMessage | RequestMessage | ResponseMessage;
export type MessageType = Message['type'];
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;
