/** Row reading and paging shared by the fleet tables. */
import { assert } from '../../core/assert.js';
import type { Row } from '../storage/types.js';
import { fleetError } from './errors.js';

/** An integer column (the storage engines return safe-integer-checked numbers). */
export function intOf(r: Row, col: string): number {
  const v = r[col];
  assert(typeof v === 'number' && Number.isSafeInteger(v), `column ${col} is not an integer`);
  return v;
}

export interface Page {
  /** Rows after this id (ordered by id); default from the start. */
  readonly afterId?: string | null;
  /** Rows wanted, 1 to the list's maximum; default the maximum. */
  readonly limit?: number;
}

export function pageOf(p: Page, max: number): { afterId: string; limit: number } {
  const limit = p.limit ?? max;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw fleetError('FLEET_BAD_ARGUMENT', `limit must be 1-${max}`, { limit, max });
  return { afterId: p.afterId ?? '', limit };
}
