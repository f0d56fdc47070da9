import { assert } from '../../core/assert.js';
import { TesseraError } from '../../core/errors.js';
import { VALIDITY_LIMITS } from './limits.js';
import { MEDIUM_STATUSES, type MediumStatus } from './types.js';

/**
 * Media validity in three parallel typed arrays, open addressing with linear
 * probing: per slot 8 bytes of id (two uint32), 1 status byte (0 = empty),
 * 4 bytes of expiry (seconds since the epoch, 0 = none) — 13 bytes a slot,
 * at most 80 % full, so about 16-24 bytes per medium depending on where the
 * fill is between growths. No per-entry objects: the GC never walks it.
 * Deletion shifts the cluster back (no tombstones), so lookups stay short.
 */
export class MediaTable {
  static readonly BYTES_PER_SLOT = 13;
  private ids: Uint32Array;
  private status: Uint8Array;
  private expiry: Uint32Array;
  private slots: number;
  private count = 0;

  constructor(expectedMedia = 0) {
    this.slots = MediaTable.slotsFor(expectedMedia);
    this.ids = new Uint32Array(this.slots * 2);
    this.status = new Uint8Array(this.slots);
    this.expiry = new Uint32Array(this.slots);
  }

  /** Slots needed to hold n media under the fill limit. */
  static slotsFor(n: number): number {
    const needed = Math.ceil((n * 100) / VALIDITY_LIMITS.tableFillPercentMax) + 1;
    return Math.max(VALIDITY_LIMITS.tableSlotsMin, needed);
  }

  get size(): number {
    return this.count;
  }
  get capacity(): number {
    return this.slots;
  }
  get byteLength(): number {
    return this.ids.byteLength + this.status.byteLength + this.expiry.byteLength;
  }

  /** Slot holding the medium, or -1. */
  find(hi: number, lo: number): number {
    const ids = this.ids;
    let i = slotOf(hi, lo, this.slots);
    for (let probes = 0; probes < this.slots; probes++) {
      if (this.status[i] === 0) return -1;
      if (ids[2 * i] === hi && ids[2 * i + 1] === lo) return i;
      i = i + 1 === this.slots ? 0 : i + 1;
    }
    return -1;
  }

  /** Status at a slot returned by find (>= 0). */
  statusAt(slot: number): MediumStatus {
    const code = this.status[slot] ?? 0;
    assert(code > 0, 'statusAt on an empty slot');
    return MEDIUM_STATUSES[code - 1] as MediumStatus;
  }

  expirySecAt(slot: number): number {
    return this.expiry[slot] ?? 0;
  }

  /** Inserts or overwrites a medium in place (no rebuild); grows when the fill limit is reached. */
  set(hi: number, lo: number, status: MediumStatus, expirySec: number): void {
    const code = MEDIUM_STATUSES.indexOf(status) + 1;
    assert(code > 0, 'unknown medium status');
    assert(Number.isInteger(expirySec) && expirySec >= 0 && expirySec <= 0xffff_ffff, 'expirySec must be uint32');
    const found = this.find(hi, lo);
    if (found >= 0) {
      this.status[found] = code;
      this.expiry[found] = expirySec;
      return;
    }
    if (this.count >= VALIDITY_LIMITS.mediaMax) {
      throw new TesseraError('VALIDITY_STORE_FULL', 'media table is full', { mediaMax: VALIDITY_LIMITS.mediaMax });
    }
    if ((this.count + 1) * 100 > this.slots * VALIDITY_LIMITS.tableFillPercentMax) this.grow();
    this.place(hi, lo, code, expirySec);
    this.count++;
  }

  /** Removes a medium; returns whether it was there. */
  delete(hi: number, lo: number): boolean {
    let hole = this.find(hi, lo);
    if (hole < 0) return false;
    this.status[hole] = 0;
    this.count--;
    // Backward-shift: pull later members of the cluster into the hole when their home allows it.
    let i = hole;
    for (let probes = 0; probes < this.slots; probes++) {
      i = i + 1 === this.slots ? 0 : i + 1;
      const code = this.status[i] ?? 0;
      if (code === 0) return true;
      const home = slotOf(this.ids[2 * i] ?? 0, this.ids[2 * i + 1] ?? 0, this.slots);
      if (cyclicBetween(hole, home, i)) continue;
      this.moveSlot(i, hole);
      hole = i;
    }
    return true;
  }

  /** Visits every medium (used by tests and the reload reconciliation). */
  forEach(fn: (hi: number, lo: number, status: MediumStatus, expirySec: number) => void): void {
    for (let i = 0; i < this.slots; i++) {
      const code = this.status[i] ?? 0;
      if (code === 0) continue;
      fn(this.ids[2 * i] ?? 0, this.ids[2 * i + 1] ?? 0, MEDIUM_STATUSES[code - 1] as MediumStatus, this.expiry[i] ?? 0);
    }
  }

  private place(hi: number, lo: number, code: number, expirySec: number): void {
    let i = slotOf(hi, lo, this.slots);
    while (this.status[i] !== 0) i = i + 1 === this.slots ? 0 : i + 1;
    this.ids[2 * i] = hi;
    this.ids[2 * i + 1] = lo;
    this.status[i] = code;
    this.expiry[i] = expirySec;
  }

  private moveSlot(from: number, to: number): void {
    this.ids[2 * to] = this.ids[2 * from] ?? 0;
    this.ids[2 * to + 1] = this.ids[2 * from + 1] ?? 0;
    this.status[to] = this.status[from] ?? 0;
    this.expiry[to] = this.expiry[from] ?? 0;
    this.status[from] = 0;
  }

  private grow(): void {
    const old = { ids: this.ids, status: this.status, expiry: this.expiry, slots: this.slots };
    this.slots = Math.ceil((old.slots * VALIDITY_LIMITS.tableGrowPercent) / 100);
    this.ids = new Uint32Array(this.slots * 2);
    this.status = new Uint8Array(this.slots);
    this.expiry = new Uint32Array(this.slots);
    for (let i = 0; i < old.slots; i++) {
      const code = old.status[i] ?? 0;
      if (code !== 0) this.place(old.ids[2 * i] ?? 0, old.ids[2 * i + 1] ?? 0, code, old.expiry[i] ?? 0);
    }
  }
}

/** Home slot: a 32-bit mix of both halves (ids may be sequential), reduced modulo the slot count. */
function slotOf(hi: number, lo: number, slots: number): number {
  let h = Math.imul(hi ^ 0x9e3779b9, 0x85ebca6b) ^ lo;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) % slots;
}

/** Whether `home` lies cyclically in (hole, i]: then the entry at i must stay. */
function cyclicBetween(hole: number, home: number, i: number): boolean {
  if (hole <= i) return hole < home && home <= i;
  return hole < home || home <= i;
}
