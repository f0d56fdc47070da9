/**
 * `tessera smsc serve --config <file.json>`: the simulated SMSC in its own
 * process until SIGTERM/SIGINT. SMPP passwords are never in the config:
 * each account names a 0600 file.
 *
 *   { "listen": { "host": "127.0.0.1", "port": 0 },
 *     "accounts": [{ "systemId": "tessera", "passwordFile": "smpp.pw" }],
 *     "phones": ["819012345678"], "holdMs": 30000,
 *     "faults": { "phonesOff": [], "receiptDelayMs": 0, "throttled": false } }
 *
 * stdout: `{"ready":true,"host":…,"port":…}`, then one JSON line per SMSC
 * event (ids, numbers and lengths; never a message's text). stdin: control
 * lines `{"cmd":"phone-off","msisdn":…}`, `phone-on`, `{"cmd":"receipt-delay","ms":…}`,
 * `{"cmd":"throttle","on":true}`, `down`, `up`.
 */
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import { controlLines, loadJsonConfig, printLine, readSecretLine } from '../messaging/serve-kit.js';
import { startSmsc, type Smsc } from './smsc.js';

const msisdn = z.string().regex(/^[0-9]{6,15}$/, 'MSISDN: 6-15 digits (E.164 without +)');

export const smscConfigSchema = z
  .object({
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the SMPP port binds.'),
        port: z.number().int().min(0).max(65_535).describe('SMPP port; 0 picks a free one (printed in the ready line).'),
      })
      .strict()
      .describe('The SMPP listener ESMEs (the TTP) and phones bind to.'),
    accounts: z
      .array(z.object({ systemId: z.string().min(1).max(15).describe('SMPP system_id of the ESME (the TTP).'), passwordFile: z.string().min(1).describe('File holding its SMPP password (1-8 characters), mode 0600.') }).strict())
      .min(1)
      .max(16)
      .describe('The ESMEs allowed to bind (the TTP), each with its password file.'),
    phones: z.array(msisdn).max(10_000).describe('MSISDNs of the simulated phones (the subscribers; other numbers are unknown).'),
    holdMs: z.number().int().min(1).max(86_400_000).default(30_000).describe('How long a message waits for a phone that is not attached before it is undeliverable.'),
    faults: z
      .object({
        phonesOff: z.array(msisdn).default([]).describe('Phones switched off: their messages are undeliverable at once.'),
        receiptDelayMs: z.number().int().min(0).max(86_400_000).default(0).describe('Every delivery receipt held back this long (late receipts).'),
        throttled: z.boolean().default(false).describe('Every submit_sm answered ESME_RTHROTTLED.'),
      })
      .strict()
      .prefault({})
      .describe('Fault injection for tests (also settable by control lines on stdin); leave empty otherwise.'),
  })
  .strict();

export type SmscConfig = z.infer<typeof smscConfigSchema>;

export function loadSmscConfig(path: string): SmscConfig {
  return loadJsonConfig(path, smscConfigSchema, 'SMSC_CONFIG_INVALID');
}

export function readSmscAccounts(c: SmscConfig): Array<{ systemId: string; password: string }> {
  return c.accounts.map((a) => ({
    systemId: a.systemId,
    password: readSecretLine(a.passwordFile, `SMPP password of ${a.systemId}`, 'SMSC_PASSWORD_FILE', 'SMSC_PASSWORD_FILE_PERMISSIONS', 8),
  }));
}

export async function serveSmsc(c: SmscConfig): Promise<Smsc> {
  const smsc = await startSmsc({
    host: c.listen.host,
    port: c.listen.port,
    accounts: readSmscAccounts(c),
    phones: c.phones,
    holdMs: c.holdMs,
    faults: c.faults,
    onEvent: (e) => printLine(e),
  });
  controlLines('SMSC_BAD_COMMAND', async (cmd, args) => {
    const number = typeof args['msisdn'] === 'string' ? args['msisdn'] : '';
    switch (cmd) {
      case 'phone-off':
      case 'phone-on':
        smsc.phoneOff(number, cmd === 'phone-off');
        return;
      case 'receipt-delay':
        smsc.setReceiptDelay(typeof args['ms'] === 'number' && args['ms'] >= 0 ? args['ms'] : 0);
        return;
      case 'throttle':
        smsc.setThrottled(args['on'] === true);
        return;
      case 'down':
        return smsc.down();
      case 'up':
        return smsc.up();
      default:
        throw new TesseraError('SMSC_BAD_COMMAND', `unknown SMSC control command '${cmd}'`, { cmd });
    }
  });
  return smsc;
}
