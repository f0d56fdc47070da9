/**
 * The password from a scan of the phone's screen: a QR code (AIM `]Q1`, or
 * a scanner sending no AIM prefix) whose text is `TPQ1:…`, verified offline
 * against the TTP's public keys before anything is sent
 * (protocol/password/verify.ts): a forged, stale or other shop's QR is
 * refused at the till with the PWTOKEN_ code as its reason. The TTP repeats
 * every check and the ones only it can make (state, counter, value left).
 */
import { errorCode, isTesseraError } from '../../../../core/errors.js';
import type { Clock } from '../../../../core/clock.js';
import { TrustedKeys } from '../../../../protocol/password/keys.js';
import { verifyQr } from '../../../../protocol/password/verify.js';
import type { Scan } from '../../../devices/barcode-scanner.js';
import { termError } from '../../errors.js';
import type { PasswordPosSettings } from './settings.js';

const QR_RE = /^TPQ1:[A-Z2-7]+$/;

/** The QR text of a scan, checked offline; the text itself is never echoed (only its length). */
export function qrOfScan(scan: Scan, s: PasswordPosSettings, clock: Clock, amountMinor: number): string {
  const aim = scan.symbology?.aim ?? null;
  if (aim !== null && !aim.startsWith(']Q')) throw termError('TERM_PASSWORD_SCAN_INVALID', 'not a QR code', { reason: 'symbology', symbology: aim });
  if (!QR_RE.test(scan.data)) throw termError('TERM_PASSWORD_SCAN_INVALID', 'not a settlement password QR (TPQ1:…)', { reason: 'format', length: scan.data.length });
  try {
    const v = verifyQr(scan.data, new TrustedKeys(s.ttpPublicKeys.map((k) => Buffer.from(k, 'hex'))), { nowMs: clock.nowMs(), amountMinor, ...(s.shopId !== undefined && { shopId: s.shopId }) });
    if (v.expired) throw termError('TERM_PASSWORD_SCAN_INVALID', 'the password has expired', { reason: 'PASSWORD_EXPIRED' });
    if (v.terms.currency !== s.currency) throw termError('TERM_PASSWORD_SCAN_INVALID', 'the password is in another currency', { reason: 'PASSWORD_CURRENCY_MISMATCH' });
  } catch (e) {
    if (isTesseraError(e) && e.code.startsWith('PWTOKEN_')) throw termError('TERM_PASSWORD_SCAN_INVALID', 'the QR failed the offline check', { reason: errorCode(e) });
    throw e;
  }
  return scan.data;
}
