/**
 * `tessera phone … --config <file.json>`: one simulated phone.
 *
 *   { "msisdn": "819012345678", "dir": "phone-alice",
 *     "smsc": { "host": "127.0.0.1", "port": 2775 },
 *     "maildir": "mail/alice@example.test", "pollMs": 200,
 *     "ttpUrl": "http://127.0.0.1:8443" }
 *
 * `dir` holds the phone's memory (messages.json) and device key, both 0600.
 */
import { z } from 'zod';
import { loadJsonConfig } from '../messaging/serve-kit.js';

export const phoneConfigSchema = z
  .object({
    msisdn: z.string().regex(/^[0-9]{6,15}$/, 'MSISDN: 6-15 digits').describe("The phone's number (its SMPP system_id at the SMSC)."),
    dir: z.string().min(1).describe("The phone's directory: its message store and device key (0600)."),
    smsc: z
      .object({ host: z.string().min(1).default('127.0.0.1').describe('Host of the SMSC.'), port: z.number().int().min(1).max(65_535).describe('Its SMPP port.') })
      .strict()
      .optional()
      .describe('The SMSC it attaches to (absent: no SMS).'),
    maildir: z.string().min(1).optional().describe("Its mailbox's directory on the simulated mail server (absent: no e-mail)."),
    pollMs: z.number().int().min(20).max(600_000).default(500).describe('How often it reads the mailbox.'),
    ttpUrl: z.string().url().optional().describe("The TTP's merchant API listener (its device routes): where `tessera phone revoke` and `tessera phone balance` go (absent: those commands refuse with PHONE_NO_TTP)."),
    reattachMsMax: z.number().int().min(100).max(600_000).default(2_000).describe('Longest wait between attempts to attach to the SMSC.'),
  })
  .strict();

export type PhoneConfig = z.infer<typeof phoneConfigSchema>;

export function loadPhoneConfig(path: string): PhoneConfig {
  return loadJsonConfig(path, phoneConfigSchema, 'PHONE_CONFIG_INVALID');
}
