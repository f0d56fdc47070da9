import { z } from 'zod';
import { isLoopbackHost } from '../../core/metrics/loopback.js';
import { DEVICE_LIMITS, AGENT_LIMITS } from '../limits.js';

/** Terminal ids are 1-16 chars of [A-Z0-9-] (protocol TERMINAL_ID). */
const terminalId = z.string().regex(/^[A-Z0-9-]{1,16}$/, 'terminal id: 1-16 chars of A-Z 0-9 -');
const port = z.number().int().min(0).max(65_535);
const address = z.object({ host: z.string().min(1), port: port.min(1) }).strict();

/**
 * The roles Tessera defines. The config accepts any role name (a build may
 * register more); the role registry says at start whether it has it
 * (TERM_UNKNOWN_ROLE otherwise).
 */
export const ROLE_NAMES = ['validity-pos', 'provider-kiosk', 'shop', 'vending'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
const roleName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'role: lowercase name, e.g. validity-pos, provider-kiosk, shop, vending');

const reader = z
  .object({
    /** Regular expression matched against PC/SC reader names; the first match is used. */
    namePattern: z.string().min(1),
    transmitTimeoutMs: z.number().int().positive().max(DEVICE_LIMITS.transmitTimeoutMsMax).optional(),
    openTimeoutMs: z.number().int().positive().max(600_000).optional(),
  })
  .strict()
  .refine((r) => isRegExp(r.namePattern), { message: 'namePattern is not a valid regular expression', path: ['namePattern'] });

const scanner = z
  .object({
    port: z.string().min(1),
    baudRate: z.number().int().refine((b) => DEVICE_LIMITS.serialBaudRates.includes(b), 'unsupported baud rate'),
    delimiter: z.enum(['ANY', 'CR', 'LF', 'CRLF']).default('ANY'),
    maxLineBytes: z.number().int().positive().max(DEVICE_LIMITS.scanLineBytesMax).optional(),
  })
  .strict();

const store = z.object({ mountDir: z.string().min(1) }).strict();

/** A ccTalk bill validator (kiosks and prepaid terminals taking cash). */
const validator = z
  .object({
    path: z.string().min(1),
    baudRate: z.number().int().refine((b) => DEVICE_LIMITS.serialBaudRates.includes(b), 'unsupported baud rate').default(9600),
    /** ccTalk address of the validator; bill validators ship at 40. */
    address: z.number().int().min(2).max(255).default(40),
    /** Country code of the notes taken (first two characters of the ccTalk bill id, e.g. JP, EU). */
    country: z.string().regex(/^[A-Z]{2}$/, 'country: two capital letters, as in the ccTalk bill id'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency: ISO 4217 code'),
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
    /** 32-byte terminal key, 64 hex chars or 32 raw bytes; mode 0600. */
    keyFile: z.string().min(1),
    role: roleName.default('validity-pos'),
    /** Tried in order (failover). */
    centers: z.array(address).min(1).max(8),
    /** Prometheus /metrics on a loopback address (docs/METRICS.md); off when absent. Port 0 picks a free port. */
    metrics: z
      .object({ host: z.string().min(1).default('127.0.0.1').refine(isLoopbackHost, 'a loopback address (127.0.0.1 or ::1)'), port })
      .strict()
      .optional(),
    /** Where the center calls back (settlement, seed 004); off when absent. */
    callback: z.object({ host: z.string().min(1).default('127.0.0.1'), port }).strict().optional(),
    link: z
      .object({
        requestTimeoutMs: z.number().int().positive().max(AGENT_LIMITS.requestTimeoutMsMax).default(AGENT_LIMITS.requestTimeoutMsDefault),
        attempts: z.number().int().min(1).max(10).default(3),
      })
      .strict()
      .default({ requestTimeoutMs: AGENT_LIMITS.requestTimeoutMsDefault, attempts: 3 }),
    devices: z.object({ reader, scanner: scanner.optional(), store: store.optional(), validator: validator.optional() }).strict(),
    /** SQLite file of the durable journal. */
    journal: z.string().min(1),
    /** Per-role settings (validity-pos: the transaction it sends; other roles define theirs). */
    transaction: z
      .object({
        kind: z.enum(['PURCHASE', 'REFUND', 'WITHDRAWAL', 'DEPOSIT', 'BALANCE']).default('PURCHASE'),
        amountMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
        currency: z.string().regex(/^[A-Z]{3}$/).default('JPY'),
      })
      .strict()
      .default({ kind: 'PURCHASE', amountMinor: 0, currency: 'JPY' }),
    /** Free-form settings of the other roles, validated by the role itself. */
    roleSettings: z.record(z.string(), z.unknown()).default({}),
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
