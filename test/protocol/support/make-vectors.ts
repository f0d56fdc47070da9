/**
 * Generates test/protocol/vectors.ts (committed as literal bytes) and the
 * vector appendix of protocol/PROTOCOL.md. Run:
 *   npx tsx test/protocol/support/make-vectors.ts ts > test/protocol/vectors.ts
 *   npx tsx test/protocol/support/make-vectors.ts md   (paste into PROTOCOL.md)
 */
import { encodeFrame } from '../../../protocol/frame/encoder.js';
import { deriveSessionKeys, proofOf, type SessionKeys } from '../../../protocol/crypto/keys.js';
import { frameMac } from '../../../protocol/crypto/mac.js';
import { pinBlockFormat2, seal } from '../../../protocol/crypto/seal.js';
import { TAG } from '../../../protocol/codes.js';
import { PROTO_WIRE_CODES } from '../../../protocol/errors.js';
import type { Message } from '../../../protocol/messages/types.js';
import type { Random } from '../../../core/random.js';
import { annotate, type Line } from './annotate.js';
import { h } from './vector-types.js';
import { CHANNEL_OP, CHANNEL_SERVICE, channelKeysOfFile, requestProof, sealReplyFile, type ChannelRequest } from '../../../protocol/prepaid/channel.js';
import { CHANNEL_REPLY_NONCE, CHANNEL_REQUEST, MEDIUM_VECTORS, V_ISSUER, V_MEDIUM_ID } from '../prepaid/vectors.js';

const seq = (from: number, n: number): string => Buffer.from(Array.from({ length: n }, (_, i) => from + i)).toString('hex');
export const FIXED = {
  terminalId: 'T-0001',
  terminalKey: seq(0x00, 32),
  nonceT: seq(0xa0, 32),
  nonceC: seq(0xc0, 32),
  token: seq(0xe0, 16),
  cbNonceC: seq(0x40, 32),
  cbNonceT: seq(0x60, 32),
};
const key = h(FIXED.terminalKey);
const main = deriveSessionKeys(key, h(FIXED.nonceT), h(FIXED.nonceC), FIXED.terminalId);
const cb = deriveSessionKeys(key, h(FIXED.cbNonceT), h(FIXED.cbNonceC), FIXED.terminalId);
const fixedIv = (b: number): Random => ({ bytes: (n) => Buffer.alloc(n, b), int: () => 0, float: () => 0 });

const tx = (n: number): Buffer => Buffer.alloc(16, n);
const medium = h('0123456789abcdef');
const record = (counter: number) => ({
  mediumId: medium, cardCounter: counter, amountMinor: 150 * counter, currency: 'JPY', terminalId: 'SHOP-01',
  terminalNonce: h('1122334455667788'), cardMac: h('a1b2c3d4e5f60718'),
});

/** §6.4's prepaid frames: proofs and the sealed reply from the medium vectors (test/protocol/prepaid/vectors.ts). */
const pp = (() => {
  const [g1, g2] = MEDIUM_VECTORS;
  const k1 = channelKeysOfFile(g1!.file);
  const k2 = channelKeysOfFile(g2!.file);
  const base = { issuerId: V_ISSUER, mediumId: V_MEDIUM_ID, service: CHANNEL_SERVICE.NONE, payee: '', amountMinor: 0, currency: '' };
  const confirm: ChannelRequest = { ...base, op: CHANNEL_OP.CONFIRM, requestId: Buffer.alloc(16, 0xb2), generation: 2 };
  const balance: ChannelRequest = { ...base, op: CHANNEL_OP.BALANCE, requestId: Buffer.alloc(16, 0xb3), generation: 1 };
  return {
    useProof: requestProof(k1, CHANNEL_REQUEST),
    sealed: sealReplyFile(k1, CHANNEL_REQUEST.requestId, 2, g2!.file, CHANNEL_REPLY_NONCE),
    confirm, confirmProof: requestProof(k2, confirm),
    balance, balanceProof: requestProof(k1, balance),
  };
})();

type Step = { name: string; session: 'main' | 'callback'; dir: 't2c' | 'c2t'; m: Message; response?: boolean; mac?: boolean };
const steps: Step[] = [
  { name: 'hello', session: 'main', dir: 't2c', mac: false, m: { type: 'hello', terminalId: FIXED.terminalId, nonce: h(FIXED.nonceT) } },
  { name: 'challenge', session: 'main', dir: 'c2t', mac: false, m: { type: 'challenge', nonce: h(FIXED.nonceC) } },
  { name: 'auth', session: 'main', dir: 't2c', m: { type: 'auth', proof: proofOf(main, 'terminal', h(FIXED.nonceT), h(FIXED.nonceC)) } },
  { name: 'authOk', session: 'main', dir: 'c2t', m: { type: 'authOk', proof: proofOf(main, 'center', h(FIXED.nonceT), h(FIXED.nonceC)) } },
  { name: 'ping', session: 'main', dir: 't2c', m: { type: 'ping' } },
  { name: 'pong', session: 'main', dir: 'c2t', response: true, m: { type: 'pong' } },
  { name: 'validityRequest', session: 'main', dir: 't2c', m: { type: 'validityRequest', terminalId: FIXED.terminalId, mediumId: medium } },
  { name: 'validityEarlyAck', session: 'main', dir: 'c2t', response: true, m: { type: 'validityEarlyAck', pending: 0x01 } },
  { name: 'transactionRequest', session: 'main', dir: 't2c', m: { type: 'transactionRequest', transactionId: tx(1), kind: 0x01, amountMinor: 1200, currency: 'JPY', content: [{ tag: 0x9f02, value: h('000000001200') }, { tag: 0x5f2a, value: h('0392') }] } },
  { name: 'transactionResult', session: 'main', dir: 'c2t', response: true, m: { type: 'transactionResult', transactionId: tx(1), status: 0, resultCode: 0 } },
  { name: 'validityRequest2', session: 'main', dir: 't2c', m: { type: 'validityRequest', terminalId: FIXED.terminalId, mediumId: medium } },
  { name: 'validityAck', session: 'main', dir: 'c2t', response: true, m: { type: 'validityAck' } },
  { name: 'chargeRequest', session: 'main', dir: 't2c', m: { type: 'chargeRequest', transactionId: tx(2), amountMinor: 5000, currency: 'JPY', bankCode: '0005', branchCode: '123', accountNumber: '1234567', pinBlock: seal(main.encT2c, TAG.PIN_BLOCK, pinBlockFormat2('1234'), fixedIv(0x11)) } },
  { name: 'chargeResult', session: 'main', dir: 'c2t', response: true, m: { type: 'chargeResult', transactionId: tx(2), status: 0, resultCode: 0 } },
  { name: 'emoneyIssueRequest', session: 'main', dir: 't2c', m: { type: 'emoneyIssueRequest', transactionId: tx(3), mediumId: medium, cardCounter: 7, amountMinor: 5000, currency: 'JPY' } },
  { name: 'emoneyIssueResult', session: 'main', dir: 'c2t', response: true, m: { type: 'emoneyIssueResult', transactionId: tx(3), status: 0, resultCode: 0, hostMac: h('0badc0ffee15900d') } },
  { name: 'purchaseUpload', session: 'main', dir: 't2c', m: { type: 'purchaseUpload', records: [record(1), record(2)] } },
  { name: 'purchaseUploadAck', session: 'main', dir: 'c2t', response: true, m: { type: 'purchaseUploadAck', results: [{ mediumId: medium, cardCounter: 1, status: 0 }, { mediumId: medium, cardCounter: 2, status: 3 }] } },
  { name: 'prepaidRequest', session: 'main', dir: 't2c', m: { type: 'prepaidRequest', transactionId: tx(4), service: 0x02, prepaidInfo: h('50494e464f0001'), amountMinor: 3000, currency: 'JPY', vendorId: 'VENDOR-9' } },
  { name: 'prepaidResult', session: 'main', dir: 'c2t', response: true, m: { type: 'prepaidResult', transactionId: tx(4), status: 0, resultCode: 0, prepaidInfo: h('50494e464f0002'), balanceMinor: 7000, receipt: h('52435054') } },
  { name: 'voucherActivateRequest', session: 'main', dir: 't2c', m: { type: 'voucherActivateRequest', transactionId: tx(5), voucherPin: '1234567890123', amountMinor: 3000, currency: 'JPY', merchantId: 'STORE-42' } },
  { name: 'voucherActivateResult', session: 'main', dir: 'c2t', response: true, m: { type: 'voucherActivateResult', transactionId: tx(5), status: 0, resultCode: 0 } },
  { name: 'voucherRedeemRequest', session: 'main', dir: 't2c', m: { type: 'voucherRedeemRequest', transactionId: tx(6), voucherPins: ['1234567890123', '9876543210'], amountMinor: 4500, currency: 'JPY', merchantId: 'SHOP-7' } },
  { name: 'voucherRedeemResult', session: 'main', dir: 'c2t', response: true, m: { type: 'voucherRedeemResult', transactionId: tx(6), status: 0, resultCode: 0, balanceMinor: 500 } },
  { name: 'passwordIssueRequest', session: 'main', dir: 't2c', m: { type: 'passwordIssueRequest', transactionId: tx(7), amountMinor: 10000, currency: 'JPY', deviceAddress: 'tel:+81-90-0000-0000', payeeId: 'SHOP-7', expiresAtMs: 1_800_000_000_000 } },
  { name: 'passwordIssueResult', session: 'main', dir: 'c2t', response: true, m: { type: 'passwordIssueResult', transactionId: tx(7), status: 0, resultCode: 0, password: 'K7Q2M9X4P1', verificationCode: '2468', expiresAtMs: 1_800_000_000_000 } },
  { name: 'passwordRedeemRequest', session: 'main', dir: 't2c', m: { type: 'passwordRedeemRequest', transactionId: tx(8), password: 'K7Q2M9X4P1', verificationCode: '2468', amountMinor: 2500, currency: 'JPY', merchantId: 'SHOP-7' } },
  { name: 'passwordRedeemResult', session: 'main', dir: 'c2t', response: true, m: { type: 'passwordRedeemResult', transactionId: tx(8), status: 0, resultCode: 0, balanceMinor: 7500 } },
  { name: 'ping2', session: 'main', dir: 't2c', m: { type: 'ping' } },
  { name: 'errorNonFatal', session: 'main', dir: 'c2t', response: true, m: { type: 'error', wireCode: PROTO_WIRE_CODES.PROTO_TOO_MANY_IN_FLIGHT, fatal: false } },
  { name: 'settleRequest', session: 'main', dir: 't2c', m: { type: 'settleRequest', terminalId: 'SHOP-01', records: [record(3)] } },
  { name: 'awaitCallback', session: 'main', dir: 'c2t', response: true, m: { type: 'awaitCallback', token: h(FIXED.token), waitMs: 30_000 } },
  { name: 'validityRequest3', session: 'main', dir: 't2c', m: { type: 'validityRequest', terminalId: FIXED.terminalId, mediumId: h('fedcba9876543210') } },
  { name: 'validityNak', session: 'main', dir: 'c2t', response: true, m: { type: 'validityNak', reason: 0x03, capture: true } },
  { name: 'errorFatalUnauthenticated', session: 'main', dir: 'c2t', mac: false, m: { type: 'error', wireCode: PROTO_WIRE_CODES.PROTO_AUTH_FAILED, fatal: true } },
  { name: 'callbackHello', session: 'callback', dir: 'c2t', mac: false, m: { type: 'callbackHello', terminalId: FIXED.terminalId, token: h(FIXED.token), nonce: h(FIXED.cbNonceC) } },
  { name: 'callbackAuth', session: 'callback', dir: 't2c', mac: false, m: { type: 'callbackAuth', nonce: h(FIXED.cbNonceT), proof: proofOf(cb, 'callback', h(FIXED.token), h(FIXED.cbNonceT), h(FIXED.cbNonceC)) } },
  { name: 'callbackAuthOk', session: 'callback', dir: 'c2t', m: { type: 'authOk', proof: proofOf(cb, 'center', h(FIXED.cbNonceT), h(FIXED.cbNonceC)) } },
  { name: 'settlementInstruction', session: 'callback', dir: 'c2t', m: { type: 'settlementInstruction', bankCode: '0009', branchCode: '456', accountNumber: '7654321', securityCode: seal(cb.encC2t, TAG.SECURITY_CODE, Buffer.from('918273', 'latin1'), fixedIv(0x22)), totalMinor: 450, currency: 'JPY', results: [{ mediumId: medium, cardCounter: 3, status: 0 }] } },
  { name: 'settlementAck', session: 'callback', dir: 't2c', response: true, m: { type: 'settlementAck', erased: [{ mediumId: medium, cardCounter: 3 }] } },
  // Appended (the vectors above keep their bytes): the kiosk gives a charge up, the center accepts (main session, continued).
  { name: 'chargeAbandon', session: 'main', dir: 't2c', m: { type: 'chargeAbandon', transactionId: tx(9), amountMinor: 5000, currency: 'JPY', bankCode: '0005', branchCode: '123', accountNumber: '1234567' } },
  { name: 'chargeAbandonResult', session: 'main', dir: 'c2t', response: true, m: { type: 'chargeResult', transactionId: tx(9), status: 0, resultCode: 0 } },
  // Appended: a kiosk reports two stacked notes, then the collection of its cash box (main session, continued).
  { name: 'cashNotesReport', session: 'main', dir: 't2c', m: { type: 'cashNotesReport', transactionId: tx(10), notes: [
    { noteKey: tx(0x11), amountMinor: 1000, currency: 'JPY', stackedAtMs: 1_767_225_600_000 },
    { noteKey: tx(0x12), amountMinor: 5000, currency: 'JPY', stackedAtMs: 1_767_225_660_000 },
  ] } },
  { name: 'cashNotesResult', session: 'main', dir: 'c2t', response: true, m: { type: 'cashResult', transactionId: tx(10), status: 0, resultCode: 0 } },
  { name: 'cashCollection', session: 'main', dir: 't2c', m: { type: 'cashCollection', transactionId: tx(11), currency: 'JPY', noteCount: 2, amountMinor: 6000, noteKeys: [tx(0x11), tx(0x12)] } },
  { name: 'cashCollectionResult', session: 'main', dir: 'c2t', response: true, m: { type: 'cashResult', transactionId: tx(11), status: 0, resultCode: 0 } },
  // Appended: a shop's upload and settle refused with a code (§6.3): blocked terminal (0x0114), center busy (0x0116).
  { name: 'purchaseUpload2', session: 'main', dir: 't2c', m: { type: 'purchaseUpload', records: [record(4)] } },
  { name: 'purchaseUploadAckRefused', session: 'main', dir: 'c2t', response: true, m: { type: 'purchaseUploadAck', results: [], resultCode: 0x0114 } },
  { name: 'settleRequest2', session: 'main', dir: 't2c', m: { type: 'settleRequest', terminalId: 'SHOP-01', records: [record(4)] } },
  { name: 'settleRefused', session: 'main', dir: 'c2t', response: true, m: { type: 'settleRefused', resultCode: 0x0116 } },
  // Appended (protocol version 2, §6.8): the terminal reports its versions and device states; the center records them.
  { name: 'terminalStatus', session: 'main', dir: 't2c', m: { type: 'terminalStatus', softwareVersion: '0.4.0', protocolVersion: 2, devices: [
    { kind: 0x01, state: 0x00 },
    { kind: 0x02, state: 0x01, reason: 'DEV_PORT_GONE' },
    { kind: 0x04, state: 0x04, reason: 'DEV_NOTE_JAMMED' },
  ] } },
  { name: 'terminalStatusAck', session: 'main', dir: 'c2t', response: true, m: { type: 'terminalStatusAck' } },
  // Appended (§6.5, seed 002): a till sells a 3,000 yen card (serial 900100000000042 + Luhn 2), approved with its expiry;
  // a second sale whose answer never came is reversed; the first sale's void is refused (the card was spent, 0x0509).
  { name: 'voucherActivate', session: 'main', dir: 't2c', m: { type: 'voucherActivate', transactionId: tx(0x13), serial: '9001000000000422', amountMinor: 3000, currency: 'JPY' } },
  { name: 'voucherActivateApproved', session: 'main', dir: 'c2t', response: true, m: { type: 'voucherResult', transactionId: tx(0x13), status: 0, resultCode: 0, amountMinor: 3000, expiresAtMs: 1_798_761_600_000 } },
  { name: 'voucherReversal', session: 'main', dir: 't2c', m: { type: 'voucherReversal', transactionId: tx(0x14), serial: '9001000000000430', amountMinor: 1000, currency: 'JPY' } },
  { name: 'voucherReversalResult', session: 'main', dir: 'c2t', response: true, m: { type: 'voucherResult', transactionId: tx(0x14), status: 0, resultCode: 0 } },
  { name: 'voucherVoid', session: 'main', dir: 't2c', m: { type: 'voucherVoid', transactionId: tx(0x15), originalTransactionId: tx(0x13) } },
  { name: 'voucherVoidRefused', session: 'main', dir: 'c2t', response: true, m: { type: 'voucherResult', transactionId: tx(0x15), status: 1, resultCode: 0x0509 } },
  // Appended (§6.6, seed 003): an in-store sale of 1,200 yen on a device QR (text shortened), approved with 1,800 left;
  // a keypad-code sale for books (goods B01) declined over the amount (0x0608) with the value left.
  { name: 'passwordSaleQr', session: 'main', dir: 't2c', m: { type: 'passwordSaleRequest', transactionId: tx(0x16), amountMinor: 1200, currency: 'JPY', passwordQr: 'TPQ1:AIAH', goodsClasses: [] } },
  { name: 'passwordSaleApproved', session: 'main', dir: 'c2t', response: true, m: { type: 'passwordSaleResult', transactionId: tx(0x16), status: 0, resultCode: 0, amountMinor: 1200, balanceMinor: 1800, expiresAtMs: 1_802_592_000_000 } },
  { name: 'passwordSaleKeypad', session: 'main', dir: 't2c', m: { type: 'passwordSaleRequest', transactionId: tx(0x17), amountMinor: 2500, currency: 'JPY', password: '4921083315770642', goodsClasses: ['B01'] } },
  { name: 'passwordSaleDeclined', session: 'main', dir: 'c2t', response: true, m: { type: 'passwordSaleResult', transactionId: tx(0x17), status: 1, resultCode: 0x0608, balanceMinor: 1800 } },
  // Appended (§6.4, seed 000): the provider center relays a PC's use of 1,200 (a shareware registration from VENDOR-1)
  // showing generation 1 of docs/MEDIUM.md's vector by its proof (§6.4's channel vector); generation 2 comes back sealed;
  // the PC confirms generation 2 by its proof; a balance asked with generation 1 again is a clone: refused (0x040d).
  { name: 'prepaidUseByProof', session: 'main', dir: 't2c', m: { type: 'prepaidRequest', transactionId: CHANNEL_REQUEST.requestId, amountMinor: 1200, currency: 'JPY', mediumId: V_MEDIUM_ID, generation: 1, mediumProof: pp.useProof, service: 0x02, vendorId: 'VENDOR-1' } },
  { name: 'prepaidUseDone', session: 'main', dir: 'c2t', response: true, m: { type: 'prepaidResult', transactionId: CHANNEL_REQUEST.requestId, status: 0x00, resultCode: 0, balanceMinor: 3800, generation: 2, sealedFile: pp.sealed } },
  { name: 'prepaidConfirm', session: 'main', dir: 't2c', m: { type: 'prepaidConfirm', transactionId: pp.confirm.requestId, mediumId: V_MEDIUM_ID, generation: 2, mediumProof: pp.confirmProof } },
  { name: 'prepaidConfirmed', session: 'main', dir: 'c2t', response: true, m: { type: 'prepaidConfirmResult', transactionId: pp.confirm.requestId, status: 0x04, resultCode: 0, balanceMinor: 3800, generation: 2 } },
  { name: 'prepaidBalanceClone', session: 'main', dir: 't2c', m: { type: 'prepaidRequest', transactionId: pp.balance.requestId, amountMinor: 0, currency: 'JPY', mediumId: V_MEDIUM_ID, generation: 1, mediumProof: pp.balanceProof, service: 0x04 } },
  { name: 'prepaidCloneRefused', session: 'main', dir: 'c2t', response: true, m: { type: 'prepaidResult', transactionId: pp.balance.requestId, status: 0x01, resultCode: 0x040d } },
  // Appended (§6.4, seed 000): a prepaid terminal issues a medium paid with two stacked notes (approved: the medium id,
  // generation 1's file — a stand-in of 7 bytes here —, the balance); a second issue paid by a purse-card debit record
  // is declined PREPAID_PAYMENT_INVALID (0x0418: its card MAC does not verify).
  { name: 'prepaidIssueCash', session: 'main', dir: 't2c', m: { type: 'prepaidIssue', transactionId: tx(0x16), amountMinor: 6000, currency: 'JPY', notes: [
    { noteKey: tx(0x17), amountMinor: 1000, currency: 'JPY', stackedAtMs: 1_767_225_600_000 },
    { noteKey: tx(0x18), amountMinor: 5000, currency: 'JPY', stackedAtMs: 1_767_225_660_000 },
  ] } },
  { name: 'prepaidIssueResult', session: 'main', dir: 'c2t', response: true, m: { type: 'prepaidIssueResult', transactionId: tx(0x16), status: 0, resultCode: 0, issuedMediumId: h('0102030405060708090a0b0c0d0e0f10'), prepaidInfo: h('5453504d010001'), balanceMinor: 6000 } },
  { name: 'prepaidIssuePurse', session: 'main', dir: 't2c', m: { type: 'prepaidIssue', transactionId: tx(0x19), amountMinor: 450, currency: 'JPY', notes: [], purseRecord: { ...record(3), terminalId: 'KIOSK-01' } } },
  { name: 'prepaidIssueDeclined', session: 'main', dir: 'c2t', response: true, m: { type: 'prepaidIssueResult', transactionId: tx(0x19), status: 1, resultCode: 0x0418 } },
];

const keysFor = (s: 'main' | 'callback'): SessionKeys => (s === 'main' ? main : cb);
const macKeyFor = (s: 'main' | 'callback', d: 't2c' | 't2c' | 'c2t'): Buffer => (d === 't2c' ? keysFor(s).macT2c : keysFor(s).macC2t);

/** Assigns sequence numbers per session and direction, and request ids per requester. */
function frames(): Array<Step & { frame: Buffer }> {
  const seqs = new Map<string, number>();
  const ids = new Map<string, number>();
  let lastReq = 0;
  return steps.map((s) => {
    const k = `${s.session}/${s.dir}`;
    const macd = s.mac !== false;
    const sq = macd ? (seqs.get(k) ?? 0) + 1 : 0;
    if (macd) seqs.set(k, sq);
    let requestId = 0;
    const isReq = !s.response && !['hello', 'challenge', 'auth', 'authOk', 'callbackHello', 'callbackAuth', 'error'].includes(s.m.type);
    if (isReq) ids.set(k, (requestId = lastReq = (ids.get(k) ?? 0) + 1));
    if (s.response) requestId = lastReq;
    const frame = encodeFrame(s.m, { seq: sq, requestId, response: s.response ?? false, macKey: macd ? macKeyFor(s.session, s.dir) : undefined });
    return { ...s, frame };
  });
}

// ---- error vectors: hand-built frames, MAC'd with the real keys where the defect is past the MAC ----
function raw(code: number, flags: number, sq: number, rid: number, body: string, macKey?: Buffer, lenOverride?: number): Buffer {
  const b = h(body);
  const head = Buffer.alloc(18);
  head.writeUInt16BE(0x5453, 0);
  head[2] = 1;
  head[3] = code;
  head.writeUInt16BE(flags, 4);
  head.writeUInt32BE(sq, 6);
  head.writeUInt32BE(rid, 10);
  head.writeUInt32BE(lenOverride ?? b.length, 14);
  const signed = Buffer.concat([head, b]);
  return macKey ? Buffer.concat([signed, frameMac(macKey, signed)]) : signed;
}
const T = main.macT2c;
const VR = '8006542d30303031 84080123456789abcdef';
const errors: Array<{ name: string; receiver: string; frame: Buffer; code: string }> = [
  { name: 'bad magic', receiver: "'handshake'", frame: Buffer.concat([h('5553'), raw(1, 0, 0, 0, '').subarray(2)]), code: 'PROTO_BAD_MAGIC' },
  { name: 'bad version', receiver: "'handshake'", frame: (() => { const f = raw(1, 0, 0, 0, ''); f[2] = 2; return f; })(), code: 'PROTO_BAD_VERSION' },
  { name: 'reserved flag bit', receiver: "'handshake'", frame: raw(1, 0x0004, 0, 0, ''), code: 'PROTO_BAD_HEADER' },
  { name: 'unauthenticated frame with a sequence number', receiver: "'handshake'", frame: raw(1, 0, 5, 0, ''), code: 'PROTO_BAD_HEADER' },
  { name: 'handshake frame above 512 bytes', receiver: "'handshake'", frame: raw(1, 0, 0, 0, '', undefined, 600), code: 'PROTO_FRAME_TOO_LARGE' },
  { name: 'frame above PROTOCOL_LIMITS.frameBytesMax', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x10, 1, 3, 2, '', undefined, 0x40000), code: 'PROTO_FRAME_TOO_LARGE' },
  { name: 'MAC altered', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: (() => { const f = raw(0x10, 1, 3, 2, VR, T); f[f.length - 1]! ^= 1; return f; })(), code: 'PROTO_BAD_MAC' },
  { name: 'body altered', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: (() => { const f = raw(0x10, 1, 3, 2, VR, T); f[20]! ^= 1; return f; })(), code: 'PROTO_BAD_MAC' },
  { name: 'replayed sequence', receiver: "{ session: 'main', dir: 't2c', lastSeq: 3 }", frame: raw(0x10, 1, 3, 2, VR, T), code: 'PROTO_REPLAY' },
  { name: 'skipped sequence', receiver: "{ session: 'main', dir: 't2c', lastSeq: 1 }", frame: raw(0x10, 1, 3, 2, VR, T), code: 'PROTO_SEQUENCE_GAP' },
  { name: 'request without MAC', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x10, 0, 0, 2, VR), code: 'PROTO_MAC_MISSING' },
  { name: 'unknown message code', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x7e, 1, 3, 2, '', T), code: 'PROTO_UNKNOWN_MESSAGE' },
  { name: 'request with request id 0', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x10, 1, 3, 0, VR, T), code: 'PROTO_BAD_HEADER' },
  { name: 'TLV value past its container', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x10, 1, 3, 2, '8006542d30303031 84090123456789abcdef', T), code: 'PROTO_TLV_TRUNCATED' },
  { name: 'indefinite length', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x10, 1, 3, 2, '8080', T), code: 'PROTO_TLV_BAD_LENGTH' },
  { name: 'length not in shortest form', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x10, 1, 3, 2, '808106542d30303031 84080123456789abcdef', T), code: 'PROTO_TLV_BAD_LENGTH' },
  { name: 'three-byte tag', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x10, 1, 3, 2, `${VR} 9f810100`, T), code: 'PROTO_TLV_BAD_TAG' },
  { name: 'unknown context tag', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x10, 1, 3, 2, `${VR} 9f3000`, T), code: 'PROTO_TLV_UNKNOWN_TAG' },
  { name: 'duplicate tag', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x10, 1, 3, 2, `${VR} 84080123456789abcdef`, T), code: 'PROTO_TLV_DUPLICATE_TAG' },
  { name: 'missing tag', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x10, 1, 3, 2, '8006542d30303031', T), code: 'PROTO_TLV_MISSING_TAG' },
  { name: 'lower-case terminal id', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x10, 1, 3, 2, '8006742d30303031 84080123456789abcdef', T), code: 'PROTO_TLV_BAD_VALUE' },
  { name: 'amount above 2^53-1', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x14, 1, 3, 2, `8710${'01'.repeat(16)} 880101 89080020000000000000 8a034a5059`, T), code: 'PROTO_TLV_BAD_VALUE' },
  { name: 'content nested too deep', receiver: "{ session: 'main', dir: 't2c', lastSeq: 2 }", frame: raw(0x14, 1, 3, 2, `8710${'01'.repeat(16)} 880101 89080000000000000001 8a034a5059 a108 e106 e104 e102 e100`, T), code: 'PROTO_TLV_TOO_DEEP' },
];

function tsLiteral(v: unknown, indent: string): string {
  if (Buffer.isBuffer(v)) return `h('${v.toString('hex')}')`;
  if (Array.isArray(v)) return `[${v.map((x) => tsLiteral(x, indent)).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${k === 'tag' || k === 'wireCode' ? `0x${(x as number).toString(16)}` : tsLiteral(x, indent)}`).join(', ')} }`;
  }
  return typeof v === 'number' && v > 9999 ? String(v).replace(/\B(?=(\d{3})+(?!\d))/g, '_') : JSON.stringify(v).replace(/"/g, "'");
}

const lines = (ls: Line[], pad: string): string => ls.map(([hex, c]) => `${pad}'${hex}', // ${c}`).join('\n');
const rawLines = (f: Buffer): Line[] => {
  const out: Line[] = [[f.subarray(0, Math.min(18, f.length)).toString('hex'), 'header']];
  if (f.length > 18) out.push([f.subarray(18).toString('hex'), 'body (and MAC if flagged)']);
  return out;
};

function emitTs(): string {
  const fs = frames();
  const parts = [
    '// Test vectors shared with protocol/PROTOCOL.md §9 (the same bytes appear there).',
    '// Generated once by test/protocol/support/make-vectors.ts and committed as literal bytes:',
    '// the test decodes, re-encodes and splits each one; a codec change that alters a byte fails here.',
    "import { h, type BodyVector, type ErrorVector, type FrameVector } from './support/vector-types.js';",
    '',
    '/** Fixed handshake inputs and the keys and proofs they give (PROTOCOL.md §9.1). */',
    'export const FIXED_KEYS = {',
    ...Object.entries(FIXED).map(([k, v]) => `  ${k}: ${k === 'terminalId' ? `'${v}'` : `h('${v}')`},`),
    ...(['main', 'callback'] as const).flatMap((s) => [
      `  ${s}: {`,
      ...Object.entries(keysFor(s)).map(([k, v]) => `    ${k}: h('${(v as Buffer).toString('hex')}'),`),
      '  },',
    ]),
    '};',
    '',
    'export const FRAME_VECTORS: FrameVector[] = [',
    ...fs.map((s) => [
      '  {',
      `    name: '${s.name}', session: '${s.session}', dir: '${s.dir}',`,
      `    message: ${tsLiteral(s.m, '    ')},`,
      '    bytes: [',
      lines(annotate(s.frame), '      '),
      '    ],',
      '  },',
    ].join('\n')),
    '];',
    '',
    'export const ERROR_VECTORS: ErrorVector[] = [',
    ...errors.map((e) => [
      '  {',
      `    name: '${e.name}', code: '${e.code}', receiver: ${e.receiver},`,
      '    bytes: [',
      lines(e.frame.length >= 18 && e.code !== 'PROTO_BAD_MAGIC' && e.code !== 'PROTO_BAD_VERSION' ? annotateSafe(e.frame) : rawLines(e.frame), '      '),
      '    ],',
      '  },',
    ].join('\n')),
    '];',
  ];
  return parts.join('\n') + '\n';
}

function annotateSafe(f: Buffer): Line[] {
  try {
    const ls = annotate(f);
    return ls.map((l) => l[0]).join('') === f.toString('hex') ? ls : rawLines(f);
  } catch {
    return rawLines(f);
  }
}

const mode = process.argv[2] ?? 'ts';
if (mode === 'ts') process.stdout.write(emitTs());
