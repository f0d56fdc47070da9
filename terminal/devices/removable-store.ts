import type { DeviceEvents, DeviceState } from './device-events.js';

export interface RemovableStoreStatus {
  readonly device: DeviceState;
  readonly media: 'present' | 'absent';
}

export interface RemovableStoreEventMap extends Record<string, unknown[]> {
  /** A medium appeared (mount directory present). */
  inserted: [];
  /** The medium disappeared; operations in flight fail with DEV_MEDIUM_REMOVED. */
  removed: [];
}

/**
 * A floppy-style removable store: a medium with named files (seed 000's
 * prepaid information file lives on one).
 *
 * Contract (checked by the removable-store contract suite):
 * - open() starts watching for the medium (polling with the injected clock);
 *   `inserted` / `removed` are emitted on changes, and once after open() if
 *   a medium is already present.
 * - Names are 1-64 chars of [A-Za-z0-9._-], not starting with a dot
 *   (DEV_BAD_ARGUMENT otherwise).
 * - writeFile() is atomic: temp file, fsync, rename, directory fsync. A
 *   removal or power cut leaves the old file or the new one, never a torn
 *   one; the write then rejects with DEV_MEDIUM_REMOVED.
 * - readFile() verifies the file's integrity envelope: DEV_FILE_CORRUPT on a
 *   bad header, length or checksum; DEV_FILE_NOT_FOUND if missing;
 *   DEV_MEDIUM_ABSENT with no medium; DEV_MEDIUM_REMOVED if it vanished.
 * - listFiles() returns the names of complete files (temp files hidden).
 * - close() stops watching; later calls reject with DEV_CLOSED.
 */
export interface RemovableStore extends DeviceEvents<RemovableStoreEventMap> {
  open(): Promise<void>;
  close(): Promise<void>;
  status(): Promise<RemovableStoreStatus>;
  readFile(name: string): Promise<Buffer>;
  writeFile(name: string, data: Buffer): Promise<void>;
  deleteFile(name: string): Promise<void>;
  listFiles(): Promise<string[]>;
}
