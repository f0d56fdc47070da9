import { describe, expect, it } from 'vitest';
import { defineErrors, errorCode, formatOperatorError, TesseraError } from '../../core/errors.js';

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

  it('prints a validation answer\'s issues as path: message, never [object Object] (outsider trial #10)', () => {
    const e = new TesseraError('TEST_Y', 'request params has the wrong shape', { in: 'params', issues: [{ path: 'day', message: 'Invalid' }, { path: '', message: 'Required' }, { other: 1 }] });
    const text = formatOperatorError(e, 'CLI_INTERNAL');
    expect(text).not.toContain('[object Object]');
    expect(text).toContain('issues: day: Invalid; (root): Required; {"other":1}');
  });
});
