import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/random.js';

describe('SeededRandom', () => {
  it('reproduces the same stream from the same seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    expect(a.bytes(13).toString('hex')).toBe(b.bytes(13).toString('hex'));
    expect(a.int(1000)).toBe(b.int(1000));
  });

  it('differs across seeds and stays in range', () => {
    const a = new SeededRandom(1);
    const b = new SeededRandom(2);
    expect(a.bytes(16).equals(b.bytes(16))).toBe(false);
    for (let i = 0; i < 1000; i++) {
      const v = a.int(7);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(7);
    }
  });
});
