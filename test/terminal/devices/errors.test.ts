import { describe, expect, it } from 'vitest';
import { DEV_ERRORS, devError } from '../../../terminal/devices/errors.js';
import { PURSE_ERRORS } from '../../../protocol/purse/errors.js';
import { SIM_ERRORS } from '../../../sim/errors.js';

// The codes are an interface to operators, the agent and logs: renaming one is a breaking change.
describe('device, purse and sim error registries (pinned)', () => {
  it('pins the DEV_ codes', () => {
    expect(Object.keys(DEV_ERRORS).sort()).toEqual(
      [
        'DEV_BAD_ARGUMENT', 'DEV_BUSY', 'DEV_CARD_IO', 'DEV_CARD_MUTE', 'DEV_CARD_REFUSED', 'DEV_CARD_REMOVED',
        'DEV_CARD_RETAINED', 'DEV_CLOSED', 'DEV_FILE_CORRUPT', 'DEV_FILE_NOT_FOUND', 'DEV_FILE_TOO_LARGE',
        'DEV_INSUFFICIENT_FUNDS', 'DEV_MEDIUM_ABSENT', 'DEV_MEDIUM_IO', 'DEV_MEDIUM_REMOVED', 'DEV_NOT_OUR_CARD',
        'DEV_NO_CARD', 'DEV_PIN_BLOCKED', 'DEV_PIN_WRONG', 'DEV_PORT_GONE', 'DEV_READER_GONE', 'DEV_READER_NOT_FOUND',
        'DEV_SCAN_GARBAGE', 'DEV_SCAN_TOO_LONG', 'DEV_TIMEOUT',
        'DEV_NOTE_REJECTED', 'DEV_NOTE_INHIBITED', 'DEV_NOTE_JAMMED', 'DEV_CASHBOX_FULL', 'DEV_CASHBOX_REMOVED',
        'DEV_NOTE_FRAUD', 'DEV_VALIDATOR_FAULT', 'DEV_NO_NOTE_IN_ESCROW', 'DEV_VALIDATOR_EVENTS_LOST', 'DEV_CCTALK_BAD_FRAME',
        'DEV_SCAN_UNTERMINATED', 'DEV_SCAN_CHECK_DIGIT', 'DEV_SCAN_GS1_UNKNOWN_AI', 'DEV_SCAN_GS1_INVALID',
      ].sort(),
    );
  });

  it('pins the PURSE_ and SIM_ codes', () => {
    expect(Object.keys(PURSE_ERRORS).sort()).toEqual(['PURSE_BAD_ARGUMENT', 'PURSE_BAD_KEY', 'PURSE_BAD_RESPONSE']);
    expect(Object.keys(SIM_ERRORS).sort()).toEqual(
      [
        'SIM_BAD_COMMAND', 'SIM_CARD_CONNECT_FAILED', 'SIM_CARD_STATE_CORRUPT', 'SIM_MEDIUM_STATE', 'SIM_NO_FREE_PORT',
        'SIM_OVERLAPPING_APDU', 'SIM_PCSCD_START_FAILED', 'SIM_SLOT_BUSY', 'SIM_SLOT_EMPTY', 'SIM_SOCAT_FAILED',
        'SIM_UNKNOWN_READER', 'SIM_STATE_DIR_IN_USE', 'SIM_CARD_EXISTS', 'SIM_SHEET_UNREADABLE',
      ].sort(),
    );
  });

  it('gives every code a meaning and an operator action', () => {
    for (const spec of [...Object.values(DEV_ERRORS), ...Object.values(PURSE_ERRORS), ...Object.values(SIM_ERRORS)]) {
      expect(spec.meaning.length).toBeGreaterThan(10);
      expect(spec.action.length).toBeGreaterThan(10);
    }
  });

  it('builds coded errors with details and cause', () => {
    const cause = new Error('Transaction failed');
    const e = devError('DEV_CARD_IO', 'APDU exchange failed', { failure: 'io' }, cause);
    expect(e.code).toBe('DEV_CARD_IO');
    expect(e.message).toBe('DEV_CARD_IO: APDU exchange failed');
    expect(e.details).toEqual({ failure: 'io' });
    expect(e.cause).toBe(cause);
  });
});
