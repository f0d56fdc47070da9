/**
 * The catalog: every message codec by code and by type, which responses
 * answer which request, and the body encode/decode entry points.
 */
import { assert } from '../../core/assert.js';
import { protoError } from '../errors.js';
import { TlvFields } from '../tlv/fields.js';
import { TlvWriter } from '../tlv/writer.js';
import { ByteWriter } from '../bytes/writer.js';
import type { MessageCodec } from './codec.js';
import * as cash from './cash.js';
import * as fleet from './fleet.js';
import * as emoney from './emoney.js';
import * as handshake from './handshake.js';
import * as passwords from './passwords.js';
import * as prepaid from './prepaid.js';
import * as prepaidIssue from './prepaid-issue.js';
import * as services from './services.js';
import * as validity from './validity.js';
import * as vouchers from './vouchers.js';
import type { Message, MessageType, RequestMessage, ResponseMessage } from './types.js';

export const CODECS: readonly MessageCodec[] = [
  ...Object.values(handshake),
  ...Object.values(fleet),
  ...Object.values(validity),
  ...Object.values(emoney),
  ...Object.values(services),
  ...Object.values(cash),
  ...Object.values(vouchers),
  ...Object.values(passwords),
  ...Object.values(prepaid),
  prepaidIssue.prepaidIssue,
  prepaidIssue.prepaidIssueResult,
] as MessageCodec[];

const byCode = new Map<number, MessageCodec>();
const byType = new Map<string, MessageCodec>();
for (const c of CODECS) {
  assert(!byCode.has(c.code) && !byType.has(c.type), `message ${c.type} declared twice`);
  byCode.set(c.code, c);
  byType.set(c.type, c);
}

/** Which responses may answer each request (an ERROR may answer any). */
export const RESPONSES: Readonly<Record<RequestMessage['type'], readonly ResponseMessage['type'][]>> = {
  ping: ['pong'],
  terminalStatus: ['terminalStatusAck'],
  validityRequest: ['validityAck', 'validityEarlyAck', 'validityNak'],
  transactionRequest: ['transactionResult', 'validityNak'],
  chargeRequest: ['chargeResult'],
  chargeAbandon: ['chargeResult'],
  emoneyIssueRequest: ['emoneyIssueResult'],
  purchaseUpload: ['purchaseUploadAck'],
  settleRequest: ['awaitCallback', 'settleRefused'],
  prepaidRequest: ['prepaidResult'],
  prepaidConfirm: ['prepaidConfirmResult'],
  voucherActivateRequest: ['voucherActivateResult'],
  voucherRedeemRequest: ['voucherRedeemResult'],
  voucherActivate: ['voucherResult'],
  voucherVoid: ['voucherResult'],
  voucherReversal: ['voucherResult'],
  passwordIssueRequest: ['passwordIssueResult'],
  passwordRedeemRequest: ['passwordRedeemResult'],
  passwordSaleRequest: ['passwordSaleResult'],
  settlementInstruction: ['settlementAck'],
  cashNotesReport: ['cashResult'],
  cashCollection: ['cashResult'],
  prepaidIssue: ['prepaidIssueResult'],
};

/** Requests each side may send on a session the terminal opened / on a callback session. */
export const TERMINAL_REQUESTS: ReadonlySet<string> = new Set(Object.keys(RESPONSES).filter((t) => t !== 'settlementInstruction'));
export const CALLBACK_REQUESTS: ReadonlySet<string> = new Set(['ping', 'settlementInstruction']);

/** Responses after which the center ends the session (NAK, hang up and await callback). */
export const SESSION_ENDING: ReadonlySet<string> = new Set(['validityNak', 'awaitCallback']);

export function codecByCode(code: number): MessageCodec {
  const c = byCode.get(code);
  if (!c) throw protoError('PROTO_UNKNOWN_MESSAGE', 'message code not in the catalog', { code });
  return c;
}

export function codecOf(type: MessageType): MessageCodec {
  const c = byType.get(type);
  assert(c !== undefined, `no codec for ${type}`);
  return c;
}

/** Appends the TLV body of `m` to `out` and returns its message code. */
export function encodeBody(m: Message, out: ByteWriter): number {
  const c = codecOf(m.type);
  c.encode(new TlvWriter(out), m);
  return c.code;
}

export function encodeBodyToBuffer(m: Message): Buffer {
  const out = new ByteWriter(128);
  encodeBody(m, out);
  return out.toBuffer();
}

/** Decodes a body for a message code: unknown codes, bad TLVs and leftover tags are coded errors. */
export function decodeBody(code: number, body: Buffer): Message {
  const c = codecByCode(code);
  const f = TlvFields.parse(body, 0, c.privateTags);
  const m = c.decode(f);
  f.done();
  return m;
}
