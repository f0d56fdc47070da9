import { describe, expect, it } from 'vitest';
import { defineErrors, errorCode, TesseraError } from '../../core/errors.js';

describe('error registries', () => {
  it('rejects codes without the area prefix', () => {
    expect(() => defineErrors('t-bad', 'TB_', { NOPE: { meaning: 'm', action: 'a' } })).toThrow(/TB_/);
  });

  it('carries the code on the error and in its message', () => {
    const e = new TesseraError('TEST_X', 'went wrong', { id: 7 });
    expect(e.code).toBe('TEST_X');
    expect(e.message).toBe('TEST_X: went wrong');
    expect(errorCode(e)).toBe('TEST_X');
    expect(errorCode(new Error('plain'))).toBe('INTERNAL');
  });
});
