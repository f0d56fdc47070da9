/**
 * The simulated mail server: an SMTP server (`smtp-server`) accepting mail
 * for the simulated users' addresses and storing each message in the
 * address's mailbox directory (`<dir>/<address>/<n>.eml`, files 0600,
 * directories 0700), where the simulated phone reads it.
 *
 * It answers as a receiving server does: 250 after the message is stored
 * (that acceptance is all the sender ever learns: for SMTP "delivered" means
 * "accepted by the receiving server"), 550 5.1.1 for an address it has no
 * mailbox for or one set to reject (fault), 451 4.3.0 while a temporary
 * failure is set (fault: the next `count` recipients, or every one until
 * cleared). With `auth` set, a sender must log in (AUTH PLAIN/LOGIN; on
 * loopback without TLS, as a submission port would with STARTTLS).
 *
 * Events carry addresses, sizes and Message-IDs, never a body.
 */
import { timingSafeEqual } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { TesseraError } from '../../core/errors.js';

export type MailboxEvent =
  | { event: 'stored'; mailbox: string; file: string; bytes: number; messageId: string | null }
  | { event: 'refused'; address: string; code: number; why: 'unknown' | 'rejected' | 'temp-fail' }
  | { event: 'auth-refused'; user: string };

export interface MailboxOptions {
  readonly host: string;
  readonly port: number;
  /** Directory holding a directory per mailbox. */
  readonly dir: string;
  readonly mailboxes: readonly string[];
  readonly auth?: { readonly user: string; readonly password: string };
  readonly messageBytesMax: number;
  readonly onEvent?: (e: MailboxEvent) => void;
}

export interface Mailbox {
  readonly address: AddressInfo;
  /** Fault: recipients at `address` refused permanently (550) or accepted again. */
  reject(address: string, on: boolean): void;
  /** Fault: the next `count` recipients answered 451 (count -1: every one until set to 0). */
  tempFail(count: number): void;
  close(): Promise<void>;
}

/** The directory of a mailbox (the address lowercased; anything outside [a-z0-9@._+-] refused by the config). */
export function mailboxDir(dir: string, address: string): string {
  return join(dir, address.toLowerCase());
}

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startMailbox(o: MailboxOptions): Promise<Mailbox> {
  const emit = o.onEvent ?? (() => undefined);
  const boxes = new Set(o.mailboxes.map((a) => a.toLowerCase()));
  const rejected = new Set<string>();
  let tempFailing = 0;
  for (const b of boxes) mkdirSync(mailboxDir(o.dir, b), { recursive: true, mode: 0o700 });

  const server = new SMTPServer({
    name: 'mailbox.tessera.test',
    banner: 'Tessera simulated mail server',
    authOptional: o.auth === undefined,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    authMethods: ['PLAIN', 'LOGIN'],
    size: o.messageBytesMax,
    logger: false,
    onAuth(auth, _session, callback) {
      if (o.auth && auth.username === o.auth.user && sameSecret(o.auth.password, auth.password ?? '')) return callback(null, { user: auth.username });
      emit({ event: 'auth-refused', user: auth.username ?? '' });
      return callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
    },
    onRcptTo(address, _session, callback) {
      const a = address.address.toLowerCase();
      if (tempFailing !== 0) {
        if (tempFailing > 0) tempFailing -= 1;
        emit({ event: 'refused', address: a, code: 451, why: 'temp-fail' });
        return callback(smtpError(451, '4.3.0 Mailbox temporarily unavailable, try again later'));
      }
      if (!boxes.has(a)) {
        emit({ event: 'refused', address: a, code: 550, why: 'unknown' });
        return callback(smtpError(550, '5.1.1 No such mailbox'));
      }
      if (rejected.has(a)) {
        emit({ event: 'refused', address: a, code: 550, why: 'rejected' });
        return callback(smtpError(550, '5.1.1 Mailbox unavailable'));
      }
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return callback(smtpError(552, '5.3.4 Message too big'));
        const raw = Buffer.concat(chunks);
        const head = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n'))).toString('latin1');
        const messageId = /^message-id:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? null;
        try {
          for (const r of session.envelope.rcptTo) {
            const box = mailboxDir(o.dir, r.address);
            const n = readdirSync(box).filter((f) => f.endsWith('.eml')).length + 1;
            const file = join(box, `${String(n).padStart(6, '0')}.eml`);
            writeFileSync(file, raw, { mode: 0o600, flag: 'wx' });
            emit({ event: 'stored', mailbox: r.address.toLowerCase(), file, bytes: raw.length, messageId });
          }
        } catch {
          return callback(smtpError(451, '4.3.0 Local error in processing'));
        }
        return callback(null, 'Message accepted for delivery');
      });
    },
  });

  const address = await new Promise<AddressInfo>((resolve, reject) => {
    const fail = (e: Error): void => reject(new TesseraError('MAILBOX_LISTEN_FAILED', `the mail server cannot listen on ${o.host}:${o.port}`, { host: o.host, port: o.port }, { cause: e }));
    server.once('error', fail);
    server.listen(o.port, o.host, () => {
      server.off('error', fail);
      resolve(server.server.address() as AddressInfo);
    });
  });
  server.on('error', () => undefined); // a client's broken connection is not the server's end

  return {
    address,
    reject: (a, on) => void (on ? rejected.add(a.toLowerCase()) : rejected.delete(a.toLowerCase())),
    tempFail: (count) => void (tempFailing = count),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
