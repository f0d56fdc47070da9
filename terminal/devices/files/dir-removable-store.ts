import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '../../../core/clock.js';
import type { TesseraError } from '../../../core/errors.js';
import { DEVICE_LIMITS } from '../../limits.js';
import { devError } from '../errors.js';
import type { RemovableStore, RemovableStoreEventMap, RemovableStoreStatus } from '../removable-store.js';
import { isAtomicTempName, writeFileAtomic } from '../../../core/atomic-write.js';
import { ENVELOPE_HEADER_BYTES, unwrapFile, wrapFile } from './file-envelope.js';

export interface DirRemovableStoreOptions {
  /** The directory that exists exactly while a medium is mounted. */
  readonly mountDir: string;
  readonly clock?: Clock;
  readonly pollMs?: number;
  /**
   * Called after the temp file is written and synced, before the rename:
   * where a removal or power cut is most interesting. For tests; absent in
   * production.
   */
  readonly afterTempSynced?: (name: string) => Promise<void>;
}

const NAME_PATTERN = new RegExp(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,${DEVICE_LIMITS.storeFileNameCharsMax - 1}}$`);

function fsCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
}

/**
 * RemovableStore on a mount directory: the medium is present while the
 * directory exists (polled with the injected clock). Files are wrapped in
 * an integrity envelope and written atomically.
 */
export class DirRemovableStore extends EventEmitter<RemovableStoreEventMap> implements RemovableStore {
  private readonly clock: Clock;
  private readonly pollMs: number;
  private present = false;
  private poll: TimerHandle | null = null;
  private closed = false;
  private opened = false;
  private writes = 0;

  constructor(private readonly options: DirRemovableStoreOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.pollMs = options.pollMs ?? DEVICE_LIMITS.storePollMs;
  }

  async open(): Promise<void> {
    if (this.closed) throw devError('DEV_CLOSED', 'store closed');
    if (this.opened) return;
    this.opened = true;
    this.check();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.poll?.cancel();
    this.poll = null;
    this.removeAllListeners();
  }

  async status(): Promise<RemovableStoreStatus> {
    return { device: this.closed ? 'offline' : 'online', media: this.mediumThere() ? 'present' : 'absent' };
  }

  private mediumThere(): boolean {
    try {
      return statSync(this.options.mountDir).isDirectory();
    } catch {
      return false;
    }
  }

  /** One presence poll (sync stat: cheap, and lets a ManualClock drive it deterministically). */
  private check(): void {
    if (this.closed) return;
    const now = this.mediumThere();
    if (now !== this.present) {
      this.present = now;
      this.emit(now ? 'inserted' : 'removed');
    }
    this.poll = this.clock.setTimer(this.pollMs, () => this.check());
  }

  private path(name: string): string {
    if (!NAME_PATTERN.test(name)) throw devError('DEV_BAD_ARGUMENT', 'file names are 1-64 of [A-Za-z0-9._-], not starting with a dot', { field: 'name' });
    return join(this.options.mountDir, name);
  }

  private ready(): void {
    if (this.closed) throw devError('DEV_CLOSED', 'store closed');
    if (!this.mediumThere()) throw devError('DEV_MEDIUM_ABSENT', 'no medium inserted');
  }

  /** Maps a file-system failure: the medium vanished, the file is missing, or the medium failed. */
  private failure(e: unknown, name: string): TesseraError {
    if (!this.mediumThere()) return devError('DEV_MEDIUM_REMOVED', 'medium removed during the operation', { name }, e);
    if (fsCode(e) === 'ENOENT') return devError('DEV_FILE_NOT_FOUND', 'no such file on the medium', { name });
    return devError('DEV_MEDIUM_IO', 'medium operation failed', { name, errno: fsCode(e) }, e);
  }

  async readFile(name: string): Promise<Buffer> {
    const path = this.path(name);
    this.ready();
    let size: number;
    let bytes: Buffer;
    try {
      size = (await stat(path)).size;
    } catch (e) {
      throw this.failure(e, name);
    }
    if (size > DEVICE_LIMITS.storeFileBytesMax + ENVELOPE_HEADER_BYTES) {
      throw devError('DEV_FILE_TOO_LARGE', 'file larger than the store limit', { name, bytes: size });
    }
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw this.failure(e, name);
    }
    const payload = unwrapFile(bytes);
    if (!payload) throw devError('DEV_FILE_CORRUPT', 'file failed its integrity check', { name, bytes: bytes.length });
    return payload;
  }

  async writeFile(name: string, data: Buffer): Promise<void> {
    const path = this.path(name);
    if (data.length > DEVICE_LIMITS.storeFileBytesMax) throw devError('DEV_FILE_TOO_LARGE', 'file larger than the store limit', { name, bytes: data.length });
    this.ready();
    this.writes += 1;
    const hook = this.options.afterTempSynced;
    try {
      await writeFileAtomic(path, wrapFile(data), `${process.pid}-${this.writes}`, hook ? () => hook(name) : undefined);
    } catch (e) {
      throw this.failure(e, name);
    }
  }

  async deleteFile(name: string): Promise<void> {
    const path = this.path(name);
    this.ready();
    try {
      await unlink(path);
    } catch (e) {
      throw this.failure(e, name);
    }
  }

  async listFiles(): Promise<string[]> {
    this.ready();
    try {
      const names = await readdir(this.options.mountDir);
      return names
        .filter((n) => !isAtomicTempName(n) && NAME_PATTERN.test(n))
        .sort()
        .slice(0, DEVICE_LIMITS.storeFilesMax);
    } catch (e) {
      throw this.failure(e, '');
    }
  }
}
