import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` so that a crash or a removed medium leaves either
 * the old file or the new one, never a torn one: write a temp file in the
 * same directory, fsync it, rename it over the target, fsync the directory.
 * `tempSuffix` must be unique among concurrent writers of the same path.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array,
  tempSuffix: string,
  /** Runs after the temp file is synced, before the rename (fault-injection point for tests). */
  beforeRename?: () => Promise<void>,
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${tempSuffix}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  await handle.close();
  try {
    await beforeRename?.();
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dir);
}

/** fsync a directory so a rename in it is durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Whether a file name is one of writeFileAtomic's temp files (listings skip them). */
export function isAtomicTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/**
 * Writes `data` to a new file at `path` (mode 0600), atomically, and never
 * over an existing file: the temp file is synced and then hard-linked to
 * `path` (link(2) fails with EEXIST where rename(2) would replace), the temp
 * name removed, the directory synced. A reader sees no file or the whole
 * one. Throws the system error (EEXIST when `path` exists); the temp file is
 * removed on every failure.
 */
export async function writeNewFileAtomic(path: string, data: Uint8Array, tempSuffix: string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${tempSuffix}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    await link(temp, path);
  } catch (e) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  await unlink(temp);
  await fsyncDir(dir);
}
