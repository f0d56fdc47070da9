import type { DevErrorCode } from '../errors.js';

/**
 * What one event of ccTalk header 159 "Read buffered bill events" means.
 *
 * The reply is [event counter] then five [result A][result B] pairs, newest
 * first. The counter is 0 only after power-up or reset, then counts 1-255
 * and wraps to 1. Result A 1-255 is a bill type: result B 0 "validated
 * correctly and sent to cashbox/stacker" (a credit), 1 "validated correctly
 * and held in escrow" (a pending credit). Result A 0 is a status or error,
 * named by result B — from the "Bill Validator Event Codes" table of the
 * ccTalk Generic Specification part 3 (issue 4.x), with the spec's event
 * types (status, reject, fatal error, fraud attempt):
 */
export const BILL_EVENT_NAMES: Readonly<Record<number, string>> = {
  0: 'master inhibit active', //                 status
  1: 'bill returned from escrow', //             status
  2: 'invalid bill (validation fail)', //        reject
  3: 'invalid bill (transport problem)', //      reject
  4: 'inhibited bill (on serial)', //            status
  5: 'inhibited bill (on DIP switches)', //      status
  6: 'bill jammed in transport (unsafe mode)', // fatal error
  7: 'bill jammed in stacker', //                fatal error
  8: 'bill pulled backwards', //                 fraud attempt
  9: 'bill tamper', //                           fraud attempt
  10: 'stacker OK', //                           status
  11: 'stacker removed', //                      status
  12: 'stacker inserted', //                     status
  13: 'stacker faulty', //                       fatal error
  14: 'stacker full', //                         status
  15: 'stacker jammed', //                       fatal error
  16: 'bill jammed in transport (safe mode)', // fatal error
  17: 'opto fraud detected', //                  fraud attempt
  18: 'string fraud detected', //                fraud attempt
  19: 'anti-string mechanism faulty', //         fatal error
  20: 'barcode detected', //                     status (a ticket, not a note)
  21: 'unknown bill type stacked', //            status
};

export type BillEvent =
  | { readonly kind: 'stacked'; readonly billType: number }
  | { readonly kind: 'escrow'; readonly billType: number }
  | { readonly kind: 'returned' }
  | { readonly kind: 'rejected'; readonly code: DevErrorCode; readonly event: number }
  | { readonly kind: 'fault'; readonly code: DevErrorCode; readonly event: number }
  | { readonly kind: 'cashBox'; readonly state: 'ok' | 'full' | 'removed'; readonly event: number };

const REJECTED: Readonly<Record<number, DevErrorCode>> = { 0: 'DEV_NOTE_INHIBITED', 2: 'DEV_NOTE_REJECTED', 3: 'DEV_NOTE_REJECTED', 4: 'DEV_NOTE_INHIBITED', 5: 'DEV_NOTE_INHIBITED', 20: 'DEV_NOTE_REJECTED' };
const FAULTS: Readonly<Record<number, DevErrorCode>> = {
  6: 'DEV_NOTE_JAMMED', 7: 'DEV_NOTE_JAMMED', 15: 'DEV_NOTE_JAMMED', 16: 'DEV_NOTE_JAMMED',
  8: 'DEV_NOTE_FRAUD', 9: 'DEV_NOTE_FRAUD', 17: 'DEV_NOTE_FRAUD', 18: 'DEV_NOTE_FRAUD',
  13: 'DEV_VALIDATOR_FAULT', 19: 'DEV_VALIDATOR_FAULT', 21: 'DEV_VALIDATOR_FAULT',
};
const CASH_BOX: Readonly<Record<number, 'ok' | 'full' | 'removed'>> = { 10: 'ok', 11: 'removed', 12: 'ok', 14: 'full' };

/** One (result A, result B) pair; an unknown pair is a DEV_VALIDATOR_FAULT (never dropped). */
export function decodeBillEvent(a: number, b: number): BillEvent {
  if (a > 0) {
    if (b === 0) return { kind: 'stacked', billType: a };
    if (b === 1) return { kind: 'escrow', billType: a };
    return { kind: 'fault', code: 'DEV_VALIDATOR_FAULT', event: b };
  }
  if (b === 1) return { kind: 'returned' };
  const rejected = REJECTED[b];
  if (rejected) return { kind: 'rejected', code: rejected, event: b };
  const state = CASH_BOX[b];
  if (state) return { kind: 'cashBox', state, event: b };
  return { kind: 'fault', code: FAULTS[b] ?? 'DEV_VALIDATOR_FAULT', event: b };
}

/**
 * New events since `last` given the reply's counter (1-255, wrapping to 1;
 * 0 means the validator was reset). `lost` counts events that fell out of
 * the 5-deep buffer before this poll.
 */
export function newEventCount(last: number, counter: number, bufferSize: number): { readonly fresh: number; readonly lost: number; readonly reset: boolean } {
  if (counter === 0) return { fresh: 0, lost: 0, reset: last !== 0 };
  const diff = last === 0 ? counter : counter >= last ? counter - last : counter + 255 - last;
  return { fresh: Math.min(diff, bufferSize), lost: Math.max(0, diff - bufferSize), reset: false };
}

/** Parses a ccTalk bill id (`JP1000A`): country, value code, issue; null if it is not one (`.......` = type not programmed). */
export function parseBillId(text: string): { readonly country: string; readonly valueCode: number; readonly issue: string } | null {
  const m = /^([A-Z]{2})([0-9]{4})([A-Z])$/.exec(text);
  if (!m) return null;
  return { country: m[1]!, valueCode: Number(m[2]), issue: m[3]! };
}
