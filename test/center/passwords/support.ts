/**
 * A TTP password core on a real database (SQLite file or PostgreSQL), with a
 * recording delivery double (the real SMPP/SMTP delivery is
 * center/passwords/delivery/, tested there): it keeps each message so a test
 * can present the code or token the device would have received.
 */
import { auditLedger } from '../../../center/ledger/audit.js';
import { PASSWORDS_AUDIT } from '../../../center/passwords/audit-check.js';
import type { DeliveryChannel, PasswordDelivery, PasswordMessage } from '../../../center/passwords/delivery-port.js';
import type { IssueRequest } from '../../../center/passwords/issue.js';
import { Passwords } from '../../../center/passwords/passwords.js';
import type { Storage } from '../../../center/storage/types.js';
import type { Clock } from '../../../core/clock.js';
import { silentLogger, type Logger } from '../../../core/log.js';
import { SeededRandom } from '../../../core/random.js';

export const TTP_SEED = Buffer.alloc(32, 0x5a);

export class RecordingDelivery implements PasswordDelivery {
  readonly sent = new Map<string, { channel: DeliveryChannel; address: string; message: PasswordMessage }>();
  refuse = false;
  async deliver(passwordId: string, channel: DeliveryChannel, address: string, message: PasswordMessage): Promise<void> {
    if (this.refuse) throw Object.assign(new Error('channel down'), { code: 'SIM_CHANNEL_DOWN' });
    this.sent.set(passwordId, { channel, address, message });
  }
  /** The code in a sent message (the last group of the text). */
  code(passwordId: string): string {
    const text = this.sent.get(passwordId)!.message.text;
    return text.slice(text.lastIndexOf(': ') + 2);
  }
}

export async function openCore(storage: Storage, clock: Clock, o: { log?: Logger; seed?: number } = {}): Promise<{ pw: Passwords; delivery: RecordingDelivery }> {
  const pw = await Passwords.open({
    storage, clock, random: new SeededRandom(o.seed ?? 1), log: o.log ?? silentLogger, ttpSeed: TTP_SEED, issuers: ['CREDIT-A', 'CREDIT-B'], shopCategories: { 'SHOP-1': 'BOOKS', 'SHOP-2': 'FOOD' },
  });
  const delivery = new RecordingDelivery();
  pw.useDelivery(delivery);
  return { pw, delivery };
}

let n = 0;
export const issueReq = (o: Partial<IssueRequest> = {}): IssueRequest => ({
  issuer: 'CREDIT-A', requestId: `req-${++n}`, amountMinor: 10_000, currency: 'JPY', partial: true, binding: 'bearer', channel: 'sms', address: '+819012345678', ...o,
});

/** The ledger's audit and the passwords' own: both must pass after every step. */
export async function audit(storage: Storage): Promise<string[]> {
  const r = await auditLedger(storage, [PASSWORDS_AUDIT]);
  return r.checks.filter((c) => !c.ok).flatMap((c) => [c.name, ...c.examples]);
}

export async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    if ((e as { code?: string }).code === code) return;
    throw new Error(`expected ${code}, got ${(e as { code?: string }).code ?? String(e)}`);
  }
  throw new Error(`expected ${code}, got success`);
}
