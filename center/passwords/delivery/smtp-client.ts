/**
 * The TTP's SMTP client (`nodemailer`): one transport to the mail server,
 * logging in with the TTP's credentials (password from a 0600 file).
 *
 * `send()` resolves when the receiving server accepted the message (250
 * after DATA): for SMTP that is "delivered" — SMTP says nothing about the
 * message reaching the user's device; a later bounce is not followed. A 4xx
 * answer, a connection failure or a refused login (the TTP's own
 * configuration) is a temporary error (retried); any other 5xx is permanent. Errors carry the SMTP response code, never the message text.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../../../core/log.js';
import { TesseraError } from '../../../core/errors.js';
import { PWDELIVERY_LIMITS } from './limits.js';

export interface SmtpClientOptions {
  readonly host: string;
  readonly port: number;
  readonly user?: string;
  /** Read from its 0600 file by the caller; never logged. */
  readonly password?: string;
  /** The From address of password mails. */
  readonly from: string;
  readonly log: Logger;
  readonly timeoutMs?: number;
}

export class SmtpDeliveryError extends TesseraError {
  constructor(
    code: 'PWDELIVERY_SMTP_TEMPORARY' | 'PWDELIVERY_SMTP_REFUSED',
    message: string,
    readonly temporary: boolean,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details);
  }
}

export class SmtpClient {
  private readonly transport: Transporter;

  constructor(private readonly o: SmtpClientOptions) {
    const t = o.timeoutMs ?? PWDELIVERY_LIMITS.smtpTimeoutMs;
    this.transport = nodemailer.createTransport({
      host: o.host,
      port: o.port,
      secure: false,
      // The simulated server is on loopback without TLS; a deployment points this at its relay with STARTTLS.
      ignoreTLS: true,
      ...(o.user !== undefined && o.password !== undefined && { auth: { user: o.user, pass: o.password } }),
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t,
      logger: false,
      debug: false,
    });
  }

  /** Sends one mail; resolves with the server's answer once accepted. */
  async send(to: string, subject: string, text: string, messageId: string): Promise<{ response: string }> {
    try {
      const info = (await this.transport.sendMail({ from: this.o.from, to, subject, text, messageId, textEncoding: 'base64' })) as { response?: string; rejected?: unknown[] };
      if (Array.isArray(info.rejected) && info.rejected.length > 0) throw new SmtpDeliveryError('PWDELIVERY_SMTP_REFUSED', 'the mail server refused the recipient', false);
      return { response: (info.response ?? '').slice(0, 100) };
    } catch (e) {
      if (e instanceof SmtpDeliveryError) throw e;
      const code = (e as { responseCode?: unknown }).responseCode;
      const status = typeof code === 'number' ? code : null;
      // A refused login is the TTP's configuration, not the recipient: retried (and logged) until the deadline.
      if ((e as NodeJS.ErrnoException).code === 'EAUTH') {
        this.o.log.warn({ status, host: this.o.host, user: this.o.user ?? null }, 'smtp login refused; check the SMTP user and password file');
        throw new SmtpDeliveryError('PWDELIVERY_SMTP_TEMPORARY', 'the mail server refused the login', true, { status });
      }
      if (status !== null && status >= 500) throw new SmtpDeliveryError('PWDELIVERY_SMTP_REFUSED', `the mail server refused the message (${status})`, false, { status });
      throw new SmtpDeliveryError('PWDELIVERY_SMTP_TEMPORARY', status === null ? 'the mail server could not be reached' : `the mail server answered ${status}`, true, {
        status,
        net: (e as NodeJS.ErrnoException).code ?? null,
      });
    }
  }

  close(): void {
    this.transport.close();
  }
}
