/**
 * The shops' removable stores: each shop terminal has its own floppy-style
 * drive in the run directory (`drives/<terminal>/medium` is the mount
 * directory its agent's store watches) with a blank medium put in at start.
 * After the settlements the receipts the terminals wrote are read back
 * through the real store driver (integrity envelope checked) for the
 * summary. The simulator's own single drive is left to `tessera sim`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../../core/errors.js';
import { DirRemovableStore } from '../../terminal/devices/files/dir-removable-store.js';
import { VirtualMedium } from '../medium/virtual-medium.js';

export interface DemoDrive {
  readonly terminalId: string;
  readonly mountDir: string;
  readonly medium: VirtualMedium;
}

/** A settlement receipt as read back from a shop's medium. */
export interface ReadReceipt {
  readonly terminal: string;
  readonly file: string;
  readonly totalMinor: number;
  readonly records: number;
}

export interface DemoReceipts {
  readonly receipts: ReadReceipt[];
  /** Receipt files that failed their integrity check or are not a receipt (`terminal/file:code`). */
  readonly unreadable: string[];
}

/** Where a terminal's drive mounts its medium. */
export function mountDirOf(dir: string, terminalId: string): string {
  return join(dir, 'drives', terminalId, 'medium');
}

/** A drive per terminal, each with a blank medium inserted. */
export function insertMedia(dir: string, terminalIds: readonly string[]): Map<string, DemoDrive> {
  const drives = new Map<string, DemoDrive>();
  for (const terminalId of terminalIds) {
    const shelf = join(dir, 'drives', terminalId, 'shelf');
    mkdirSync(shelf, { recursive: true });
    const medium = new VirtualMedium(`receipts-${terminalId}`, shelf, mountDirOf(dir, terminalId));
    medium.insert();
    drives.set(terminalId, { terminalId, mountDir: mountDirOf(dir, terminalId), medium });
  }
  return drives;
}

/** Every settlement receipt on the shops' media (read with the store driver, as the shop's back office would). */
export async function readReceipts(drives: ReadonlyMap<string, DemoDrive>): Promise<DemoReceipts> {
  const receipts: ReadReceipt[] = [];
  const unreadable: string[] = [];
  for (const drive of drives.values()) {
    const store = new DirRemovableStore({ mountDir: drive.mountDir });
    try {
      for (const file of (await store.listFiles()).filter((n) => n.startsWith('SETTLE-'))) {
        try {
          receipts.push(parseReceipt(drive.terminalId, file, await store.readFile(file)));
        } catch (e) {
          unreadable.push(`${drive.terminalId}/${file}:${errorCode(e)}`);
        }
      }
    } catch (e) {
      unreadable.push(`${drive.terminalId}:${errorCode(e)}`);
    } finally {
      await store.close();
    }
  }
  return { receipts, unreadable };
}

function parseReceipt(terminal: string, file: string, bytes: Buffer): ReadReceipt {
  const notReceipt = (): Error => Object.assign(new Error('not a settlement receipt of this terminal'), { code: 'NOT_A_RECEIPT' });
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw notReceipt();
  }
  const { totalMinor, records } = r ?? {};
  if (r?.['receipt'] !== 'tessera-settlement' || r['terminalId'] !== terminal || !Number.isSafeInteger(totalMinor) || !Number.isSafeInteger(records)) {
    throw notReceipt();
  }
  return { terminal, file, totalMinor: totalMinor as number, records: records as number };
}
