/**
 * The offline authenticity check of a settlement password, for a shop or a
 * terminal holding only the TTP's public keys (no center/ import): the TTP's
 * signature over the terms, the code against the terms' digest (bearer), the
 * device's signature with the key bound in the terms, its freshness, and the
 * shop and amount the device signed. It says the password is genuine and what
 * its terms are; whether it is still spendable (value left, not revoked, the
 * presentation not seen before) only the TTP can say, online.
 */
import { TesseraError } from '../../core/errors.js';
import { codeDigest } from './codes.js';
import { ed25519Verify, publicKeyFromRaw, type TrustedKeys } from './keys.js';
import { PASSWORD_TOKEN_LIMITS as L } from './limits.js';
import type { PasswordTerms } from './terms.js';
import { decodeQr, presentationBytes, type Presentation, type QrPayload, type SignedTerms } from './token.js';

/** Throws PWTOKEN_UNKNOWN_KEY or PWTOKEN_BAD_SIGNATURE unless the TTP signed these terms. */
export function verifySignedTerms(s: SignedTerms, keys: TrustedKeys): PasswordTerms {
  const key = keys.byId(s.terms.ttpKeyId);
  if (!key) throw new TesseraError('PWTOKEN_UNKNOWN_KEY', 'the terms name a TTP key this verifier does not trust', { keyId: s.terms.ttpKeyId.toString('hex') });
  if (!ed25519Verify(s.termsBytes, s.signature, key)) throw new TesseraError('PWTOKEN_BAD_SIGNATURE', 'the TTP signature over the terms does not verify', { serial: s.terms.serial.toString('hex') });
  return s.terms;
}

/** Throws PWTOKEN_CODE_MISMATCH unless the (canonical) code is the one the terms were issued for. */
export function checkCode(terms: PasswordTerms, code: string): void {
  if (!codeDigest(code).equals(terms.codeDigest)) throw new TesseraError('PWTOKEN_CODE_MISMATCH', 'the code does not match the signed terms', { serial: terms.serial.toString('hex') });
}

export interface PresentationContext {
  /** The verifier's clock. */
  readonly nowMs: number;
  /** This shop's id: a presentation naming another shop is refused. */
  readonly shopId?: string;
  /** The amount about to be charged: a presentation naming another amount is refused. */
  readonly amountMinor?: number;
}

/** Checks a device presentation: signed by the key in the terms, fresh, for this shop and amount. */
export function checkPresentation(terms: PasswordTerms, p: Presentation, deviceSignature: Buffer, ctx: PresentationContext): void {
  if (terms.binding !== 'device' || !terms.deviceKey) throw new TesseraError('PWTOKEN_NOT_DEVICE_BOUND', 'a device presentation of a password not bound to a device');
  if (!ed25519Verify(presentationBytes(terms.serial, p), deviceSignature, publicKeyFromRaw(terms.deviceKey))) {
    throw new TesseraError('PWTOKEN_BAD_DEVICE_SIGNATURE', 'the presentation is not signed by the bound device', { serial: terms.serial.toString('hex') });
  }
  if (p.timeMs < ctx.nowMs - L.presentationFreshMs || p.timeMs > ctx.nowMs + L.presentationSkewMs) {
    throw new TesseraError('PWTOKEN_STALE', 'the presentation is outside its freshness window', { ageMs: ctx.nowMs - p.timeMs, freshMs: L.presentationFreshMs, skewMs: L.presentationSkewMs });
  }
  if (p.shopId !== null && ctx.shopId !== undefined && p.shopId !== ctx.shopId) {
    throw new TesseraError('PWTOKEN_PRESENTATION_MISMATCH', 'the device signed for another shop', { field: 'shopId' });
  }
  if (p.amountMinor !== null && ctx.amountMinor !== undefined && p.amountMinor !== ctx.amountMinor) {
    throw new TesseraError('PWTOKEN_PRESENTATION_MISMATCH', 'the device signed for another amount', { field: 'amountMinor' });
  }
}

export interface VerifiedQr {
  readonly payload: QrPayload;
  readonly terms: PasswordTerms;
  /** Whether the terms' expiry has passed on the verifier's clock (spending would be refused). */
  readonly expired: boolean;
}

/**
 * The whole offline check of a scanned QR: format, TTP signature, then the
 * code (bearer) or the device presentation (device-bound). Throws the
 * PWTOKEN_ code of the first failure.
 */
export function verifyQr(text: string, keys: TrustedKeys, ctx: PresentationContext): VerifiedQr {
  const payload = decodeQr(text);
  const terms = verifySignedTerms(payload.signed, keys);
  if (payload.kind === 'bearer') {
    if (terms.binding !== 'bearer') throw new TesseraError('PWTOKEN_NOT_DEVICE_BOUND', 'a static QR of a device-bound or keypad password');
    checkCode(terms, payload.code);
  } else {
    checkPresentation(terms, payload.presentation, payload.deviceSignature, ctx);
  }
  return { payload, terms, expired: ctx.nowMs >= terms.expiresAtMs };
}
