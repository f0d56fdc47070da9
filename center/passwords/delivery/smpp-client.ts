/**
 * The TTP's SMPP client (ESME): one session to the SMSC, bound as a
 * transceiver (submits and receives receipts on the same session), kept
 * alive with enquire_link, re-established with backoff when it drops or the
 * bind is refused.
 *
 * `submit()` sends a submit_sm with registered_delivery = 1 (a receipt on
 * final outcome) and resolves with the SMSC's message_id; a refusal is a
 * coded error that says whether it is temporary (not bound, timeout,
 * throttled: retry) or permanent (unknown number, any other status).
 *
 * Receipts (deliver_sm with esm_class bit 0x04) go to `onReceipt`; the
 * deliver_sm_resp is sent only after onReceipt's promise resolved (the
 * receipt is durably recorded), so a receipt lost by a crash is sent again
 * by the SMSC when the TTP binds next. A receipt onReceipt fails to record
 * is answered ESME_RX_T_APPN (temporary application error: try again).
 *
 * No message text is ever logged or put in an error.
 */
import { connect, type PDU, type Session } from 'smpp';
import type { Logger } from '../../../core/log.js';
import { TesseraError } from '../../../core/errors.js';
import { PWDELIVERY_LIMITS } from './limits.js';

const ESME_ROK = 0x0000;
const ESME_RINVDSTADR = 0x000b;
const ESME_RMSGQFUL = 0x0014;
const ESME_RTHROTTLED = 0x0058;
const ESME_RX_T_APPN = 0x0064;
const ESM_CLASS_RECEIPT = 0x04;
const SHORT_MESSAGE_BYTES_MAX = 254;

export interface SmppReceipt {
  readonly messageId: string;
  readonly stat: string;
}

export interface SmppClientOptions {
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  /** Read from its 0600 file by the caller; never logged. */
  readonly password: string;
  /** source_addr of the messages (the TTP's short code or name). */
  readonly source: string;
  readonly log: Logger;
  readonly onReceipt: (r: SmppReceipt) => Promise<void>;
  readonly responseTimeoutMs?: number;
  readonly enquireLinkMs?: number;
  readonly reconnectMsMax?: number;
}

export class SmppDeliveryError extends TesseraError {
  constructor(
    code: 'PWDELIVERY_SMSC_UNAVAILABLE' | 'PWDELIVERY_SMSC_THROTTLED' | 'PWDELIVERY_SMSC_REFUSED',
    message: string,
    readonly temporary: boolean,
    details: Record<string, unknown> = {},
    /** True when the message certainly never left (no bound session, socket not writable): not an attempt. */
    readonly notSent: boolean = false,
  ) {
    super(code, message, details);
  }
}

/** The id and stat of an SMPP 3.4 Appendix B receipt text (`id:… … stat:DELIVRD …`), TLVs preferred when present. */
export function parseReceipt(pdu: PDU, text: string): SmppReceipt | null {
  const tlvId = typeof pdu['receipted_message_id'] === 'string' ? pdu['receipted_message_id'] : null;
  const id = tlvId ?? /(?:^|\s)id:(\S+)/.exec(text)?.[1] ?? null;
  const stat = /(?:^|\s)stat:(\S+)/.exec(text)?.[1] ?? null;
  return id && stat ? { messageId: id, stat } : null;
}

function pduText(pdu: PDU): string {
  for (const v of [pdu['message_payload'], pdu['short_message']]) {
    if (Buffer.isBuffer(v) && v.length > 0) return v.toString('latin1');
    if (v && typeof v === 'object' && 'message' in v) {
      const m = (v as { message: unknown }).message;
      if (typeof m === 'string') return m;
      if (Buffer.isBuffer(m)) return m.toString('latin1');
    }
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return '';
}

export class SmppClient {
  private session: Session | null = null;
  private bound = false;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoffMs = 100;
  private bindWaiters: Array<() => void> = [];

  constructor(private readonly o: SmppClientOptions) {
    this.connect();
  }

  get isBound(): boolean {
    return this.bound;
  }

  /** Resolves once bound, or after timeoutMs (then isBound says which). */
  waitBound(timeoutMs: number): Promise<boolean> {
    if (this.bound) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.bindWaiters = this.bindWaiters.filter((w) => w !== done);
        resolve(this.bound);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(t);
        resolve(true);
      };
      this.bindWaiters.push(done);
    });
  }

  private connect(): void {
    if (this.closed) return;
    const s = connect({ host: this.o.host, port: this.o.port, auto_enquire_link_period: this.o.enquireLinkMs ?? PWDELIVERY_LIMITS.smppEnquireLinkMs });
    this.session = s;
    // One 'close' listener per submit awaiting its answer (a sweep sends up to sweepBatchMax at once).
    s.setMaxListeners(0);
    s.on('error', (e: Error) => {
      this.o.log.debug({ err: (e as NodeJS.ErrnoException).code ?? 'error' }, 'smpp session error');
      s.destroy();
    });
    s.on('close', () => {
      if (this.session !== s) return;
      const was = this.bound;
      this.session = null;
      this.bound = false;
      if (was) this.o.log.warn({ host: this.o.host, port: this.o.port }, 'smpp session lost; reconnecting');
      this.scheduleReconnect();
    });
    s.on('connect', () => {
      s.bind_transceiver({ system_id: this.o.systemId, password: this.o.password, system_type: 'TESSERA', interface_version: 0x34 }, (pdu) => {
        if (pdu.command_status !== ESME_ROK) {
          this.o.log.warn({ status: pdu.command_status, systemId: this.o.systemId }, 'smpp bind refused');
          s.destroy();
          return;
        }
        this.bound = true;
        this.backoffMs = 100;
        this.o.log.info({ host: this.o.host, port: this.o.port, systemId: this.o.systemId }, 'smpp bound (transceiver)');
        const waiters = this.bindWaiters;
        this.bindWaiters = [];
        for (const w of waiters) w();
      });
    });
    s.on('enquire_link', (pdu: PDU) => s.send(pdu.response()));
    s.on('unbind', (pdu: PDU) => {
      s.send(pdu.response());
      s.close();
    });
    s.on('deliver_sm', (pdu: PDU) => {
      const esm = typeof pdu['esm_class'] === 'number' ? pdu['esm_class'] : 0;
      if ((esm & ESM_CLASS_RECEIPT) === 0) {
        // A mobile-originated message to the TTP: not used; acknowledged and dropped.
        s.send(pdu.response());
        return;
      }
      const r = parseReceipt(pdu, pduText(pdu));
      if (!r) {
        this.o.log.warn({}, 'smpp receipt without id or stat; acknowledged and ignored');
        s.send(pdu.response());
        return;
      }
      this.o.onReceipt(r).then(
        () => s.send(pdu.response()),
        () => s.send(pdu.response({ command_status: ESME_RX_T_APPN })),
      );
    });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, this.o.reconnectMsMax ?? PWDELIVERY_LIMITS.smppReconnectMsMax);
  }

  /** Submits one SMS with a delivery receipt requested; the SMSC's message_id. */
  submit(to: string, text: Buffer): Promise<string> {
    const s = this.session;
    if (!s || !this.bound) return Promise.reject(new SmppDeliveryError('PWDELIVERY_SMSC_UNAVAILABLE', 'no bound SMPP session', true, { host: this.o.host, port: this.o.port }, true));
    const body = text.length <= SHORT_MESSAGE_BYTES_MAX ? { short_message: text } : { message_payload: text };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new SmppDeliveryError('PWDELIVERY_SMSC_UNAVAILABLE', 'no submit_sm_resp in time', true, { timeoutMs: this.o.responseTimeoutMs ?? PWDELIVERY_LIMITS.smppResponseTimeoutMs }));
        // The session is suspect: a fresh one is made (its answer, if any, is lost; the retry may duplicate: at-least-once).
        s.destroy();
      }, this.o.responseTimeoutMs ?? PWDELIVERY_LIMITS.smppResponseTimeoutMs);
      const onClose = (): void => {
        clearTimeout(timer);
        reject(new SmppDeliveryError('PWDELIVERY_SMSC_UNAVAILABLE', 'SMPP session closed before the submit_sm_resp', true));
      };
      s.once('close', onClose);
      const sent = s.submit_sm(
        {
          source_addr: this.o.source,
          source_addr_ton: 5, // alphanumeric
          destination_addr: to,
          dest_addr_ton: 1, // international
          dest_addr_npi: 1, // ISDN
          registered_delivery: 1, // receipt on final outcome, success or failure
          data_coding: 0x04,
          ...body,
        },
        (pdu) => {
          clearTimeout(timer);
          s.off('close', onClose);
          const st = pdu.command_status;
          const messageId = typeof pdu['message_id'] === 'string' ? pdu['message_id'] : '';
          if (st === ESME_ROK && messageId.length > 0) return resolve(messageId);
          if (st === ESME_RTHROTTLED || st === ESME_RMSGQFUL) return reject(new SmppDeliveryError('PWDELIVERY_SMSC_THROTTLED', `the SMSC throttled the submit (status 0x${st.toString(16)})`, true, { status: st }));
          const what = st === ESME_RINVDSTADR ? 'unknown destination number' : `status 0x${st.toString(16)}`;
          return reject(new SmppDeliveryError('PWDELIVERY_SMSC_REFUSED', `the SMSC refused the message: ${what}`, false, { status: st }));
        },
      );
      if (!sent) {
        clearTimeout(timer);
        s.off('close', onClose);
        reject(new SmppDeliveryError('PWDELIVERY_SMSC_UNAVAILABLE', 'the SMPP socket is not writable', true, {}, true));
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const s = this.session;
    this.session = null;
    this.bound = false;
    if (s) await new Promise<void>((resolve) => (s.socket.destroyed ? resolve() : s.destroy(() => resolve())));
  }
}
