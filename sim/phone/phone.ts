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
import { sign } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { connect, type PDU, type Session } from 'smpp';
import { TesseraError } from '../../core/errors.js';
import { messageBytes, SMPP_STATUS } from '../smsc/smsc.js';
import { deviceKey, PhoneStore, type StoredMessage } from './store.js';

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
    for (const f of files) {
      if (store.hasSeenMail(f)) continue;
      const { from, text } = mailText(readFileSync(join(o.maildir, f)));
      const r = store.add({ channel: 'email', from, receivedMs: Date.now(), text }, f);
      emit({ event: 'received', id: r.message.id, channel: 'email', ref: r.message.ref, hasPassword: r.message.password !== null, duplicate: r.duplicate });
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
      emit({ event: 'received', id: r.message.id, channel: 'sms', ref: r.message.ref, hasPassword: r.message.password !== null, duplicate: r.duplicate });
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
 * PLACEHOLDER until pwcore's device-bound QR format lands in protocol/: the
 * dynamic code the phone shows a shop's scanner,
 * `TPQ1.<base64url(JSON {pw, t, n, shop?, amount?})>.<base64url(Ed25519 signature)>`,
 * signed by the device key over `TPQ1.<the JSON part>`: the password token,
 * the time shown (ms), a counter never reused, and what the user entered.
 */
export function dynamicQrPayload(dir: string, store: PhoneStore, m: StoredMessage, extra: { shop?: string; amount?: number }, nowMs: number): string {
  if (m.password === null) throw new TesseraError('PHONE_NO_SUCH_MESSAGE', `message ${m.id} holds no password`, { id: m.id });
  const { privateKey } = deviceKey(dir);
  const body = Buffer.from(JSON.stringify({ pw: m.password, t: nowMs, n: store.nextQrCounter(), ...extra })).toString('base64url');
  const signed = `TPQ1.${body}`;
  return `${signed}.${sign(null, Buffer.from(signed), privateKey).toString('base64url')}`;
}

/** A QR code PNG of `payload`: black modules on white, a quiet zone of 4 modules, 8 px per module; written 0600 (it shows a password). */
export async function writeQrPng(path: string, payload: string): Promise<void> {
  const png = await QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 8, color: { dark: '#000000ff', light: '#ffffffff' } });
  writeFileSync(path, png, { mode: 0o600 });
}

/** The stored message `id`, or PHONE_NO_SUCH_MESSAGE. */
export function findMessage(store: PhoneStore, id: string): StoredMessage {
  const m = store.messages.find((x) => x.id === id);
  if (!m) throw new TesseraError('PHONE_NO_SUCH_MESSAGE', `no stored message ${id}`, { id });
  return m;
}
