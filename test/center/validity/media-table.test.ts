import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MediaTable } from '../../../center/validity/media-table.js';
import { MEDIUM_STATUSES, type MediumStatus } from '../../../center/validity/types.js';
import { mediumHi, mediumIdOf, mediumLo } from '../../../center/validity/ids.js';

describe('MediaTable', () => {
  it('keeps 13 bytes a slot and stays under 80 % full', () => {
    const t = new MediaTable(10_000);
    for (let i = 0; i < 10_000; i++) t.set(0x1234, i, 'active', 0);
    expect(t.size).toBe(10_000);
    expect(t.byteLength).toBe(t.capacity * 13);
    expect(t.size / t.capacity).toBeLessThanOrEqual(0.8);
    expect(t.byteLength / t.size).toBeLessThan(16.5);
  });

  it('grows past its initial size and finds every medium again', () => {
    const t = new MediaTable();
    for (let i = 0; i < 5_000; i++) t.set(i * 7, 0xffff_ffff - i, 'lost', i);
    expect(t.capacity).toBeGreaterThan(5_000);
    for (let i = 0; i < 5_000; i++) {
      const slot = t.find(i * 7, 0xffff_ffff - i);
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(t.statusAt(slot)).toBe('lost');
      expect(t.expirySecAt(slot)).toBe(i);
    }
    expect(t.find(1, 1)).toBe(-1);
  });

  it('round-trips ids through their two 32-bit halves', () => {
    for (const id of ['0000000000000000', 'ffffffffffffffff', '0123456789abcdef', '80000000000000ff']) {
      expect(mediumIdOf(mediumHi(id), mediumLo(id))).toBe(id);
    }
  });

  it('behaves like a Map under random set/delete (backward-shift deletion keeps clusters findable)', () => {
    const op = fc.record({
      del: fc.boolean(),
      // a small key space forces collisions, clusters and wrap-around
      hi: fc.integer({ min: 0, max: 3 }),
      lo: fc.integer({ min: 0, max: 3_000 }),
      status: fc.constantFrom(...MEDIUM_STATUSES),
      expirySec: fc.integer({ min: 0, max: 0xffff_ffff }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 2_500 }), (ops) => {
        const t = new MediaTable();
        const model = new Map<string, [MediumStatus, number]>();
        for (const o of ops) {
          const k = `${o.hi}:${o.lo}`;
          if (o.del) expect(t.delete(o.hi, o.lo)).toBe(model.delete(k));
          else {
            t.set(o.hi, o.lo, o.status, o.expirySec);
            model.set(k, [o.status, o.expirySec]);
          }
        }
        expect(t.size).toBe(model.size);
        for (const [k, [status, exp]] of model) {
          const [hi, lo] = k.split(':').map(Number) as [number, number];
          const slot = t.find(hi, lo);
          expect(slot).toBeGreaterThanOrEqual(0);
          expect([t.statusAt(slot), t.expirySecAt(slot)]).toEqual([status, exp]);
        }
        let visited = 0;
        t.forEach(() => visited++);
        expect(visited).toBe(model.size);
      }),
      { numRuns: 60 },
    );
  });
});
