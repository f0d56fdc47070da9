/**
 * The simulated SMSC: an SMPP 3.4 server (the `smpp` package) between the
 * TTP's delivery client and the simulated phones.
 *
 * Who binds:
 *  - an ESME (the TTP) binds transceiver (or transmitter/receiver) with a
 *    system_id and password from `accounts`; a wrong password is
 *    ESME_RINVPASWD, an unknown system_id ESME_RINVSYSID;
 *  - a phone binds receiver (or transceiver) with its MSISDN as system_id
 *    (the air interface has no SMPP password; any password is accepted): it
 *    stands for the handset being switched on and attached to the network.
 *
 * submit_sm: the destination must be a registered MSISDN (else
 * ESME_RINVDSTADR, "unknown number"); throttled mode answers ESME_RTHROTTLED.
 * An accepted message gets a fresh message_id and is delivered to the phone
 * as a deliver_sm; a phone not bound holds it for `holdMs` (store and
 * forward), then it is undeliverable. A phone switched off (fault) makes it
 * undeliverable at once. When the submit asked for a receipt
 * (registered_delivery bit 0), the SMSC sends the ESME a deliver_sm with
 * esm_class 0x04 (MC delivery receipt): `id:<message_id> sub:001 dlvrd:001
 * submit date:… done date:… stat:DELIVRD err:000 text:` (UNDELIV, dlvrd:000,
 * err:001 when undeliverable), plus the receipted_message_id and
 * message_state TLVs. The receipt's `text:` is left empty on purpose: a real
 * SMSC copies the first 20 characters of the message there, and the message
 * is a password. Receipts wait for a bound session of the ESME's system_id
 * (after a reconnect they go to the new session; one sent but not
 * acknowledged when the session closes is sent again); `receiptDelayMs` holds
 * every receipt back (late receipts).
 *
 * Nothing here logs or prints a message's text: events carry ids, numbers
 * and lengths.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type PDU, type Server, type Session } from 'smpp';
import { TesseraError } from '../../core/errors.js';

/** SMPP command_status values used here (SMPP 3.4 §5.1.3). */
export const SMPP_STATUS = {
  ESME_ROK: 0x0000,
  ESME_RINVBNDSTS: 0x0004,
  ESME_RALYBND: 0x0005,
  ESME_RSYSERR: 0x0008,
  ESME_RINVDSTADR: 0x000b,
  ESME_RINVPASWD: 0x000e,
  ESME_RINVSYSID: 0x000f,
  ESME_RTHROTTLED: 0x0058,
} as const;

/** esm_class of an SMSC delivery receipt. */
export const ESM_CLASS_RECEIPT = 0x04;
/** message_state TLV values. */
export const MESSAGE_STATE = { DELIVERED: 2, UNDELIVERABLE: 5 } as const;

export type SmscEvent =
  | { event: 'bound'; role: 'esme' | 'phone'; systemId: string; mode: string }
  | { event: 'unbound'; role: 'esme' | 'phone'; systemId: string }
  | { event: 'bind-refused'; systemId: string; status: number }
  | { event: 'submitted'; messageId: string; to: string; bytes: number; receipt: boolean }
  | { event: 'submit-refused'; to: string; status: number }
  | { event: 'delivered'; messageId: string; to: string }
  | { event: 'undeliverable'; messageId: string; to: string; why: 'phone-off' | 'not-attached' }
  | { event: 'receipt'; messageId: string; stat: 'DELIVRD' | 'UNDELIV'; systemId: string };

export interface SmscAccount {
  readonly systemId: string;
  readonly password: string;
}

export interface SmscOptions {
  readonly host: string;
  readonly port: number;
  readonly accounts: readonly SmscAccount[];
  /** MSISDNs of the simulated phones (the network's subscribers). */
  readonly phones: readonly string[];
  /** How long a message waits for a phone that is not attached before it is undeliverable. */
  readonly holdMs: number;
  readonly faults?: { phonesOff?: readonly string[]; receiptDelayMs?: number; throttled?: boolean };
  readonly onEvent?: (e: SmscEvent) => void;
}

interface Bound {
  readonly role: 'esme' | 'phone';
  readonly systemId: string;
  readonly mode: 'transmitter' | 'receiver' | 'transceiver';
}

interface Pending {
  readonly messageId: string;
  readonly from: string;
  readonly to: string;
  readonly text: Buffer;
  readonly esme: string;
  readonly receipt: boolean;
  readonly submittedAt: Date;
  timer: NodeJS.Timeout | null;
}

interface Receipt {
  readonly messageId: string;
  readonly from: string;
  readonly to: string;
  readonly stat: 'DELIVRD' | 'UNDELIV';
  readonly submittedAt: Date;
  readonly doneAt: Date;
}

export interface Smsc {
  readonly address: AddressInfo;
  /** Fault controls (tests, the demo): the same as the stdin control lines of `tessera smsc serve`. */
  phoneOff(msisdn: string, off: boolean): void;
  setReceiptDelay(ms: number): void;
  setThrottled(on: boolean): void;
  /** SMSC down: every session dropped and the port closed; up: listening again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const MESSAGE_BYTES_MAX = 254;

/** `YYMMDDhhmm` in UTC, the receipt's date format. */
function receiptDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

/** The text of an SMPP 3.4 Appendix B delivery receipt (text: left empty, see the header). */
export function receiptText(r: { messageId: string; stat: 'DELIVRD' | 'UNDELIV'; submittedAt: Date; doneAt: Date }): string {
  const ok = r.stat === 'DELIVRD';
  return `id:${r.messageId} sub:001 dlvrd:${ok ? '001' : '000'} submit date:${receiptDate(r.submittedAt)} done date:${receiptDate(r.doneAt)} stat:${r.stat} err:${ok ? '000' : '001'} text:`;
}

/** The bytes of a short_message / message_payload as the package decoded them. */
export function messageBytes(pdu: PDU): Buffer {
  const payload = pdu['message_payload'];
  const sm = pdu['short_message'];
  for (const v of [payload, sm]) {
    if (Buffer.isBuffer(v) && v.length > 0) return v;
    if (v && typeof v === 'object' && 'message' in v) {
      const m = (v as { message: unknown }).message;
      if (typeof m === 'string' && m.length > 0) return Buffer.from(m, 'latin1');
      if (Buffer.isBuffer(m) && m.length > 0) return m;
    }
    if (typeof v === 'string' && v.length > 0) return Buffer.from(v, 'latin1');
  }
  return Buffer.alloc(0);
}

/** The message fields of a submit_sm/deliver_sm carrying `bytes`: short_message up to 254 bytes, else the message_payload TLV. */
export function messageFields(bytes: Buffer): Record<string, unknown> {
  // data_coding 0x04: 8-bit binary, so the package leaves the bytes alone (the text is ASCII).
  return bytes.length <= MESSAGE_BYTES_MAX ? { data_coding: 0x04, short_message: bytes } : { data_coding: 0x04, message_payload: bytes };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startSmsc(o: SmscOptions): Promise<Smsc> {
  const emit = o.onEvent ?? (() => undefined);
  const phones = new Set(o.phones);
  const off = new Set(o.faults?.phonesOff ?? []);
  let receiptDelayMs = o.faults?.receiptDelayMs ?? 0;
  let throttled = o.faults?.throttled ?? false;
  const bound = new Map<Session, Bound>();
  /** Messages waiting for their phone, by MSISDN. */
  const waiting = new Map<string, Pending[]>();
  /** Receipts waiting for a bound session of their ESME, by system_id. */
  const receipts = new Map<string, Receipt[]>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };

  const sessionsOf = (role: Bound['role'], systemId: string, receiving: boolean): Session[] =>
    [...bound].filter(([, b]) => b.role === role && b.systemId === systemId && (!receiving || b.mode !== 'transmitter')).map(([s]) => s);

  const flushReceipts = (systemId: string): void => {
    const queue = receipts.get(systemId);
    if (!queue || queue.length === 0) return;
    const session = sessionsOf('esme', systemId, true)[0];
    if (!session) return;
    receipts.delete(systemId);
    for (const r of queue) {
      // Until the ESME acknowledges it, a receipt is re-queued if the session closes (the ESME crashed): sent again at its next bind.
      const requeue = (): void => queueReceipt(systemId, r, 0);
      session.once('close', requeue);
      session.deliver_sm(
        {
          source_addr: r.to,
          destination_addr: r.from,
          esm_class: ESM_CLASS_RECEIPT,
          ...messageFields(Buffer.from(receiptText(r), 'latin1')),
          receipted_message_id: r.messageId,
          message_state: r.stat === 'DELIVRD' ? MESSAGE_STATE.DELIVERED : MESSAGE_STATE.UNDELIVERABLE,
        },
        (resp) => {
          session.off('close', requeue);
          // An ESME that refuses it (temporary application error) gets the receipt again when it binds next.
          if (resp.command_status !== SMPP_STATUS.ESME_ROK) {
            const q = receipts.get(systemId) ?? [];
            q.push(r);
            receipts.set(systemId, q);
          }
        },
      );
      emit({ event: 'receipt', messageId: r.messageId, stat: r.stat, systemId });
    }
  };

  const queueReceipt = (systemId: string, r: Receipt, delayMs: number): void => {
    const put = (): void => {
      const q = receipts.get(systemId) ?? [];
      q.push(r);
      receipts.set(systemId, q);
      flushReceipts(systemId);
    };
    if (delayMs > 0) later(delayMs, put);
    else put();
  };

  const finish = (m: Pending, stat: 'DELIVRD' | 'UNDELIV'): void => {
    if (m.timer) clearTimeout(m.timer);
    m.timer = null;
    if (m.receipt) queueReceipt(m.esme, { messageId: m.messageId, from: m.from, to: m.to, stat, submittedAt: m.submittedAt, doneAt: new Date() }, receiptDelayMs);
  };

  const tryDeliver = (msisdn: string): void => {
    const queue = waiting.get(msisdn);
    if (!queue || queue.length === 0) return;
    const phone = sessionsOf('phone', msisdn, true)[0];
    if (!phone) return;
    waiting.delete(msisdn);
    for (const m of queue) {
      const sent = phone.deliver_sm({ source_addr: m.from, destination_addr: m.to, esm_class: 0, ...messageFields(m.text) }, (resp) => {
        if (resp.command_status === SMPP_STATUS.ESME_ROK) {
          emit({ event: 'delivered', messageId: m.messageId, to: m.to });
          finish(m, 'DELIVRD');
        } else {
          // The handset refused it (memory full, …): the SMSC gives up on it.
          emit({ event: 'undeliverable', messageId: m.messageId, to: m.to, why: 'not-attached' });
          finish(m, 'UNDELIV');
        }
      });
      if (!sent) hold(m);
    }
  };

  const hold = (m: Pending): void => {
    const q = waiting.get(m.to) ?? [];
    q.push(m);
    waiting.set(m.to, q);
    if (!m.timer) {
      m.timer = later(o.holdMs, () => {
        m.timer = null;
        const rest = (waiting.get(m.to) ?? []).filter((x) => x !== m);
        if (rest.length > 0) waiting.set(m.to, rest);
        else waiting.delete(m.to);
        emit({ event: 'undeliverable', messageId: m.messageId, to: m.to, why: 'not-attached' });
        finish(m, 'UNDELIV');
      });
    }
  };

  const onSession = (session: Session): void => {
    if (closed) {
      session.destroy();
      return;
    }
    // One 'close' listener per receipt awaiting its answer (requeued if the session closes): many at once under load.
    session.setMaxListeners(0);
    session.on('error', () => session.destroy());
    session.on('close', () => {
      const b = bound.get(session);
      bound.delete(session);
      if (b) emit({ event: 'unbound', role: b.role, systemId: b.systemId });
    });
    const onBind = (mode: Bound['mode']) => (pdu: PDU): void => {
      const systemId = typeof pdu['system_id'] === 'string' ? pdu['system_id'] : '';
      const password = typeof pdu['password'] === 'string' ? pdu['password'] : '';
      if (bound.has(session)) {
        session.send(pdu.response({ command_status: SMPP_STATUS.ESME_RALYBND }));
        return;
      }
      const account = o.accounts.find((a) => a.systemId === systemId);
      let status: number = SMPP_STATUS.ESME_ROK;
      let role: Bound['role'] = 'esme';
      if (account) status = sameSecret(account.password, password) ? SMPP_STATUS.ESME_ROK : SMPP_STATUS.ESME_RINVPASWD;
      else if (phones.has(systemId)) role = 'phone';
      else status = SMPP_STATUS.ESME_RINVSYSID;
      if (role === 'phone' && off.has(systemId)) status = SMPP_STATUS.ESME_RSYSERR; // a switched-off handset cannot attach
      if (status !== SMPP_STATUS.ESME_ROK) {
        emit({ event: 'bind-refused', systemId, status });
        session.send(pdu.response({ command_status: status }));
        return;
      }
      bound.set(session, { role, systemId, mode });
      session.send(pdu.response({ system_id: 'TESSERA-SMSC' }));
      emit({ event: 'bound', role, systemId, mode });
      if (role === 'phone') tryDeliver(systemId);
      else flushReceipts(systemId);
    };
    session.on('bind_transceiver', onBind('transceiver'));
    session.on('bind_receiver', onBind('receiver'));
    session.on('bind_transmitter', onBind('transmitter'));
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('deliver_sm', (pdu: PDU) => session.send(pdu.response({ command_status: SMPP_STATUS.ESME_RINVBNDSTS })));
    session.on('submit_sm', (pdu: PDU) => {
      const b = bound.get(session);
      const to = typeof pdu['destination_addr'] === 'string' ? pdu['destination_addr'] : '';
      const refuse = (status: number): void => {
        emit({ event: 'submit-refused', to, status });
        session.send(pdu.response({ command_status: status }));
      };
      if (!b || b.role !== 'esme' || b.mode === 'receiver') return refuse(SMPP_STATUS.ESME_RINVBNDSTS);
      if (throttled) return refuse(SMPP_STATUS.ESME_RTHROTTLED);
      if (!phones.has(to)) return refuse(SMPP_STATUS.ESME_RINVDSTADR);
      const text = messageBytes(pdu);
      const registered = typeof pdu['registered_delivery'] === 'number' ? pdu['registered_delivery'] : 0;
      const m: Pending = {
        messageId: randomBytes(8).toString('hex'),
        from: typeof pdu['source_addr'] === 'string' ? pdu['source_addr'] : '',
        to,
        text,
        esme: b.systemId,
        receipt: (registered & 0x03) !== 0,
        submittedAt: new Date(),
        timer: null,
      };
      session.send(pdu.response({ message_id: m.messageId }));
      emit({ event: 'submitted', messageId: m.messageId, to, bytes: text.length, receipt: m.receipt });
      if (off.has(to)) {
        emit({ event: 'undeliverable', messageId: m.messageId, to, why: 'phone-off' });
        finish(m, 'UNDELIV');
        return;
      }
      hold(m);
      tryDeliver(to);
    });
  };

  let server: Server = createServer({}, onSession);
  const listen = (port: number): Promise<AddressInfo> =>
    new Promise((resolve, reject) => {
      const fail = (e: Error): void => reject(new TesseraError('SMSC_LISTEN_FAILED', `the SMSC cannot listen on ${o.host}:${port}`, { host: o.host, port }, { cause: e }));
      server.once('error', fail);
      server.listen(port, o.host, () => {
        server.off('error', fail);
        resolve(server.address() as AddressInfo);
      });
    });
  const address = await listen(o.port);
  let listening = true;

  const stopListening = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    for (const s of [...bound.keys(), ...server.sessions]) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  return {
    address,
    phoneOff: (msisdn, isOff) => {
      if (isOff) {
        off.add(msisdn);
        for (const s of sessionsOf('phone', msisdn, false)) s.destroy();
      } else off.delete(msisdn);
    },
    setReceiptDelay: (ms) => void (receiptDelayMs = ms),
    setThrottled: (on) => void (throttled = on),
    down: stopListening,
    up: async () => {
      if (listening) return;
      server = createServer({}, onSession);
      await listen(address.port);
      listening = true;
    },
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await stopListening();
    },
  };
}
