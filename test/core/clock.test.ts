import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';

describe('ManualClock', () => {
  it('fires timers in time order, then creation order, and not before they are due', () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimer(20, () => fired.push('b'));
    clock.setTimer(10, () => fired.push('a'));
    clock.setTimer(20, () => fired.push('c'));
    const cancelled = clock.setTimer(15, () => fired.push('x'));
    cancelled.cancel();
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(11);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.monoMs()).toBe(20);
    expect(clock.nowMs()).toBe(1_020);
  });

  it('fires a timer scheduled by another timer within the same advance', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimer(5, () => {
      fired.push(clock.monoMs());
      clock.setTimer(5, () => fired.push(clock.monoMs()));
    });
    clock.advance(100);
    expect(fired).toEqual([5, 10]);
  });
});
