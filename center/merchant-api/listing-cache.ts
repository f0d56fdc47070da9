/**
 * The listings' answers (a page with its cursor and control totals), kept per
 * process by shop and query and checked against the shop's change counter
 * (shop-totals.ts, merchant_batch_versions) on every request: an answer is
 * served again only while the shop's version is the one it was built at, so
 * a batch written by any node or tool is seen by the next request, as
 * without the cache. A repeated listing costs one primary-key read instead
 * of the page and its mapping (payout ids are hashes).
 *
 * The version is read before the answer is built: an answer built from a
 * later state than its version says is never served for a state it does not
 * show (the version only grows, so its key is never current again).
 *
 * Each entry also keeps the storage's change stamp (Storage.changeStamp:
 * SQLite) read before its version was last confirmed: while the stamp is
 * unchanged nothing was committed since (by this process: exactly; by
 * another process on the file: as of this event-loop turn, see
 * center/storage/sqlite.ts), so the answer is served without reading the
 * version (`fresh`).
 */
export class ListingCache<T> {
  private readonly entries = new Map<string, { readonly version: number; stamp: number | undefined; readonly answer: T }>();

  constructor(private readonly entriesMax: number) {}

  /** The answer for this key if nothing was committed since its version was confirmed at `stamp` (undefined stamp: never). */
  fresh(key: string, stamp: number | undefined): T | undefined {
    if (stamp === undefined) return undefined;
    const e = this.entries.get(key);
    return e !== undefined && e.stamp === stamp ? e.answer : undefined;
  }

  /** The answer built at `version` for this key, or undefined; `stamp` (read before the version) is kept with it. */
  get(key: string, version: number, stamp?: number): T | undefined {
    const e = this.entries.get(key);
    if (e === undefined || e.version !== version) return undefined;
    e.stamp = stamp;
    // Re-inserted: the map's order is least recently used first (the bound drops from the front).
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.answer;
  }

  set(key: string, version: number, answer: T, stamp?: number): void {
    this.entries.delete(key);
    this.entries.set(key, { version, stamp, answer });
    if (this.entries.size > this.entriesMax) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
