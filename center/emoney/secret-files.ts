/**
 * The e-money secrets a center reads at start: the purse issuer master key
 * and the provider's security codes, each in its own file that group and
 * others cannot touch (mode checked where the platform has modes). Errors
 * name the file and sizes, never the content.
 */
import { readFileSync, statSync } from 'node:fs';
import { TesseraError } from '../../core/errors.js';
import type { EmoneySection } from './config-schema.js';
import type { ProviderAccount } from './config.js';

const KEY_BYTES = 32;
type FileCode = 'CENTER_ISSUER_KEY_FILE' | 'CENTER_SECURITY_CODE_FILE';

function readPrivate(path: string, code: FileCode, what: string): Buffer {
  let mode: number;
  let raw: Buffer;
  try {
    mode = statSync(path).mode;
    raw = readFileSync(path);
  } catch (e) {
    throw new TesseraError(code, `cannot read the ${what} file`, { path }, { cause: e });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new TesseraError('CENTER_SECRET_FILE_PERMISSIONS', `the ${what} file is accessible to group or others`, { path, mode: (mode & 0o777).toString(8) });
  }
  return raw;
}

/** 32 raw bytes, or 64 hex chars (surrounding whitespace ignored). */
export function readIssuerKeyFile(path: string): Buffer {
  const raw = readPrivate(path, 'CENTER_ISSUER_KEY_FILE', 'issuer master key');
  if (raw.length === KEY_BYTES) return Buffer.from(raw);
  const text = raw.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  throw new TesseraError('CENTER_ISSUER_KEY_FILE', 'the issuer master key file must hold 32 raw bytes or 64 hex chars', { path, bytes: raw.length });
}

/** One line of 4-12 digits (the bank-POS PIN format). */
export function readSecurityCodeFile(path: string): string {
  const text = readPrivate(path, 'CENTER_SECURITY_CODE_FILE', 'security code').toString('latin1').trim();
  if (!/^[0-9]{4,12}$/.test(text)) throw new TesseraError('CENTER_SECURITY_CODE_FILE', 'the security code file must hold 4-12 digits', { path, chars: text.length });
  return text;
}

/** The provider accounts with their security codes read from their files. */
export function readProviderAccounts(section: Pick<EmoneySection, 'providerAccounts'>): ProviderAccount[] {
  return section.providerAccounts.map((p) => ({
    bankCode: p.bankCode,
    branchCode: p.branchCode,
    accountNumber: p.accountNumber,
    securityCode: readSecurityCodeFile(p.securityCodeFile),
  }));
}
