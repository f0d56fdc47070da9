/**
 * The simulated phone's memory: what it received (SMS and e-mail) in one
 * JSON file, `messages.json` in its directory, mode 0600, rewritten whole
 * (temp file + rename) so a crash leaves the old or the new file; and its
 * device key (`device-key.pem`, Ed25519 PKCS#8, 0600), made on first run.
 *
 * A message's password is read from its text: the code as shown, and the
 * signed token on a `token:` line (the app's copy; center/passwords/
 * delivery/password-delivery.ts writes it). Messages are deduplicated by
 * the sender's delivery reference (the `ref:<id>` line the TTP puts in every message): the TTP's delivery is
 * at-least-once (after a crash it may send an SMS again, and the SMSC gives
 * the copy a new message id), so the phone keeps the first copy and counts
 * the duplicates.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraError } from '../../core/errors.js';
import { normalizeCode } from '../../protocol/password/codes.js';

export interface StoredMessage {
  /** The phone's own id (sms-1, mail-2, …), what `tessera phone show/qr` name. */
  readonly id: string;
  readonly channel: 'sms' | 'email';
  readonly from: string;
  readonly receivedMs: number;
  /** The delivery reference (`ref:` line), null if the message had none. */
  readonly ref: string | null;
  /** The signed password token for the app (`token:TPW1:…` line, protocol/password/token.ts), null if none. */
  readonly token: string | null;
  /** The password code shown in the text (16 Crockford characters, or 16 keypad digits), canonical; null if none. */
  readonly code: string | null;
  /** The text as received (what the screen shows). */
  readonly text: string;
  /** Copies received after the first (same ref). */
  duplicates: number;
}

interface StoreFile {
  readonly version: 1;
  messages: StoredMessage[];
  /** Counter of the device-bound QR codes shown (never reused). */
  qrCounter: number;
  /** E-mail files already read from the mailbox. */
  mailSeen: string[];
}

/** The `ref:` and `token:` lines of a message text, and the code it shows (XXXX-XXXX-XXXX-XXXX, or 16 digits in groups of four). */
export function parseMessageText(text: string): { ref: string | null; token: string | null; code: string | null } {
  const ref = /^ref:([A-Za-z0-9._-]{1,64})\s*$/m.exec(text)?.[1] ?? null;
  const token = /^token:(TPW1:[A-Z2-7]{1,1024})\s*$/m.exec(text)?.[1] ?? null;
  const grouped = /(?:^|[^0-9A-Z-])([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})(?![0-9A-Z-])/m.exec(text)?.[1] ?? null;
  let code: string | null = null;
  if (grouped !== null) {
    try {
      code = normalizeCode(grouped);
    } catch {
      code = null;
    }
  }
  return { ref, token, code };
}

function checkMode(path: string): void {
  if (process.platform === 'win32') return;
  if ((statSync(path).mode & 0o077) !== 0) throw new TesseraError('PHONE_STORE_PERMISSIONS', 'a phone file is accessible to group or others', { path });
}

export class PhoneStore {
  private data: StoreFile;
  private readonly path: string;

  constructor(readonly dir: string) {
    this.path = join(dir, 'messages.json');
    if (!existsSync(this.path)) {
      this.data = { version: 1, messages: [], qrCounter: 0, mailSeen: [] };
      return;
    }
    checkMode(this.path);
    try {
      const d = JSON.parse(readFileSync(this.path, 'utf8')) as StoreFile;
      if (d.version !== 1 || !Array.isArray(d.messages)) throw new Error('shape');
      this.data = d;
    } catch (e) {
      throw new TesseraError('PHONE_STORE_UNREADABLE', 'the phone message store is not readable', { path: this.path }, { cause: e });
    }
  }

  get messages(): readonly StoredMessage[] {
    return this.data.messages;
  }

  hasSeenMail(file: string): boolean {
    return this.data.mailSeen.includes(file);
  }

  /** Adds a received message (or counts a duplicate of one already stored); durable when it returns. */
  add(m: { channel: 'sms' | 'email'; from: string; receivedMs: number; text: string }, mailFile?: string): { message: StoredMessage; duplicate: boolean } {
    const { ref, token, code } = parseMessageText(m.text);
    if (mailFile !== undefined) this.data.mailSeen.push(mailFile);
    const existing = ref === null ? undefined : this.data.messages.find((x) => x.ref === ref);
    if (existing) {
      existing.duplicates += 1;
      this.save();
      return { message: existing, duplicate: true };
    }
    const n = this.data.messages.filter((x) => x.channel === m.channel).length + 1;
    const message: StoredMessage = { id: `${m.channel === 'sms' ? 'sms' : 'mail'}-${n}`, ...m, ref, token, code, duplicates: 0 };
    this.data.messages.push(message);
    this.save();
    return { message, duplicate: false };
  }

  nextQrCounter(): number {
    this.data.qrCounter += 1;
    this.save();
    return this.data.qrCounter;
  }

  private save(): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}

/** The device's Ed25519 key, generated on first run (0600). */
export function deviceKey(dir: string): { privateKey: KeyObject; publicKeyRaw: Buffer } {
  const path = join(dir, 'device-key.pem');
  let privateKey: KeyObject;
  if (existsSync(path)) {
    checkMode(path);
    privateKey = createPrivateKey(readFileSync(path));
  } else {
    privateKey = generateKeyPairSync('ed25519').privateKey;
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return { privateKey, publicKeyRaw: spki.subarray(spki.length - 32) };
}
