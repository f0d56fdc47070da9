/**
 * The simulated phone (`tessera phone`): a handset with memory and a screen.
 *
 *  - SMS: it attaches to the SMSC as an SMPP receiver whose system_id is its
 *    MSISDN (sim/smsc/smsc.ts); each deliver_sm is stored (sim/phone/store.ts,
 *    durable) before it is acknowledged, so the SMSC's DELIVRD receipt means
 *    "in the phone's memory". It re-attaches after the SMSC drops it
 *    (backoff), and sends enquire_link to notice a dead link.
 *  - E-mail: it reads its mailbox directory on the simulated mail server
 *    (sim/mailbox/) every `pollMs`, as a mail app polls IMAP.
 *  - The screen: `show` lists what it holds; `qr` renders a password as a
 *    QR code PNG (black on white, quiet zone of 4 modules) for a shop's
 *    scanner, either the password token itself (static) or a device-bound
 *    dynamic code signed by the device key (see dynamicQrPayload).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { connect, type PDU, type Session } from 'smpp';
import { errorCode, TesseraError } from '../../core/errors.js';
import { decodeToken, encodeBearerQr, encodeDeviceQr } from '../../protocol/password/token.js';
import { messageBytes, SMPP_STATUS } from '../smsc/smsc.js';
import { deviceKey, ensurePhoneDir, PhoneStore, type StoredMessage } from './store.js';

export type PhoneEvent =
  | { event: 'attached'; msisdn: string }
  | { event: 'detached'; msisdn: string }
  | { event: 'attach-failed'; msisdn: string; status: number | null }
  | { event: 'received'; id: string; channel: 'sms' | 'email'; ref: string | null; hasPassword: boolean; duplicate: boolean };

export interface PhoneOptions {
  readonly msisdn: string;
  readonly dir: string;
  readonly smsc?: { readonly host: string; readonly port: number } | undefined;
  /** The phone's mailbox directory on the simulated mail server. */
  readonly maildir?: string | undefined;
  readonly pollMs: number;
  readonly reattachMsMax: number;
  readonly onEvent?: (e: PhoneEvent) => void;
}

export interface RunningPhone {
  readonly store: PhoneStore;
  readonly publicKeyRaw: Buffer;
  /** Reads the mailbox now (also done every pollMs). */
  checkMail(): number;
  close(): Promise<void>;
}

/** Decodes a single-part text/plain mail (7bit, quoted-printable or base64) to its text. */
export function mailText(raw: Buffer): { from: string; text: string } {
  const s = raw.toString('latin1');
  const split = s.indexOf('\r\n\r\n') >= 0 ? s.indexOf('\r\n\r\n') : s.indexOf('\n\n');
  const head = (split >= 0 ? s.slice(0, split) : s).replace(/\r?\n[ \t]+/g, ' ');
  const body = split >= 0 ? s.slice(split).replace(/^\r?\n\r?\n/, '') : '';
  const header = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  const cte = header('content-transfer-encoding').toLowerCase();
  let text: string;
  if (cte === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (cte === 'quoted-printable') {
    text = Buffer.from(
      body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  } else text = Buffer.from(body, 'latin1').toString('utf8');
  return { from: header('from'), text: text.replace(/\r\n/g, '\n') };
}

export async function startPhone(o: PhoneOptions): Promise<RunningPhone> {
  const emit = o.onEvent ?? (() => undefined);
  ensurePhoneDir(o.dir);
  const store = new PhoneStore(o.dir);
  const { publicKeyRaw } = deviceKey(o.dir);
  let closed = false;
  let session: Session | null = null;
  let reattach: NodeJS.Timeout | null = null;
  let backoffMs = 100;

  const checkMail = (): number => {
    if (!o.maildir) return 0;
    let files: string[];
    try {
      files = readdirSync(o.maildir).filter((f) => f.endsWith('.eml')).sort();
    } catch {
      return 0;
    }
    let n = 0;
    const seen = store.mailSeen();
    for (const f of files) {
      if (seen.has(f)) continue;
      const { from, text } = mailText(readFileSync(join(o.maildir, f)));
      const r = store.add({ channel: 'email', from, receivedMs: Date.now(), text }, f);
      emit({ event: 'received', id: r.message.id, channel: 'email', ref: r.message.ref, hasPassword: r.message.token !== null || r.message.code !== null, duplicate: r.duplicate });
      n += 1;
    }
    return n;
  };
  const poll = o.maildir ? setInterval(checkMail, o.pollMs) : null;
  if (o.maildir) checkMail();

  const attach = (): void => {
    if (closed || !o.smsc) return;
    const s = connect({ host: o.smsc.host, port: o.smsc.port, auto_enquire_link_period: 5_000 });
    session = s;
    let attached = false;
    const retry = (): void => {
      if (session === s) session = null;
      if (attached) emit({ event: 'detached', msisdn: o.msisdn });
      attached = false;
      if (closed || reattach) return;
      reattach = setTimeout(() => {
        reattach = null;
        attach();
      }, backoffMs);
      backoffMs = Math.min(backoffMs * 2, o.reattachMsMax);
    };
    s.on('error', () => s.destroy());
    s.on('close', retry);
    s.on('connect', () => {
      s.bind_receiver({ system_id: o.msisdn, password: '' }, (pdu) => {
        if (pdu.command_status !== SMPP_STATUS.ESME_ROK) {
          emit({ event: 'attach-failed', msisdn: o.msisdn, status: pdu.command_status });
          s.destroy();
          return;
        }
        attached = true;
        backoffMs = 100;
        emit({ event: 'attached', msisdn: o.msisdn });
      });
    });
    s.on('enquire_link', (pdu: PDU) => s.send(pdu.response()));
    s.on('deliver_sm', (pdu: PDU) => {
      const text = messageBytes(pdu).toString('utf8');
      const from = typeof pdu['source_addr'] === 'string' ? pdu['source_addr'] : '';
      let r: { message: StoredMessage; duplicate: boolean };
      try {
        r = store.add({ channel: 'sms', from, receivedMs: Date.now(), text });
      } catch {
        // Memory failure: the SMSC sees a refusal and reports the message undelivered.
        s.send(pdu.response({ command_status: SMPP_STATUS.ESME_RSYSERR }));
        return;
      }
      s.send(pdu.response());
      emit({ event: 'received', id: r.message.id, channel: 'sms', ref: r.message.ref, hasPassword: r.message.token !== null || r.message.code !== null, duplicate: r.duplicate });
    });
  };
  attach();

  return {
    store,
    publicKeyRaw,
    checkMail,
    close: async () => {
      closed = true;
      if (poll) clearInterval(poll);
      if (reattach) clearTimeout(reattach);
      const s = session;
      if (s) await new Promise<void>((resolve) => (s.socket.destroyed ? resolve() : s.destroy(() => resolve())));
    },
  };
}

/**
 * The QR text the phone shows a shop's scanner for a stored password
 * (protocol/password/token.ts): a device-bound password gets a fresh
 * device-signed presentation (time, a counter never reused, the shop and
 * amount if the user entered them) signed by this phone's device key; a
 * bearer password its static QR (signed terms and code). A keypad password
 * (display-only devices) has no QR: the user types the code.
 */
export function qrPayload(dir: string, store: PhoneStore, m: StoredMessage, extra: { shopId?: string; amountMinor?: number }, nowMs: number): string {
  if (m.token === null) throw new TesseraError('PHONE_NO_QR', `message ${m.id} holds no password token (a keypad password is typed)`, { id: m.id });
  const signed = decodeToken(m.token);
  if (signed.terms.binding === 'device') {
    const { privateKey } = deviceKey(dir);
    const presentation = { timeMs: nowMs, counter: store.nextQrCounter(), shopId: extra.shopId ?? null, amountMinor: extra.amountMinor ?? null };
    return encodeDeviceQr(signed, presentation, privateKey);
  }
  if (signed.terms.binding === 'bearer' && m.code !== null) return encodeBearerQr(signed, m.code);
  throw new TesseraError('PHONE_NO_QR', `message ${m.id}'s password has no QR form (binding ${signed.terms.binding})`, { id: m.id });
}

/** A QR code PNG of `payload`: black modules on white, a quiet zone of 4 modules, 8 px per module; written 0600 (it shows a password). */
export async function writeQrPng(path: string, payload: string): Promise<void> {
  const png = await QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 8, color: { dark: '#000000ff', light: '#ffffffff' } });
  try {
    writeFileSync(path, png, { mode: 0o600 });
  } catch (e) {
    throw new TesseraError('PHONE_OUT_UNWRITABLE', `cannot write the QR code to ${path} (${errorCode(e)})`, { path, field: 'out' });
  }
}

/** The stored message `id`, or PHONE_NO_SUCH_MESSAGE. */
export function findMessage(store: PhoneStore, id: string): StoredMessage {
  const m = store.messages.find((x) => x.id === id);
  if (!m) throw new TesseraError('PHONE_NO_SUCH_MESSAGE', `no stored message ${id}`, { id });
  return m;
}
