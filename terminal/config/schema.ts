import { z } from 'zod';
import { metricsSectionSchema } from '../../core/metrics/config.js';
import { DEVICE_LIMITS, AGENT_LIMITS } from '../limits.js';

const terminalId = z
  .string()
  .regex(/^[A-Z0-9-]{1,16}$/, 'terminal id: 1-16 chars of A-Z 0-9 -')
  .describe("This terminal's id: 1-16 chars of A-Z 0-9 - (protocol TERMINAL_ID), as registered at the center.");
const port = z.number().int().min(0).max(65_535);
const address = z
  .object({ host: z.string().min(1).describe("Center host name or address."), port: port.min(1).describe("Center's terminal protocol port.") })
  .strict();

/**
 * The roles Tessera defines. The config accepts any role name (a build may
 * register more); the role registry says at start whether it has it
 * (TERM_UNKNOWN_ROLE otherwise).
 */
export const ROLE_NAMES = ['validity-pos', 'provider-kiosk', 'shop', 'vending'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
const roleName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'role: lowercase name, e.g. validity-pos, provider-kiosk, shop, vending')
  .describe('The role this terminal plays (validity-pos, provider-kiosk, shop, vending, or one a build registers); unknown at start is TERM_UNKNOWN_ROLE.');

const reader = z
  .object({
    namePattern: z.string().min(1).describe('Regular expression matched against PC/SC reader names; the first match is used.'),
    transmitTimeoutMs: z
      .number()
      .int()
      .positive()
      .max(DEVICE_LIMITS.transmitTimeoutMsMax)
      .optional()
      .describe(`Longest time one APDU exchange may take before DEV_TIMEOUT, in milliseconds; ${DEVICE_LIMITS.transmitTimeoutMsDefault} when absent.`),
    openTimeoutMs: z
      .number()
      .int()
      .positive()
      .max(600_000)
      .optional()
      .describe(`How long start waits for a reader matching namePattern, in milliseconds; ${DEVICE_LIMITS.readerOpenTimeoutMs} when absent.`),
  })
  .strict()
  .refine((r) => isRegExp(r.namePattern), { message: 'namePattern is not a valid regular expression', path: ['namePattern'] });

const scanner = z
  .object({
    port: z.string().min(1).describe('Serial device path of the scanner (e.g. /dev/ttyACM0).'),
    baudRate: z
      .number()
      .int()
      .refine((b) => DEVICE_LIMITS.serialBaudsAllowed.includes(b), 'unsupported baud rate')
      .describe(`Serial speed, one of ${DEVICE_LIMITS.serialBaudsAllowed.join(', ')}.`),
    delimiter: z.enum(['ANY', 'CR', 'LF', 'CRLF']).default('ANY').describe('What ends a scanned line; ANY accepts CR, LF or CRLF.'),
    maxLineBytes: z
      .number()
      .int()
      .positive()
      .max(DEVICE_LIMITS.scanLineBytesMax)
      .optional()
      .describe(`Longest scanned line in bytes; longer lines are discarded with DEV_SCAN_TOO_LONG. ${DEVICE_LIMITS.scanLineBytesDefault} when absent (at most ${DEVICE_LIMITS.scanLineBytesMax}: a settlement-password QR needs about 900).`),
  })
  .strict();

const store = z.object({ mountDir: z.string().min(1).describe('Directory where the removable store is mounted.') }).strict();

const validator = z
  .object({
    path: z.string().min(1).describe('Serial device path of the bill validator.'),
    baudRate: z
      .number()
      .int()
      .refine((b) => DEVICE_LIMITS.serialBaudsAllowed.includes(b), 'unsupported baud rate')
      .default(9600)
      .describe(`Serial speed, one of ${DEVICE_LIMITS.serialBaudsAllowed.join(', ')}.`),
    address: z.number().int().min(2).max(255).default(40).describe('ccTalk address of the validator; bill validators ship at 40.'),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'country: two capital letters, as in the ccTalk bill id')
      .describe('Country code of the notes taken (first two characters of the ccTalk bill id, e.g. JP, EU).'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency: ISO 4217 code').describe('Currency of the notes taken (ISO 4217 code).'),
  })
  .strict();

/**
 * `tessera terminal --config <file.json>`. Required: terminalId, keyFile,
 * centers, devices.reader (the agent is card-driven), journal. Everything
 * else has a default. The key itself is never in the config.
 */
export const terminalConfigSchema = z
  .object({
    terminalId,
    keyFile: z.string().min(1).describe('Path of the 32-byte terminal key file (64 hex chars or 32 raw bytes), mode 0600.'),
    role: roleName.default('validity-pos'),
    centers: z.array(address).min(1).max(8).describe('Center addresses, tried in order (failover).'),
    metrics: metricsSectionSchema,
    callback: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the callback listener binds.'),
        port: port.describe('Port of the callback listener; 0 picks a free port.'),
      })
      .strict()
      .optional()
      .describe('Where the center calls back (settlement, seed 004); off when absent.'),
    link: z
      .object({
        requestTimeoutMs: z
          .number()
          .int()
          .positive()
          .max(AGENT_LIMITS.requestTimeoutMsMax)
          .default(AGENT_LIMITS.requestTimeoutMsDefault)
          .describe('How long one request to the center may take before it is retried, in milliseconds.'),
        attempts: z.number().int().min(1).max(10).default(3).describe('Attempts per request before the link gives up.'),
      })
      .strict()
      .default({ requestTimeoutMs: AGENT_LIMITS.requestTimeoutMsDefault, attempts: 3 })
      .describe('The link to the center: timeouts and retries.'),
    devices: z
      .object({
        reader: reader.describe('The PC/SC card reader (required: the agent is card-driven).'),
        scanner: scanner.optional().describe('A serial barcode scanner; none when absent.'),
        store: store.optional().describe('A removable store (files on a mounted medium); none when absent.'),
        validator: validator.optional().describe('A ccTalk bill validator (kiosks and prepaid terminals taking cash); none when absent.'),
      })
      .strict()
      .describe('The devices attached to this terminal.'),
    journal: z.string().min(1).describe('SQLite file of the durable journal.'),
    transaction: z
      .object({
        kind: z.enum(['PURCHASE', 'REFUND', 'WITHDRAWAL', 'DEPOSIT', 'BALANCE']).default('PURCHASE').describe('Kind of transaction sent.'),
        amountMinor: z
          .number()
          .int()
          .min(0)
          .max(Number.MAX_SAFE_INTEGER)
          .default(0)
          .describe('Amount sent, in minor units of transaction.currency.'),
        currency: z.string().regex(/^[A-Z]{3}$/).default('JPY').describe('Currency of amountMinor (ISO 4217 code).'),
      })
      .strict()
      .default({ kind: 'PURCHASE', amountMinor: 0, currency: 'JPY' })
      .describe('Per-role settings of validity-pos: the transaction it sends (other roles use roleSettings).'),
    roleSettings: z.record(z.string(), z.unknown()).default({}).describe('Free-form settings of the other roles, validated by the role itself.'),
  })
  .strict();

export type TerminalConfig = z.infer<typeof terminalConfigSchema>;
export type TerminalConfigInput = z.input<typeof terminalConfigSchema>;

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
