/**
 * The e-money secrets a center reads at start: the purse issuer master key
 * and the provider's security codes, each in its own 0600 file (read by
 * kit/secret-files.ts); here only what each file must hold. Errors name the
 * file and sizes, never the content.
 */
import { TesseraError } from '../../core/errors.js';
import { readSecretFile } from '../kit/secret-files.js';
import type { EmoneySection } from './config-schema.js';
import type { ProviderAccount } from './config.js';

const KEY_BYTES = 32;
const ISSUER_KEY = { what: 'issuer master key', unreadable: 'CENTER_ISSUER_KEY_FILE', permissions: 'CENTER_SECRET_FILE_PERMISSIONS' } as const;
const SECURITY_CODE = { what: 'security code', unreadable: 'CENTER_SECURITY_CODE_FILE', permissions: 'CENTER_SECRET_FILE_PERMISSIONS' } as const;

/** 32 raw bytes, or 64 hex chars (surrounding whitespace ignored). */
export function readIssuerKeyFile(path: string): Buffer {
  const raw = readSecretFile(path, ISSUER_KEY);
  if (raw.length === KEY_BYTES) return Buffer.from(raw);
  const text = raw.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  throw new TesseraError('CENTER_ISSUER_KEY_FILE', 'the issuer master key file must hold 32 raw bytes or 64 hex chars', { path, bytes: raw.length });
}

/** One line of 4-12 digits (the bank-POS PIN format). */
export function readSecurityCodeFile(path: string): string {
  const text = readSecretFile(path, SECURITY_CODE).toString('latin1').trim();
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
