import { describe, expect, it } from 'vitest';
import { expirySecOf, judgeBoth, judgeMedium, judgeTerminal } from '../../../center/validity/judge.js';

const T0 = 1_700_000_000_000;

describe('judge', () => {
  it('accepts an active medium before its expiry second and refuses (capture) from that second on', () => {
    const m = { id: '0011223344556677', status: 'active' as const, expiresAtMs: T0 + 1_500 };
    expect(judgeMedium(m, T0 + 999)).toEqual({ ok: true });
    expect(judgeMedium(m, T0 + 1_000)).toEqual({ ok: false, reason: 'MEDIUM_EXPIRED', capture: true });
    expect(judgeMedium({ ...m, expiresAtMs: null }, T0 * 10)).toEqual({ ok: true });
  });

  it('captures lost, stolen, expired and captured cards; an unknown card is refused without capture', () => {
    for (const [status, reason] of [
      ['lost', 'MEDIUM_LOST'],
      ['stolen', 'MEDIUM_STOLEN'],
      ['expired', 'MEDIUM_EXPIRED'],
      ['captured', 'MEDIUM_CAPTURED'],
    ] as const) {
      expect(judgeMedium({ id: '00', status, expiresAtMs: null }, T0)).toEqual({ ok: false, reason, capture: true });
    }
    expect(judgeMedium(null, T0)).toEqual({ ok: false, reason: 'MEDIUM_UNKNOWN', capture: false });
  });

  it('accepts only registered active terminals and never captures for a terminal', () => {
    expect(judgeTerminal({ id: 'T-1', status: 'active' })).toEqual({ ok: true });
    expect(judgeTerminal({ id: 'T-1', status: 'inactive' })).toEqual({ ok: false, reason: 'TERMINAL_INACTIVE', capture: false });
    expect(judgeTerminal({ id: 'T-1', status: 'blocked' })).toEqual({ ok: false, reason: 'TERMINAL_BLOCKED', capture: false });
    expect(judgeTerminal(null)).toEqual({ ok: false, reason: 'TERMINAL_UNKNOWN', capture: false });
  });

  it('gives the medium precedence when both are invalid', () => {
    const m = judgeMedium(null, T0);
    expect(judgeBoth(m, judgeTerminal(null))).toBe(m);
  });

  it('keeps expiry to whole seconds within uint32', () => {
    expect(expirySecOf(null)).toBe(0);
    expect(expirySecOf(T0 + 999)).toBe(T0 / 1000);
    expect(expirySecOf(-5)).toBe(1);
    expect(expirySecOf(2 ** 45)).toBe(0xffff_ffff);
  });
});
