/**
 * Names of the RESULT_CODE values of PREPAID_ISSUE_RESULT (u16; 0 = OK,
 * 0x04xx prepaid). The center defines them (center/prepaid/result-codes.ts,
 * append only); the terminal keeps this copy so it does not load center
 * code, and a test checks they agree.
 */
const NAMES: Readonly<Record<number, string>> = {
  0x0000: 'OK',
  0x0401: 'PREPAID_FILE_TRUNCATED',
  0x0402: 'PREPAID_FILE_BAD_MAGIC',
  0x0403: 'PREPAID_FILE_VERSION',
  0x0404: 'PREPAID_FILE_MALFORMED',
  0x0405: 'PREPAID_FILE_CHECK_FAILED',
  0x0406: 'PREPAID_FILE_AUTH_FAILED',
  0x0407: 'PREPAID_PASSWORD_MISMATCH',
  0x0408: 'PREPAID_LOG_FORGED',
  0x0409: 'PREPAID_FOREIGN_ISSUER',
  0x040a: 'PREPAID_MEDIUM_UNKNOWN',
  0x040b: 'PREPAID_MEDIUM_FROZEN',
  0x040c: 'PREPAID_MEDIUM_BLOCKED',
  0x040d: 'PREPAID_CLONE_REFUSED',
  0x040e: 'PREPAID_GENERATION_UNKNOWN',
  0x040f: 'PREPAID_INSUFFICIENT_BALANCE',
  0x0410: 'PREPAID_REQUEST_ID_REUSED',
  0x0411: 'PREPAID_KEY_ERASED',
  0x0412: 'PREPAID_BAD_REQUEST',
  0x0413: 'PREPAID_LEDGER_REFUSED',
  0x0414: 'PREPAID_INTERNAL_REBUILD',
  0x0415: 'PREPAID_RECOVERY_REFUSED',
  0x0416: 'PREPAID_PAYMENT_MISMATCH',
  0x0417: 'PREPAID_PAYMENT_USED',
  0x0418: 'PREPAID_PAYMENT_INVALID',
  0x0419: 'PREPAID_TERMINAL_INVALID',
  0x0430: 'PREPAID_NOT_A_PROVIDER',
};

export const PREPAID_RESULT_NAMES = NAMES;

/** The name of a result code; a number this build does not name is shown in hex. */
export function prepaidResultName(code: number): string {
  return NAMES[code] ?? `0x${code.toString(16).padStart(4, '0')}`;
}
