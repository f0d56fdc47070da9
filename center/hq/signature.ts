/**
 * Request signatures of the HQ link (PROTOCOL.md §6.5.1): the HQ signs each
 * HTTPS request to the settlement center with its Ed25519 key; the center
 * verifies it with the HQ's public key, checks the timestamp against its
 * replay window and remembers the nonce for as long.
 *
 * Signed string (UTF-8, lines joined by LF, no trailing LF):
 *   TESSERA-HQ-1 / method / path (with query) / hq id / timestamp ms / nonce hex / sha256(body) hex
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { TesseraError } from '../../core/errors.js';
import { HQ_LIMITS } from './limits.js';

export const SIGNATURE_SCHEME = 'TESSERA-HQ-1';
export const HEADER = {
  hqId: 'tessera-hq-id',
  timestamp: 'tessera-timestamp',
  nonce: 'tessera-nonce',
  signature: 'tessera-signature',
} as const;

export interface SignedParts {
  readonly method: string;
  /** The request target: path and query, as sent. */
  readonly path: string;
  readonly hqId: string;
  readonly timestampMs: number;
  /** 32 lowercase hex characters (16 random bytes), new for every attempt. */
  readonly nonce: string;
  readonly body: Buffer;
}

const HQ_ID_RE = /^[A-Z0-9-]{1,16}$/;
const NONCE_RE = /^[0-9a-f]{32}$/;
const TIMESTAMP_RE = /^[0-9]{1,16}$/;

export function signedString(p: SignedParts): string {
  const digest = createHash('sha256').update(p.body).digest('hex');
  return [SIGNATURE_SCHEME, p.method.toUpperCase(), p.path, p.hqId, String(p.timestampMs), p.nonce, digest].join('\n');
}

/** The four headers of a signed request. */
export function signRequest(key: KeyObject, p: SignedParts): Record<string, string> {
  const sig = sign(null, Buffer.from(signedString(p), 'utf8'), key);
  return { [HEADER.hqId]: p.hqId, [HEADER.timestamp]: String(p.timestampMs), [HEADER.nonce]: p.nonce, [HEADER.signature]: sig.toString('base64') };
}

export interface VerifyInput {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/**
 * Remembered nonces of the replay window (per process: every request the
 * HQ link carries is also idempotent by its POS request id, so a replay that
 * reached another center node changes nothing).
 */
export class NonceWindow {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs: number = HQ_LIMITS.signatureWindowMs) {}

  /** False when the nonce was seen within the window (or the memory is full of live nonces). */
  take(key: string, nowMs: number): boolean {
    this.prune(nowMs);
    if (this.seen.has(key) || this.seen.size >= HQ_LIMITS.signatureNoncesMax) return false;
    this.seen.set(key, nowMs);
    return true;
  }

  private prune(nowMs: number): void {
    // Insertion order is time order: drop from the front while expired.
    for (const [k, at] of this.seen) {
      if (nowMs - at <= 2 * this.windowMs) break;
      this.seen.delete(k);
    }
  }
}

/**
 * Verifies a signed request; returns the HQ id. Throws HQ_SIGNATURE_MISSING,
 * HQ_SIGNATURE_INVALID (unknown HQ or bad signature), HQ_SIGNATURE_STALE or
 * HQ_SIGNATURE_REPLAYED. The nonce is taken only after the signature verified,
 * so a forger cannot burn an HQ's nonces.
 */
export function verifyRequest(req: VerifyInput, o: { publicKeyOf(hqId: string): KeyObject | undefined; nowMs: number; nonces: NonceWindow; windowMs?: number }): string {
  const one = (h: string): string => {
    const v = req.headers[h];
    const s = Array.isArray(v) ? undefined : v;
    if (s === undefined || s.length === 0) throw new TesseraError('HQ_SIGNATURE_MISSING', `header ${h} is missing`, { header: h });
    return s;
  };
  const hqId = one(HEADER.hqId);
  const ts = one(HEADER.timestamp);
  const nonce = one(HEADER.nonce);
  const signature = Buffer.from(one(HEADER.signature), 'base64');
  if (!HQ_ID_RE.test(hqId) || !TIMESTAMP_RE.test(ts) || !NONCE_RE.test(nonce) || signature.length !== 64) {
    throw new TesseraError('HQ_SIGNATURE_MISSING', 'a signature header is malformed', { hqId: HQ_ID_RE.test(hqId) ? hqId : '(malformed)' });
  }
  const key = o.publicKeyOf(hqId);
  const timestampMs = Number(ts);
  const ok = key !== undefined && verify(null, Buffer.from(signedString({ method: req.method, path: req.path, hqId, timestampMs, nonce, body: req.body }), 'utf8'), key, signature);
  if (!ok) throw new TesseraError('HQ_SIGNATURE_INVALID', key ? 'the signature does not verify' : 'no public key for this HQ', { hqId });
  const windowMs = o.windowMs ?? HQ_LIMITS.signatureWindowMs;
  if (Math.abs(o.nowMs - timestampMs) > windowMs) throw new TesseraError('HQ_SIGNATURE_STALE', 'the timestamp lies outside the replay window', { hqId, skewMs: o.nowMs - timestampMs, windowMs });
  if (!o.nonces.take(`${hqId}/${nonce}`, o.nowMs)) throw new TesseraError('HQ_SIGNATURE_REPLAYED', 'the nonce was used before within the window', { hqId });
  return hqId;
}

/** An Ed25519 private key from PEM (PKCS#8); HQ_KEY_FILE when it is not one. */
export function ed25519PrivateKey(pem: Buffer | string, path: string): KeyObject {
  try {
    const k = createPrivateKey(pem);
    if (k.asymmetricKeyType === 'ed25519') return k;
  } catch {
    // reported below, without the content
  }
  throw new TesseraError('HQ_KEY_FILE', 'the file is not an Ed25519 private key (PEM, PKCS#8)', { path });
}

/** An Ed25519 public key from PEM (SPKI); HQ_KEY_FILE when it is not one. */
export function ed25519PublicKey(pem: Buffer | string, path: string): KeyObject {
  try {
    const k = createPublicKey(pem);
    if (k.asymmetricKeyType === 'ed25519') return k;
  } catch {
    // reported below
  }
  throw new TesseraError('HQ_KEY_FILE', 'the file is not an Ed25519 public key (PEM, SPKI)', { path });
}
