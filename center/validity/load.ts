import { TesseraError } from '../../core/errors.js';
import { mediumHi, mediumLo } from './ids.js';
import { expirySecOf } from './judge.js';
import { VALIDITY_LIMITS } from './limits.js';
import { MediaTable } from './media-table.js';
import type { TerminalStatus, ValiditySource } from './types.js';

/** Prefetches every medium, page by page (keyset pagination by id), into `table`. */
export async function loadMedia(source: ValiditySource, table: MediaTable): Promise<MediaTable> {
  let after: string | null = null;
  for (let page = 0; page < VALIDITY_LIMITS.loadPagesMax; page++) {
    const rows = await pageOf(() => source.listMedia(after, VALIDITY_LIMITS.loadPageRowsMax));
    for (const r of rows) table.set(mediumHi(r.id), mediumLo(r.id), r.status, expirySecOf(r.expiresAtMs));
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < VALIDITY_LIMITS.loadPageRowsMax) return table;
    after = last.id;
  }
  throw new TesseraError('VALIDITY_LOAD_FAILED', 'media prefetch exceeded its page budget');
}

/** Prefetches every terminal into `map` (terminals are few: a Map will do). */
export async function loadTerminals(
  source: ValiditySource,
  map: Map<string, TerminalStatus>,
): Promise<Map<string, TerminalStatus>> {
  let after: string | null = null;
  for (let page = 0; page < VALIDITY_LIMITS.loadPagesMax; page++) {
    const rows = await pageOf(() => source.listTerminals(after, VALIDITY_LIMITS.loadPageRowsMax));
    if (map.size + rows.length > VALIDITY_LIMITS.terminalsMax) {
      throw new TesseraError('VALIDITY_STORE_FULL', 'too many terminals to cache', { terminalsMax: VALIDITY_LIMITS.terminalsMax });
    }
    for (const r of rows) map.set(r.id, r.status);
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < VALIDITY_LIMITS.loadPageRowsMax) return map;
    after = last.id;
  }
  throw new TesseraError('VALIDITY_LOAD_FAILED', 'terminal prefetch exceeded its page budget');
}

async function pageOf<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    throw new TesseraError('VALIDITY_LOAD_FAILED', 'reading a validity page failed', undefined, { cause: e });
  }
}
