/**
 * The client ↔ provider ↔ prepaid-center channel's medium-keyed parts
 * (PROTOCOL.md §6.4): TLS carries the requests; each request carries a MAC
 * keyed from the medium's current file, and a file sent back is sealed to
 * the holder of that file. The file itself never leaves the client: the
 * prepaid center knows the SHA-256 of every file it wrote, so it derives the
 * same keys; the provider center, which relays, cannot.
 *
 *   D      = SHA-256(the file the medium shows)
 *   K_req  = HMAC-SHA-256(D, "TSPM-CHANNEL-REQ")
 *   K_rep  = HMAC-SHA-256(D, "TSPM-CHANNEL-REP")
 *   proof  = HMAC-SHA-256(K_req, canonical request), first 16 bytes
 *   sealed = nonce 12 ‖ AES-256-GCM(K_rep, new file; AAD "TSPM-REP1" ‖ request id ‖ u32 new generation) ‖ tag 16
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { prepaidError } from './errors.js';
import { fileDigest } from './medium.js';

export const CHANNEL_OP = { USE: 1, CONFIRM: 2, BALANCE: 3 } as const;
export type ChannelOp = (typeof CHANNEL_OP)[keyof typeof CHANNEL_OP];
export const CHANNEL_SERVICE = { NONE: 0, VENDOR: 1, PROVIDER_FEE: 2 } as const;
export type ChannelService = (typeof CHANNEL_SERVICE)[keyof typeof CHANNEL_SERVICE];

export interface ChannelRequest {
  readonly op: ChannelOp;
  /** 16 bytes, fresh per request (the idempotency key end to end). */
  readonly requestId: Buffer;
  readonly issuerId: number;
  readonly mediumId: Buffer;
  readonly generation: number;
  readonly service: ChannelService;
  /** 0-16 chars [A-Z0-9-] (empty for confirm and balance). */
  readonly payee: string;
  readonly amountMinor: number;
  /** 3 letters, or '' for confirm and balance. */
  readonly currency: string;
}

export interface ChannelKeys {
  readonly request: Buffer;
  readonly reply: Buffer;
}

/** The channel keys of the medium showing the file with this SHA-256 (the client hashes its file; the center has the digest). */
export function channelKeys(digest: Buffer): ChannelKeys {
  const k = (label: string) => createHmac('sha256', digest).update(label).digest();
  return { request: k('TSPM-CHANNEL-REQ'), reply: k('TSPM-CHANNEL-REP') };
}

export const channelKeysOfFile = (file: Uint8Array): ChannelKeys => channelKeys(fileDigest(file));

/** The canonical bytes a proof covers (PROTOCOL.md §6.4). */
export function canonicalRequest(r: ChannelRequest): Buffer {
  const bad = (what: string) => prepaidError('PREPAID_BAD_ARGUMENT', what);
  if (r.requestId.length !== 16 || r.mediumId.length !== 16) throw bad('request and medium ids are 16 bytes');
  if (!/^[A-Z0-9-]{0,16}$/.test(r.payee)) throw bad('payee: 0-16 of [A-Z0-9-]');
  if (!/^([A-Z]{3})?$/.test(r.currency)) throw bad('currency: 3 letters or empty');
  if (!Number.isSafeInteger(r.amountMinor) || r.amountMinor < 0) throw bad('amount: a safe integer >= 0');
  if (!Number.isInteger(r.generation) || r.generation < 1 || r.generation > 0xffffffff) throw bad('generation: u32 >= 1');
  const head = Buffer.alloc(10 + 16 + 4 + 16 + 4 + 1 + 1);
  let o = head.write('TSPM-REQ1', 0, 'latin1');
  o = head.writeUInt8(r.op, o);
  o += r.requestId.copy(head, o);
  o = head.writeUInt32BE(r.issuerId, o);
  o += r.mediumId.copy(head, o);
  o = head.writeUInt32BE(r.generation, o);
  o = head.writeUInt8(r.service, o);
  head.writeUInt8(r.payee.length, o);
  const amount = Buffer.alloc(8);
  amount.writeBigUInt64BE(BigInt(r.amountMinor));
  return Buffer.concat([head, Buffer.from(r.payee, 'latin1'), amount, Buffer.from(r.currency.padEnd(3, '\0'), 'latin1')]);
}

export function requestProof(keys: ChannelKeys, r: ChannelRequest): Buffer {
  return createHmac('sha256', keys.request).update(canonicalRequest(r)).digest().subarray(0, 16);
}

/** Throws PREPAID_FILE_AUTH_FAILED unless `proof` was made with the keys of the file whose digest the center holds. */
export function verifyRequestProof(keys: ChannelKeys, r: ChannelRequest, proof: Buffer): void {
  const want = requestProof(keys, r);
  if (proof.length !== want.length || !timingSafeEqual(want, proof)) throw prepaidError('PREPAID_FILE_AUTH_FAILED', 'the request proof does not verify for the generation named', { generation: r.generation });
}

const replyAad = (requestId: Buffer, generation: number): Buffer => {
  const g = Buffer.alloc(4);
  g.writeUInt32BE(generation);
  return Buffer.concat([Buffer.from('TSPM-REP1', 'latin1'), requestId, g]);
};

/** Seals a file sent back to the holder of the presented file (nonce: 12 random bytes from the caller's Random). */
export function sealReplyFile(keys: ChannelKeys, requestId: Buffer, generation: number, file: Buffer, nonce: Buffer): Buffer {
  if (nonce.length !== 12) throw prepaidError('PREPAID_BAD_ARGUMENT', 'a reply nonce is 12 bytes');
  const c = createCipheriv('aes-256-gcm', keys.reply, nonce);
  c.setAAD(replyAad(requestId, generation));
  return Buffer.concat([nonce, c.update(file), c.final(), c.getAuthTag()]);
}

/** Opens a sealed reply file; PREPAID_FILE_AUTH_FAILED if it was not sealed for this file and request. */
export function openReplyFile(keys: ChannelKeys, requestId: Buffer, generation: number, sealed: Buffer): Buffer {
  if (sealed.length < 12 + 16) throw prepaidError('PREPAID_FILE_TRUNCATED', 'a sealed reply is at least 28 bytes', { length: sealed.length });
  try {
    const d = createDecipheriv('aes-256-gcm', keys.reply, sealed.subarray(0, 12));
    d.setAAD(replyAad(requestId, generation));
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]);
  } catch {
    throw prepaidError('PREPAID_FILE_AUTH_FAILED', 'the sealed reply does not open for this medium and request', { generation });
  }
}
