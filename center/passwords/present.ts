/**
 * What a shop presents, resolved to the password row (under lock): a code
 * (typed, or read from a bearer QR) found by its lookup hash, or a device QR
 * verified against the TTP's own key and the device key in the terms. The
 * same checks as the offline verifier (protocol/password/verify.ts), plus
 * what only the TTP knows: the row, its state and the device's last counter.
 */
import { TesseraError } from '../../core/errors.js';
import { normalizeCode } from '../../protocol/password/codes.js';
import { checkCode, checkPresentation, verifySignedTerms } from '../../protocol/password/verify.js';
import { TrustedKeys } from '../../protocol/password/keys.js';
import { decodeQr, type Presentation } from '../../protocol/password/token.js';
import type { Tx } from '../storage/types.js';
import { passwordForUpdate, type PasswordsDeps } from './deps.js';
import type { PasswordRow } from './records.js';

/** A presentation as the merchant API and the terminal role send it: exactly one of code or qr. */
export type PresentedPassword = { readonly code: string } | { readonly qr: string };

/** The shop presenting: its merchant id and, where it has one, its shop id (payee and device presentations name it). */
export interface ShopRef {
  /** The id its sales are booked to (`pw-payable@<merchantId>`): the shop id where the merchant has one. */
  readonly merchantId: string;
  readonly shopId: string | null;
  /**
   * The merchant API's own merchant id when it differs from `merchantId`: redemptions
   * it opened before sales were booked to the shop id stay reachable (each keeps its own books).
   */
  readonly apiMerchantId?: string;
}

/** The merchant ids a shop's redemptions may be filed under. */
export const merchantIdsOf = (shop: ShopRef): string[] => (shop.apiMerchantId !== undefined && shop.apiMerchantId !== shop.merchantId ? [shop.merchantId, shop.apiMerchantId] : [shop.merchantId]);

export interface Resolved {
  readonly password: PasswordRow;
  /** The device's presentation, when the password was presented by a device QR. */
  readonly device: Presentation | null;
}

const unknown = (): TesseraError => new TesseraError('PASSWORD_UNKNOWN', 'no password has this code');

export async function resolvePresented(tx: Tx, d: PasswordsDeps, shop: ShopRef, presented: PresentedPassword, amountMinor?: number): Promise<Resolved> {
  if ('code' in presented) {
    const row = await passwordForUpdate(tx, 'code_hash', d.keys.codeHash(normalizeCode(presented.code)));
    if (!row) throw unknown();
    if (row.binding === 'device') throw new TesseraError('PASSWORD_DEVICE_REQUIRED', 'this password is bound to a device: present its QR', { serial: row.id });
    return { password: row, device: null };
  }
  const qr = decodeQr(presented.qr);
  const terms = verifySignedTerms(qr.signed, new TrustedKeys([d.keys.publicKey]));
  const row = await passwordForUpdate(tx, 'id', terms.serial.toString('hex'));
  // Signed by this TTP but not in its database (another deployment's key, or a lost row): unknown all the same.
  if (!row || !row.terms.equals(qr.signed.termsBytes)) throw unknown();
  if (qr.kind === 'bearer') {
    if (row.binding !== 'bearer') throw new TesseraError('PWTOKEN_NOT_DEVICE_BOUND', 'a static QR of a device-bound or keypad password');
    checkCode(terms, qr.code);
    return { password: row, device: null };
  }
  checkPresentation(terms, qr.presentation, qr.deviceSignature, {
    nowMs: d.clock.nowMs(), ...(shop.shopId !== null && { shopId: shop.shopId }), ...(amountMinor !== undefined && { amountMinor }),
  });
  if (qr.presentation.shopId !== null && shop.shopId === null) throw new TesseraError('PWTOKEN_PRESENTATION_MISMATCH', 'the device signed for a shop; this merchant has no shop id', { field: 'shopId' });
  if (qr.presentation.counter <= row.deviceCounter) {
    throw new TesseraError('PASSWORD_REPLAYED', 'this device presentation was accepted before (its counter is not above the last one)', { serial: row.id });
  }
  return { password: row, device: qr.presentation };
}
