/**
 * The settlement-password scene (seed 003), after the voucher scene: three
 * customers order passwords from the credit company; the TTP (the center's
 * passwords module) issues each and sends it straight to the customer's
 * device — by SMS through the simulated SMSC (SMPP, confirmed by a DELIVRD
 * receipt) or by e-mail through the simulated mail server (SMTP, "delivered"
 * = accepted by the receiving server) — where a simulated phone shows and
 * stores it. Ben pays the web shop online with his code (merchant API);
 * Aiko pays the corner store with the device-signed QR her phone shows:
 * the store's `password-pos` till (till.ts) takes the keyed amount, its
 * serial scanner reads the QR off the phone's rendered screen (zbarimg),
 * the till checks it offline and asks the TTP; Chie's password expires unused and its value goes back to the
 * credit company. Every step is one PasswordEvent with what the plan
 * expected and whether it happened so; never a code or token in a line.
 *
 * The issuer: `PasswordIssuer`: the credit company (sim/credit/, what
 * `tessera credit serve` runs, here in the demo's process) debits the
 * customer's bank account through its relay and asks the TTP's issuer API
 * (HTTP, /v1/issuer/) to issue; at expiry it takes the TTP's return in and
 * refunds the customer (`issuerCredit`). `issuerDirect` stands in for it
 * with the TTP's issue API (no bank money moves).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../../core/clock.js';
import { errorCode } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { MerchantClient } from '../../../center/merchant-api/client.js';
import { PasswordsClient } from '../../../center/passwords/client.js';
import type { Passwords } from '../../../center/passwords/passwords.js';
import type { Storage } from '../../../center/storage/types.js';
import type { CreditCompany } from '../../credit/company.js';
import { mailboxDir } from '../../mailbox/mailbox.js';
import { qrPayload, startPhone, writeQrPng, type RunningPhone } from '../../phone/phone.js';
import type { StoredMessage } from '../../phone/store.js';
import { decodeImage } from '../../scanner/sheet-reader.js';
import { DEMO_LIMITS } from '../limits.js';
import { PASSWORD_CAST, PASSWORD_CURRENCY, type PasswordCustomer } from './plan.js';
import { PASSWORD_ISSUER, type PasswordSetup } from './setup.js';
import type { PasswordTill } from './till.js';

export type PasswordEventKind = 'order' | 'delivered' | 'pay-online' | 'pay-store' | 'expired';

export interface PasswordEvent {
  readonly kind: PasswordEventKind;
  /** ms since the scene started. */
  readonly atMs: number;
  readonly who: string;
  readonly channel: 'sms' | 'email';
  readonly amountMinor: number;
  /** What was left on the password after the step (pay), or returned to the issuer (expired). */
  readonly restMinor: number;
  /** pay-store: the till that took it (absent: through the merchant API). */
  readonly till?: string;
  /** expired: the credit company refunded the customer's bank account (null: no credit company in this run). */
  readonly refunded?: boolean | null;
  readonly serialPrefix: string;
  readonly result: string;
  readonly code: string | null;
  readonly asExpected: boolean;
}

/** What a customer orders: the value, where it goes, how it is bound, and when it expires (absent: the default). */
export interface PasswordOrder {
  readonly customer: PasswordCustomer;
  readonly amountMinor: number;
  readonly device: { readonly channel: 'sms' | 'email'; readonly address: string; readonly binding: 'bearer' | 'device'; readonly deviceKey: Buffer | null };
  readonly partial: boolean;
  readonly expiresAtMs?: number;
}

/** Who the customer orders from: the credit company, which pays the TTP and asks it to issue. */
export interface PasswordIssuer {
  readonly name: string;
  order(o: PasswordOrder): Promise<{ readonly serial: string; readonly expiresAtMs: number }>;
  /** The credit company takes the TTP's returns in and refunds its customers; resolves with how many it refunded (null: no credit company here). */
  settleReturns(): Promise<number | null>;
}

/** The credit company (sim/credit/, as `tessera credit serve` runs it): debits the customer's bank account, then issues at the TTP's issuer API. */
export function issuerCredit(company: CreditCompany): PasswordIssuer {
  return {
    name: `credit company ${PASSWORD_ISSUER}`,
    order: async (o) => {
      const c = o.customer;
      const d = o.device;
      const order = await company.order({
        customer: c.name.toLowerCase(), amountMinor: o.amountMinor, pin: c.bankPin, partial: o.partial,
        device: { channel: d.channel, address: d.address, binding: d.binding, ...(d.deviceKey && { deviceKey: d.deviceKey.toString('hex') }) },
        ...(o.expiresAtMs !== undefined && { expiresAtMs: o.expiresAtMs }),
      });
      if (order.state !== 'issued' || order.serial === null) throw Object.assign(new Error(`order ${order.orderId} is ${order.state}`), { code: order.code ?? 'CREDIT_TTP_PENDING' });
      return { serial: order.serial, expiresAtMs: order.expiresAtMs ?? 0 };
    },
    settleReturns: async () => (await company.work()).returns.refunded,
  };
}

/** The TTP's issue API called directly (a program standing in for the credit company: no bank debit, no refund). */
export function issuerDirect(pw: Passwords): PasswordIssuer {
  return {
    name: `${PASSWORD_ISSUER} (through the TTP's issue API)`,
    order: async (o) => {
      const a = await pw.issue({
        issuer: PASSWORD_ISSUER, requestId: `demo-${o.customer.name.toLowerCase()}-${Date.now()}`, amountMinor: o.amountMinor, currency: PASSWORD_CURRENCY, partial: o.partial,
        binding: o.device.binding, deviceKey: o.device.deviceKey, channel: o.device.channel, address: o.device.address, ...(o.expiresAtMs !== undefined && { expiresAtMs: o.expiresAtMs }),
      });
      return { serial: a.serial, expiresAtMs: a.expiresAtMs };
    },
    settleReturns: async () => null,
  };
}

export interface PasswordSceneRun {
  readonly events: PasswordEvent[];
  readonly issuedMinor: number;
  readonly serials: readonly string[];
  close(): Promise<void>;
}

export interface PasswordSceneOptions {
  readonly setup: PasswordSetup;
  readonly pw: Passwords;
  /** The center's storage (the password's books after expiry). */
  readonly storage: Storage;
  readonly issuer?: PasswordIssuer;
  /** The web shop on the merchant API (the voucher scene's). */
  readonly webShop: { readonly url: string; readonly apiKeyFile: string };
  readonly merchantApiUrl: string;
  /** The corner store's password till (absent: the store's sale goes through the merchant API with the scanned QR). */
  readonly till?: PasswordTill;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly log: Logger;
  readonly onEvent?: (e: PasswordEvent) => void;
}

interface Customer {
  readonly c: PasswordCustomer;
  readonly phone: RunningPhone;
  readonly dir: string;
  issued?: { readonly serial: string; readonly expiresAtMs: number };
  message?: StoredMessage;
}

const POLL_MS = 20;

export async function runPasswordScene(o: PasswordSceneOptions): Promise<PasswordSceneRun> {
  const t0 = o.clock.monoMs();
  const events: PasswordEvent[] = [];
  const issuer = o.issuer ?? issuerDirect(o.pw);
  const emit = (e: Omit<PasswordEvent, 'atMs'>): void => {
    const full = { ...e, atMs: o.clock.monoMs() - t0 };
    events.push(full);
    o.onEvent?.(full);
  };
  const phones: RunningPhone[] = [];
  const clients: MerchantClient[] = [];
  const close = async (): Promise<void> => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    for (const p of phones.splice(0)) await p.close().catch(() => undefined);
  };
  try {
    // The devices: phones bound to the SMSC, or reading their mailbox.
    const customers: Customer[] = [];
    for (const c of PASSWORD_CAST) {
      const dir = join(o.setup.dir, `phone-${c.name.toLowerCase()}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      let attached!: () => void;
      const ready = new Promise<void>((r) => (attached = r));
      const phone = await startPhone({
        msisdn: c.msisdn, dir, pollMs: 50, reattachMsMax: 500,
        ...(c.channel === 'sms' ? { smsc: { host: '127.0.0.1', port: o.setup.smscPort } } : { maildir: mailboxDir(o.setup.mailDir, c.email) }),
        onEvent: (e) => e.event === 'attached' && attached(),
      });
      phones.push(phone);
      if (c.channel === 'sms') await withTimeout(ready, `${c.name}'s phone attached to the SMSC`);
      customers.push({ c, phone, dir });
    }

    // Orders: the customer orders from the credit company, which takes the value from the customer's bank account
    // and asks the TTP to issue; the TTP issues and queues the message in one unit.
    await Promise.all(customers.map(async (k) => {
      const c = k.c;
      try {
        k.issued = await issuer.order({
          customer: c, amountMinor: c.amountMinor, partial: c.use.kind === 'store',
          device: { channel: c.channel, address: c.channel === 'sms' ? c.msisdn : c.email, binding: c.binding, deviceKey: c.binding === 'device' ? k.phone.publicKeyRaw : null },
          ...(c.use.kind === 'expire' && { expiresAtMs: o.clock.nowMs() + c.use.lifetimeMs }),
        });
        emit({ kind: 'order', who: c.name, channel: c.channel, amountMinor: c.amountMinor, restMinor: c.amountMinor, serialPrefix: k.issued.serial.slice(0, 8), result: 'issued', code: null, asExpected: true });
      } catch (e) {
        emit({ kind: 'order', who: c.name, channel: c.channel, amountMinor: c.amountMinor, restMinor: 0, serialPrefix: '', result: 'error', code: errorCode(e), asExpected: false });
      }
    }));

    // Deliveries: spendable at the TTP (receipt or 250), shown and stored on the device.
    await Promise.all(
      customers.map(async (k) => {
        if (!k.issued) return;
        const serial = k.issued.serial;
        try {
          await waitUntil(async () => (await o.pw.view(serial))?.state === 'delivered', `${k.c.name}'s password delivered`);
          k.message = await waitUntil(async () => {
            if (k.c.channel === 'email') k.phone.checkMail();
            return k.phone.store.messages.find((m) => m.ref === serial && (m.code !== null || m.token !== null));
          }, `${k.c.name}'s password on the device`);
          emit({ kind: 'delivered', who: k.c.name, channel: k.c.channel, amountMinor: k.c.amountMinor, restMinor: k.c.amountMinor, serialPrefix: serial.slice(0, 8), result: 'delivered', code: null, asExpected: true });
        } catch (e) {
          emit({ kind: 'delivered', who: k.c.name, channel: k.c.channel, amountMinor: k.c.amountMinor, restMinor: 0, serialPrefix: serial.slice(0, 8), result: 'error', code: errorCode(e), asExpected: false });
        }
      }),
    );

    const web = new PasswordsClient(track(clients, new MerchantClient({ baseUrl: o.webShop.url, apiKey: readFileSync(o.webShop.apiKeyFile, 'utf8').trim(), clock: o.clock })));
    const store = new PasswordsClient(track(clients, new MerchantClient({ baseUrl: o.merchantApiUrl, apiKey: readFileSync(o.setup.shop.apiKeyFile, 'utf8').trim(), clock: o.clock })));
    for (const k of customers) {
      const c = k.c;
      const m = k.message;
      if (!k.issued || !m) continue;
      const base = { who: c.name, channel: c.channel, serialPrefix: k.issued.serial.slice(0, 8) };
      if (c.use.kind === 'online') {
        // Online: the customer types the code from the e-mail into the web shop's checkout.
        try {
          const sale = await web.redeem({ code: m.code! }, { amountMinor: c.use.amountMinor, currency: PASSWORD_CURRENCY });
          emit({ kind: 'pay-online', ...base, amountMinor: sale.body.capturedMinor, restMinor: sale.body.remainingMinor, result: sale.body.state, code: null, asExpected: sale.body.state === 'captured' && sale.body.capturedMinor === c.use.amountMinor });
        } catch (e) {
          emit({ kind: 'pay-online', ...base, amountMinor: c.use.amountMinor, restMinor: 0, result: 'error', code: errorCode(e), asExpected: false });
        }
      } else if (c.use.kind === 'store') {
        // In store: the phone shows a device-signed QR for this shop and amount; the till's scanner reads it off the screen.
        try {
          const png = join(k.dir, 'qr-shown.png');
          await writeQrPng(png, qrPayload(k.dir, k.phone.store, m, { shopId: o.setup.shop.shopId, amountMinor: c.use.amountMinor }, o.clock.nowMs()));
          if (o.till) {
            const r = await o.till.sell(png, c.use.amountMinor, o.signal);
            const captured = typeof r.details?.['amountMinor'] === 'number' ? r.details['amountMinor'] : 0;
            const left = typeof r.details?.['balanceMinor'] === 'number' ? r.details['balanceMinor'] : 0;
            emit({ kind: 'pay-store', ...base, amountMinor: captured, restMinor: left, result: r.result, code: r.code, asExpected: r.result === 'approved' && captured === c.use.amountMinor && left === c.amountMinor - c.use.amountMinor, till: o.till.terminalId });
            continue;
          }
          const scanned = (await decodeImage(png)).find((s) => s.symbology === 'QR-Code' || s.symbology === 'QRCODE');
          if (!scanned) throw new Error('the scanner found no QR code on the phone screen');
          const sale = await store.redeem({ qr: scanned.data }, { amountMinor: c.use.amountMinor, currency: PASSWORD_CURRENCY });
          emit({ kind: 'pay-store', ...base, amountMinor: sale.body.capturedMinor, restMinor: sale.body.remainingMinor, result: sale.body.state, code: null, asExpected: sale.body.state === 'captured' && sale.body.remainingMinor === c.amountMinor - c.use.amountMinor });
        } catch (e) {
          emit({ kind: 'pay-store', ...base, amountMinor: c.use.amountMinor, restMinor: 0, result: 'error', code: errorCode(e), asExpected: false });
        }
      }
    }

    // Expiry: the unused password's value goes back to the credit company (RETURN), the password refunded.
    for (const k of customers) {
      if (k.c.use.kind !== 'expire' || !k.issued) continue;
      const serial = k.issued.serial;
      const base = { who: k.c.name, channel: k.c.channel, amountMinor: k.c.amountMinor, serialPrefix: serial.slice(0, 8) };
      try {
        const wait = k.issued.expiresAtMs - o.clock.nowMs() + 5;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await o.pw.sweep();
        const v = await o.pw.view(serial);
        const returned = await o.storage.read((q) => q.get<{ returned: number }>('SELECT returned FROM passwords WHERE id = ?', [serial]));
        // The credit company takes the return in and refunds the customer's bank account.
        const refunds = await issuer.settleReturns();
        emit({ kind: 'expired', ...base, refunded: refunds === null ? null : refunds >= 1, restMinor: Number(returned?.returned ?? 0), result: v?.state ?? 'unknown', code: null, asExpected: v?.state === 'refunded' && Number(returned?.returned) === k.c.amountMinor && (refunds === null || refunds >= 1) });
      } catch (e) {
        emit({ kind: 'expired', ...base, restMinor: 0, result: 'error', code: errorCode(e), asExpected: false });
      }
    }
    const issuedMinor = customers.reduce((a, k) => a + (k.issued ? k.c.amountMinor : 0), 0);
    const serials = customers.flatMap((k) => (k.issued ? [k.issued.serial] : []));
    return { events, issuedMinor, serials, close };
  } catch (e) {
    await close();
    o.log.warn({ err: errorCode(e) }, 'password scene stopped');
    throw e;
  }
}

function track(list: MerchantClient[], c: MerchantClient): MerchantClient {
  list.push(c);
  return c;
}

async function waitUntil<T>(fn: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const end = Date.now() + DEMO_LIMITS.stepTimeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw Object.assign(new Error(`timed out: ${what}`), { code: 'DEMO_STEP_TIMEOUT' });
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(Object.assign(new Error(`timed out: ${what}`), { code: 'DEMO_STEP_TIMEOUT' })), DEMO_LIMITS.stepTimeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}
