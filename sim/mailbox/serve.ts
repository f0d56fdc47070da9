/**
 * `tessera mailbox serve --config <file.json>`: the simulated mail server in
 * its own process until SIGTERM/SIGINT. The SMTP login's password is never
 * in the config: `auth.passwordFile` names a 0600 file.
 *
 *   { "listen": { "host": "127.0.0.1", "port": 0 }, "dir": "mail",
 *     "mailboxes": ["alice@example.test"],
 *     "auth": { "user": "tessera", "passwordFile": "smtp.pw" },
 *     "faults": { "reject": [], "tempFailCount": 0 } }
 *
 * stdout: `{"ready":true,"host":…,"port":…}`, then one JSON line per event
 * (never a body). stdin: `{"cmd":"reject","address":…}`, `{"cmd":"accept","address":…}`,
 * `{"cmd":"temp-fail","count":n}` (n = -1: until set to 0).
 */
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import { controlLines, loadJsonConfig, printLine, readSecretLine } from '../messaging/serve-kit.js';
import { startMailbox, type Mailbox } from './mailbox.js';

const address = z.string().regex(/^[a-z0-9._+-]+@[a-z0-9.-]+$/, 'address: lowercase local@domain');

export const mailboxConfigSchema = z
  .object({
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the SMTP port binds.'),
        port: z.number().int().min(0).max(65_535).describe('SMTP port; 0 picks a free one (printed in the ready line).'),
      })
      .strict()
      .describe('The SMTP listener the TTP sends to.'),
    dir: z.string().min(1).describe('Directory holding one directory per mailbox (created 0700).'),
    mailboxes: z.array(address).max(10_000).describe('Addresses this server accepts mail for.'),
    auth: z
      .object({ user: z.string().min(1).max(64).describe('SMTP login of the sender (the TTP).'), passwordFile: z.string().min(1).describe('File holding its password, mode 0600.') })
      .strict()
      .optional()
      .describe('When present, a sender must log in (AUTH PLAIN/LOGIN).'),
    messageBytesMax: z.number().int().min(1_024).max(10_485_760).default(1_048_576).describe('Largest message accepted (552 beyond).'),
    faults: z
      .object({
        reject: z.array(address).default([]).describe('Addresses refused permanently (550 5.1.1).'),
        tempFailCount: z.number().int().min(-1).max(1_000).default(0).describe('The next n recipients answered 451 4.3.0 (-1: every one).'),
      })
      .strict()
      .prefault({})
      .describe('Fault injection for tests; leave empty otherwise.'),
  })
  .strict();

export type MailboxConfig = z.infer<typeof mailboxConfigSchema>;

export function loadMailboxConfig(path: string): MailboxConfig {
  return loadJsonConfig(path, mailboxConfigSchema, 'MAILBOX_CONFIG_INVALID');
}

export async function serveMailbox(c: MailboxConfig): Promise<Mailbox> {
  const auth = c.auth && { user: c.auth.user, password: readSecretLine(c.auth.passwordFile, 'SMTP password', 'MAILBOX_PASSWORD_FILE', 'MAILBOX_PASSWORD_FILE_PERMISSIONS', 256) };
  const mailbox = await startMailbox({
    host: c.listen.host,
    port: c.listen.port,
    dir: c.dir,
    mailboxes: c.mailboxes,
    ...(auth && { auth }),
    messageBytesMax: c.messageBytesMax,
    onEvent: (e) => printLine(e),
  });
  for (const a of c.faults.reject) mailbox.reject(a, true);
  mailbox.tempFail(c.faults.tempFailCount);
  controlLines('MAILBOX_BAD_COMMAND', (cmd, args) => {
    const a = typeof args['address'] === 'string' ? args['address'] : '';
    switch (cmd) {
      case 'reject':
      case 'accept':
        mailbox.reject(a, cmd === 'reject');
        return;
      case 'temp-fail':
        mailbox.tempFail(typeof args['count'] === 'number' && Number.isInteger(args['count']) ? args['count'] : 0);
        return;
      default:
        throw new TesseraError('MAILBOX_BAD_COMMAND', `unknown mail server control command '${cmd}'`, { cmd });
    }
  });
  return mailbox;
}
