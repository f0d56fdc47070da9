/**
 * The delivery section of the passwords module's config (embedded by
 * center/passwords/ under `delivery`): the SMSC and the mail server the TTP
 * sends through. Secrets are never in the config: the SMPP password and the
 * SMTP password are each in a file, mode 0600 (center/kit readSecretFile).
 */
import { z } from 'zod';
import { readSecretFile } from '../../kit/secret-files.js';
import { TesseraError } from '../../../core/errors.js';
import { PWDELIVERY_LIMITS } from './limits.js';

export const deliverySectionSchema = z
  .object({
    smpp: z
      .object({
        host: z.string().min(1).describe('SMSC host.'),
        port: z.number().int().min(1).max(65_535).describe('SMSC SMPP port.'),
        systemId: z.string().min(1).max(15).describe("The TTP's SMPP system_id."),
        passwordFile: z.string().min(1).describe('File holding the SMPP password (1-8 characters), mode 0600.'),
        source: z.string().min(1).max(11).default('TESSERA').describe('source_addr of the SMS (alphanumeric sender, up to 11 characters).'),
      })
      .strict()
      .optional()
      .describe('SMS over SMPP (absent: no sms channel).'),
    smtp: z
      .object({
        host: z.string().min(1).describe('Mail server (relay) host.'),
        port: z.number().int().min(1).max(65_535).describe('Mail server port.'),
        user: z.string().min(1).max(256).optional().describe('SMTP login (with passwordFile).'),
        passwordFile: z.string().min(1).optional().describe('File holding the SMTP password, mode 0600.'),
        from: z.string().min(3).max(254).describe('From address of password mails.'),
      })
      .strict()
      .optional()
      .describe('E-mail over SMTP (absent: no email channel).'),
    attemptsMax: z.number().int().min(1).max(100).default(PWDELIVERY_LIMITS.attemptsMaxDefault).describe('Sends per delivery before it fails.'),
    backoffMsBase: z.number().int().min(10).max(PWDELIVERY_LIMITS.backoffMsMax).default(PWDELIVERY_LIMITS.backoffMsBaseDefault).describe('Backoff before the first retry; doubles per retry.'),
    claimHoldMs: z
      .number()
      .int()
      .min(1_000)
      .max(3_600_000)
      .default(PWDELIVERY_LIMITS.claimHoldMs)
      .describe("How long a node's claim on a delivery it is sending lasts; after a crash the delivery is sent again once it expires. Keep it above the SMPP and SMTP timeouts."),
    deadlineMs: z
      .number()
      .int()
      .min(1_000)
      .max(PWDELIVERY_LIMITS.deadlineMsMax)
      .default(PWDELIVERY_LIMITS.deadlineMsDefault)
      .describe("How long after it is handed over a delivery may still be confirmed; then it fails (and the password is refunded). Keep it at or below the passwords module's delivery deadline."),
    sweepIntervalMs: z.number().int().min(10).max(60_000).default(PWDELIVERY_LIMITS.sweepIntervalMsDefault).describe('How often the queue is swept.'),
  })
  .strict();

export type DeliverySection = z.infer<typeof deliverySectionSchema>;
/** The section as written (defaults not yet applied). */
export type DeliverySectionInput = z.input<typeof deliverySectionSchema>;

/** One line of a 0600 secret file (PWDELIVERY_SECRET_FILE / _PERMISSIONS); never shown. */
export function readDeliverySecret(path: string, what: string, maxChars: number): string {
  const raw = readSecretFile(path, { what, unreadable: 'PWDELIVERY_SECRET_FILE', permissions: 'PWDELIVERY_SECRET_FILE_PERMISSIONS' });
  const line = raw.toString('utf8').replace(/\r?\n$/, '');
  if (line.length === 0 || line.length > maxChars || /[\r\n]/.test(line)) {
    throw new TesseraError('PWDELIVERY_SECRET_FILE', `the ${what} file must hold one line of 1-${maxChars} characters`, { path });
  }
  return line;
}

/**
 * The section's secrets (the SMPP password, the SMTP password when there is
 * one), each read from its 0600 file: what openDelivery uses, and what
 * `tessera center --check` reads (through the passwords module's check) so a
 * missing or open file is refused before anything connects.
 */
export function readDeliverySecrets(section: Pick<DeliverySectionInput, 'smpp' | 'smtp'>): { smppPassword?: string; smtpPassword?: string } {
  const smppPassword = section.smpp ? readDeliverySecret(section.smpp.passwordFile, 'SMPP password', 8) : undefined;
  const smtpPassword = section.smtp?.passwordFile !== undefined ? readDeliverySecret(section.smtp.passwordFile, 'SMTP password', 256) : undefined;
  return { ...(smppPassword !== undefined && { smppPassword }), ...(smtpPassword !== undefined && { smtpPassword }) };
}
