/**
 * The simulated phone's memory: what it received (SMS and e-mail) in one
 * JSON file, `messages.json` in its directory, mode 0600; and its device key
 * (`device-key.pem`, Ed25519 PKCS#8, 0600), made on first run. The directory
 * is created (0700) when missing.
 *
 * Two processes use the store at once (`tessera phone serve` receiving, and
 * `tessera phone qr` taking a QR counter), so nothing is kept in memory
 * between changes: every change is a read-modify-write of the file under a
 * lock file (`messages.json.lock`, the holder's pid; a dead holder's lock is
 * taken over), written whole to a temp file and renamed over the old one, so
 * a crash leaves the old or the new file and no process overwrites another's
 * change (the QR counter is never reused, no received message is dropped).
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
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode, TesseraError } from '../../core/errors.js';
import { PidLock } from '../../core/files.js';
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

/** How long a change waits for the other process's hold on the store (each hold is one read and one write of a small file). */
export const PHONE_STORE_LOCK_WAIT_MS = 5_000;

/** The phone's directory, created 0700 when missing; PHONE_DIR_UNUSABLE (naming it) when it cannot be. */
export function ensurePhoneDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new TesseraError('PHONE_DIR_UNUSABLE', `the phone directory ${dir} cannot be created or is not a directory (${errorCode(e)})`, { path: dir, field: 'dir' });
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

export class PhoneStore {
  private readonly path: string;

  constructor(readonly dir: string) {
    this.path = join(dir, 'messages.json');
    this.read();
  }

  /** The messages as stored now (read from the file: another process may have added some). */
  get messages(): readonly StoredMessage[] {
    return this.read().messages;
  }

  /** The e-mail files already read from the mailbox, as stored now. */
  mailSeen(): ReadonlySet<string> {
    return new Set(this.read().mailSeen);
  }

  hasSeenMail(file: string): boolean {
    return this.read().mailSeen.includes(file);
  }

  /** Adds a received message (or counts a duplicate of one already stored); durable when it returns. */
  add(m: { channel: 'sms' | 'email'; from: string; receivedMs: number; text: string }, mailFile?: string): { message: StoredMessage; duplicate: boolean } {
    const { ref, token, code } = parseMessageText(m.text);
    return this.update((data) => {
      if (mailFile !== undefined && !data.mailSeen.includes(mailFile)) data.mailSeen.push(mailFile);
      const existing = ref === null ? undefined : data.messages.find((x) => x.ref === ref);
      if (existing) {
        existing.duplicates += 1;
        return { message: existing, duplicate: true };
      }
      const n = data.messages.filter((x) => x.channel === m.channel).length + 1;
      const message: StoredMessage = { id: `${m.channel === 'sms' ? 'sms' : 'mail'}-${n}`, ...m, ref, token, code, duplicates: 0 };
      data.messages.push(message);
      return { message, duplicate: false };
    });
  }

  /** The next QR counter, taken durably under the lock: never handed out twice, whichever process asks. */
  nextQrCounter(): number {
    return this.update((data) => {
      data.qrCounter += 1;
      return data.qrCounter;
    });
  }

  private read(): StoreFile {
    if (!existsSync(this.path)) return { version: 1, messages: [], qrCounter: 0, mailSeen: [] };
    checkMode(this.path);
    try {
      const d = JSON.parse(readFileSync(this.path, 'utf8')) as StoreFile;
      if (d.version !== 1 || !Array.isArray(d.messages) || !Number.isSafeInteger(d.qrCounter) || !Array.isArray(d.mailSeen)) throw new Error('shape');
      return d;
    } catch (e) {
      throw new TesseraError('PHONE_STORE_UNREADABLE', 'the phone message store is not readable', { path: this.path }, { cause: e });
    }
  }

  /** Read-modify-write under the store's lock file; the change is on disk (temp file, fsync, rename) when it returns. */
  private update<T>(change: (data: StoreFile) => T): T {
    ensurePhoneDir(this.dir);
    const lock = this.lock();
    try {
      const data = this.read();
      const result = change(data);
      const tmp = `${this.path}.${process.pid}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify(data));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      return result;
    } finally {
      lock.release();
    }
  }

  private lock(): PidLock {
    const deadline = Date.now() + PHONE_STORE_LOCK_WAIT_MS;
    for (;;) {
      try {
        return PidLock.acquire(`${this.path}.lock`, 'PHONE_STORE_BUSY', 'the phone message store');
      } catch (e) {
        // A live holder: wait for it (its hold is short); anything else (cannot create the file) at once.
        if (!(e instanceof TesseraError) || e.details?.['pid'] === undefined || Date.now() >= deadline) throw e;
        Atomics.wait(pause, 0, 0, 5);
      }
    }
  }
}

/** The device's Ed25519 key, generated on first run (0600). */
export function deviceKey(dir: string): { privateKey: KeyObject; publicKeyRaw: Buffer } {
  const path = join(dir, 'device-key.pem');
  if (!existsSync(path)) ensurePhoneDir(dir);
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
