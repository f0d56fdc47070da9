import { defineErrors, TesseraError } from '../../core/errors.js';

/**
 * Error codes of the device drivers (card reader, barcode scanner, removable
 * store, bill validator). Pinned by test/terminal/devices/errors.test.ts: codes are an
 * interface to operators and the agent, never renamed silently.
 */
export const DEV_ERRORS = defineErrors('devices', 'DEV_', {
  // ------------------------------------------------------------ card reader
  DEV_NO_CARD: {
    meaning: 'No card is present (or it is not connected yet) for the requested card operation.',
    action: 'Ask the holder to insert the card; retry after the inserted event.',
  },
  DEV_CARD_REMOVED: {
    meaning: 'The card was removed while an operation was running; the operation failed.',
    action: 'Treat the operation as not done (or unknown, for a debit: ask the center) and ask for the card again.',
  },
  DEV_CARD_MUTE: {
    meaning: 'The card did not answer reset (no ATR) or could not be connected.',
    action: 'Ask the holder to remove the card and insert it the right way up; if it repeats, the card is faulty.',
  },
  DEV_CARD_IO: {
    meaning: 'An APDU exchange failed for a reason other than removal (communication error, protocol error).',
    action: 'Eject the card and retry once; if it repeats, service the reader.',
  },
  DEV_NOT_OUR_CARD: {
    meaning: 'The card has no Tessera purse application: SELECT answered anything but 9000 (6A82, 6D00, ...; details.sw), or READ ID gave no card id; it was released.',
    action: 'Tell the holder the card is not accepted here and ask them to take it back.',
  },
  DEV_CARD_REFUSED: {
    meaning: 'The card (purse or bank cash card) refused a command with an unexpected status word (details.sw).',
    action: 'Look up the status word in sim/CARD.md; the card may be faulty or at a limit.',
  },
  DEV_PIN_WRONG: {
    meaning: 'The PIN was wrong; details.triesLeft tries remain.',
    action: 'Ask the holder to enter the PIN again.',
  },
  DEV_PIN_BLOCKED: {
    meaning: 'The card PIN is blocked (no tries left).',
    action: 'Refuse the card; the holder must have it unblocked by the issuer.',
  },
  DEV_INSUFFICIENT_FUNDS: {
    meaning: 'The purse balance is below the requested debit.',
    action: 'Ask for a smaller amount or another means of payment.',
  },
  DEV_CARD_RETAINED: {
    meaning: 'The card is retained (captured): it is held by an exclusive lock and refuses further use.',
    action: 'Follow the capture procedure; the card is released only when the driver closes.',
  },
  DEV_READER_GONE: {
    meaning: 'The card reader or the PC/SC service went away; the driver keeps retrying.',
    action: 'Check the reader cable and that pcscd is running; operations resume when it returns.',
  },
  DEV_READER_NOT_FOUND: {
    meaning: 'No reader whose name matches the configured pattern appeared within devices.reader.openTimeoutMs (with `pcsc:` in the details: no PC/SC service answered at all); the terminal exits 1.',
    action: 'Check the reader name pattern in the config against `pcsc_scan` / the sim reader list; with `pcsc:` start pcscd (or `tessera sim serve`) and set PCSCLITE_CSOCK_NAME to its socket.',
  },
  // ------------------------------------------------------------ all devices
  DEV_BUSY: {
    meaning: 'Another operation on the same device is still running; operations must not overlap.',
    action: 'Programming error in the caller: await the previous operation first.',
  },
  DEV_TIMEOUT: {
    meaning: 'The device did not complete the operation in time (an unresponsive card, a stuck device).',
    action: 'The card is reported jammed until it is removed; ask the holder to remove it.',
  },
  DEV_CLOSED: {
    meaning: 'The device driver was closed; the operation was not run.',
    action: 'Open the device again before using it.',
  },
  DEV_BAD_ARGUMENT: {
    meaning: 'A device operation or configuration got an out-of-range argument.',
    action: 'Fix the configuration or the caller; details name the field.',
  },
  // ------------------------------------------------------------ barcode scanner
  DEV_SCAN_TOO_LONG: {
    meaning: 'A barcode line exceeded the maximum length and was discarded.',
    action: 'Check the scanner suffix setting (delimiter); if codes are this long, raise the configured limit.',
  },
  DEV_SCAN_GARBAGE: {
    meaning: 'A line from the scanner held control bytes or invalid text and was discarded.',
    action: 'Check the baud rate and the scanner interface settings.',
  },
  DEV_PORT_GONE: {
    meaning: 'The serial port disappeared (scanner unplugged); the driver reopens it when it returns.',
    action: 'Reconnect the scanner.',
  },
  // ------------------------------------------------------------ removable store
  DEV_MEDIUM_ABSENT: {
    meaning: 'No medium is inserted in the removable store.',
    action: 'Ask the user to insert the medium.',
  },
  DEV_MEDIUM_REMOVED: {
    meaning: 'The medium was removed during an operation; a write left the old file (atomic), a read failed.',
    action: 'Ask the user to insert the medium again and repeat the operation.',
  },
  DEV_FILE_NOT_FOUND: {
    meaning: 'The named file is not on the medium.',
    action: 'Check that this is the right medium.',
  },
  DEV_FILE_CORRUPT: {
    meaning: 'A file on the medium failed its integrity check (bad header, length or checksum).',
    action: 'Do not use its content; re-issue the medium from the center.',
  },
  DEV_FILE_TOO_LARGE: {
    meaning: 'A file is larger than the store limit.',
    action: 'Check the medium content; files of this size are not Tessera files.',
  },
  DEV_MEDIUM_IO: {
    meaning: 'The medium failed a file system operation (read-only, full, I/O error).',
    action: 'Replace the medium.',
  },
  // ------------------------------------------------------------ bill validator (ccTalk)
  DEV_NOTE_REJECTED: {
    meaning: 'The bill validator did not recognise a note (validation or transport failure, or a barcode ticket) and gave it back.',
    action: 'Ask the customer to smooth the note and insert it again, or use another note.',
  },
  DEV_NOTE_INHIBITED: {
    meaning: 'A note was inserted while the validator was disabled or its note type is not accepted here; it was given back.',
    action: 'Tell the customer which notes are accepted; enable the validator only while a flow takes cash.',
  },
  DEV_NOTE_JAMMED: {
    meaning: 'A note is jammed in the validator (transport or cash box); the validator takes no more notes until it is cleared.',
    action: 'Service the validator: open it, clear the note, and count the cash box against the journal.',
  },
  DEV_CASHBOX_FULL: {
    meaning: 'The validator\'s cash box is full; notes are given back until it is emptied.',
    action: 'Collect the cash (`command cash-collect`) and empty the cash box.',
  },
  DEV_CASHBOX_REMOVED: {
    meaning: 'The validator\'s cash box was taken out; no note is accepted until it is back.',
    action: 'If this was not a scheduled collection, treat it as a theft alarm; put the cash box back.',
  },
  DEV_NOTE_FRAUD: {
    meaning: 'The validator detected a fraud attempt (a note on a string, pulled back, optical tampering); details.event names the ccTalk event.',
    action: 'Alert security; check the validator and the journal of stacked notes.',
  },
  DEV_VALIDATOR_FAULT: {
    meaning: 'The validator reported a hardware fault (faulty cash box or anti-string mechanism, a refused route, an unknown event); details say which.',
    action: 'Service the validator; it is reported in hardwareError until it answers normally again.',
  },
  DEV_NO_NOTE_IN_ESCROW: {
    meaning: 'stack() or return() was called with no note held in escrow.',
    action: 'Programming error in the caller: route a note only after its escrow event.',
  },
  DEV_VALIDATOR_EVENTS_LOST: {
    meaning: 'More validator events happened between two polls than its buffer holds (ccTalk keeps 5); some notes may have been taken without being seen.',
    action: 'Count the cash box against the journal at the next collection; check that nothing blocks the agent\'s poll.',
  },
  DEV_CCTALK_BAD_FRAME: {
    meaning: 'A ccTalk reply was malformed (bad checksum, wrong address, unexpected length) and was discarded.',
    action: 'Check the validator cable, the baud rate and the ccTalk address in the config.',
  },
  // ------------------------------------------------------------ barcode scanner (line and code checks)
  DEV_SCAN_UNTERMINATED: {
    meaning: 'Part of a barcode line came without an end of line (CR, LF or CRLF; or the pinned delimiter) before the line went quiet, or the port was lost mid-line; it was discarded.',
    action: 'Set the scanner suffix to CR, LF or CRLF (and the terminal delimiter to ANY or the same); scan again.',
  },
  DEV_SCAN_CHECK_DIGIT: {
    meaning: 'A scanned EAN/UPC code, or a GTIN, SSCC or GLN inside a GS1 code, has a wrong check digit (misread or misprinted label); it was discarded.',
    action: 'Scan the item again; if it repeats, key the item or the amount instead and report the label.',
  },
  DEV_SCAN_GS1_UNKNOWN_AI: {
    meaning: 'A GS1 code (]C1, ]d2, ]Q3, ]e0) holds an application identifier this terminal does not know (details.ai); nothing after it can be read, so the scan was discarded.',
    action: 'Key the item or the amount instead; if such codes should sell here, have the AI added (terminal/devices/serial/gs1.ts).',
  },
  DEV_SCAN_GS1_INVALID: {
    meaning: 'A GS1 code is malformed: a value of the wrong length, not digits where digits are required, not a date, or a stray separator (details.ai, details.reason); it was discarded.',
    action: 'Scan again; if it repeats, the label is faulty: key the item or the amount instead.',
  },
});

export type DevErrorCode = keyof typeof DEV_ERRORS;

/** A coded device error (the only kind of error device drivers reject with). */
export function devError(code: DevErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): TesseraError<DevErrorCode> {
  return new TesseraError(code, message, details, cause === undefined ? undefined : { cause });
}
