/**
 * The phone app talking to the TTP about its device-bound passwords
 * (center/passwords/device-routes.ts): it signs (serial, time) with its
 * device key, "TPR1" to revoke, "TPS1" to ask the state and value left. No
 * API key: the signature by the key the password is bound to is the proof.
 *
 * The value left after a use is asked for (`tessera phone balance`), not
 * pushed: the phone asks when the user looks (after paying in a shop), and
 * the answer is the TTP's own record at that moment.
 */
import { TesseraError } from '../../core/errors.js';
import { ed25519Sign } from '../../protocol/password/keys.js';
import { decodeToken, revocationBytes, statusQueryBytes } from '../../protocol/password/token.js';
import { deviceKey, type PhoneStore, type StoredMessage } from './store.js';

/** The TTP's view of a password, as the device routes answer it. */
export interface DevicePasswordView {
  readonly serial: string;
  readonly state: string;
  readonly spendable: boolean;
  readonly amountMinor: number;
  readonly remainingMinor: number;
  readonly currency: string;
  readonly expiresAtMs: number;
}

/** A stored password the phone can sign for: its serial (32 hex) and message. */
export interface BoundPassword {
  readonly serial: string;
  readonly message: StoredMessage;
}

/** The device-bound passwords the phone holds (one per serial, first message). */
export function boundPasswords(store: PhoneStore): BoundPassword[] {
  const out = new Map<string, BoundPassword>();
  for (const m of store.messages) {
    if (m.token === null) continue;
    let signed;
    try {
      signed = decodeToken(m.token);
    } catch {
      continue;
    }
    if (signed.terms.binding !== 'device') continue;
    const serial = signed.terms.serial.toString('hex');
    if (!out.has(serial)) out.set(serial, { serial, message: m });
  }
  return [...out.values()];
}

/** The stored password named by its serial (32 hex) or its message id (sms-1), bound to this device; coded errors otherwise. */
export function findBound(store: PhoneStore, ref: string): BoundPassword {
  const all = boundPasswords(store);
  const hit = all.find((b) => b.serial === ref.toLowerCase() || b.message.id === ref);
  if (hit) return hit;
  const m = store.messages.find((x) => x.id === ref || x.ref === ref.toLowerCase());
  if (m) throw new TesseraError('PHONE_NOT_DEVICE_BOUND', `message ${m.id} holds no password bound to this phone`, { id: m.id });
  throw new TesseraError('PHONE_NO_SUCH_MESSAGE', `no stored password has serial or message id ${ref}`, { id: ref });
}

/** One signed call to the TTP's device route `kind` for `serial`; the TTP's coded refusal is thrown as it came. */
export async function deviceCall(ttpUrl: string | undefined, dir: string, serial: string, kind: 'revoke' | 'status', nowMs: number = Date.now()): Promise<DevicePasswordView> {
  if (ttpUrl === undefined) throw new TesseraError('PHONE_NO_TTP', 'the phone config has no ttpUrl: it cannot reach the TTP', { field: 'ttpUrl' });
  const { privateKey } = deviceKey(dir);
  const bytes = (kind === 'revoke' ? revocationBytes : statusQueryBytes)(Buffer.from(serial, 'hex'), nowMs);
  const body = { timeMs: nowMs, signature: ed25519Sign(bytes, privateKey).toString('hex') };
  const url = `${ttpUrl.replace(/\/+$/, '')}/v1/device/passwords/${serial}/${kind}`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    throw new TesseraError('PHONE_TTP_UNREACHABLE', `no answer from the TTP at ${ttpUrl}`, { field: 'ttpUrl', url: ttpUrl }, { cause: e });
  }
  const json = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null;
  if (json === null) throw new TesseraError('PHONE_TTP_UNREACHABLE', `the TTP at ${ttpUrl} answered ${res.status} without JSON`, { field: 'ttpUrl', url: ttpUrl });
  if (!res.ok) {
    const err = json.error;
    if (err?.code) throw new TesseraError(err.code, err.message ?? '', { ...(err.details ?? {}), serial });
    throw new TesseraError('PHONE_TTP_UNREACHABLE', `the TTP at ${ttpUrl} answered ${res.status}`, { field: 'ttpUrl', url: ttpUrl });
  }
  return json as unknown as DevicePasswordView;
}
