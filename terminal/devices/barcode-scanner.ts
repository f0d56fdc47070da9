import type { DeviceEvents, DeviceState } from './device-events.js';
import type { DevErrorCode } from './errors.js';
import type { Gs1Element } from './serial/gs1.js';

export type { Gs1Element } from './serial/gs1.js';

export interface BarcodeScannerConfig {
  /** Serial device path (e.g. /dev/ttyUSB0, or the sim's pty link). */
  readonly path: string;
  readonly baudRate: number;
  /**
   * How a code's line ends. `ANY` (default): CR, LF and CRLF all end a line,
   * whatever the scanner's suffix setting. `CR`, `LF`, `CRLF` or 1-4 bytes
   * pin one delimiter: only it ends a line (a stray CR/LF at a line's edge is
   * trimmed).
   */
  readonly delimiter?: 'ANY' | 'CR' | 'LF' | 'CRLF' | Buffer;
  /** Longest accepted line in bytes (at most DEVICE_LIMITS.scanLineBytesMax). */
  readonly maxLineBytes?: number;
}

/** Symbology from the AIM identifier (`]` + code char + modifier), e.g. `]E0` EAN-13, `]C1` GS1-128, `]Q1` QR. */
export interface Symbology {
  /** The three-character AIM identifier as sent, e.g. `]E0`. */
  readonly aim: string;
  /** Human name when known (`EAN-13`, `Code 128`, `QR Code`...), else `unknown`. */
  readonly name: string;
}

export interface Scan {
  /** The code's data, AIM prefix removed, delimiter removed (a GS1 FNC1 stays as GS, U+001D). */
  readonly data: string;
  /** Null when the scanner sent no AIM prefix. */
  readonly symbology: Symbology | null;
  /** GS1 symbols (`]C1`, `]d2`, `]Q3`, `]e0`): the data as element strings (AI + value), in order. */
  readonly gs1?: readonly Gs1Element[];
  /** Monotonic ms (driver clock) when the line was complete. */
  readonly atMs: number;
}

export interface ScanRejected {
  /**
   * DEV_SCAN_TOO_LONG, DEV_SCAN_UNTERMINATED, DEV_SCAN_GARBAGE,
   * DEV_SCAN_CHECK_DIGIT, DEV_SCAN_GS1_UNKNOWN_AI or DEV_SCAN_GS1_INVALID.
   */
  readonly code: DevErrorCode;
  /** Bytes discarded (never the content: it may be anything). */
  readonly bytes: number;
  /** Why, in a few words (never the content). */
  readonly reason?: string;
  /** The GS1 application identifier concerned (digits). */
  readonly ai?: string;
}

export interface BarcodeScannerStatus {
  readonly device: DeviceState;
  readonly path: string;
  /** DEV_PORT_GONE while offline, else null. */
  readonly code: DevErrorCode | null;
}

export interface BarcodeScannerEventMap extends Record<string, unknown[]> {
  scan: [Scan];
  /** A line was discarded (see ScanRejected.code). Scanning continues. */
  rejected: [ScanRejected];
  /** The port went away (DEV_PORT_GONE) or came back. */
  status: [{ readonly device: DeviceState; readonly code: DevErrorCode | null }];
}

/**
 * A serial barcode scanner.
 *
 * Contract (checked by the barcode-scanner contract suite):
 * - open() opens the port (rejects with DEV_PORT_GONE if it does not exist).
 * - Each line becomes one `scan` event, in order (empty lines are skipped).
 *   Line ends: see BarcodeScannerConfig.delimiter. An AIM identifier prefix
 *   is parsed into `symbology` and stripped.
 * - Every line not passed on is one `rejected` event, and the following lines
 *   are read normally: longer than maxLineBytes (discarded up to its end)
 *   DEV_SCAN_TOO_LONG; no end within DEVICE_LIMITS.scanLineIdleMs of silence
 *   DEV_SCAN_UNTERMINATED; control bytes or invalid UTF-8 DEV_SCAN_GARBAGE
 *   (GS is data inside a GS1 symbol); EAN/UPC or GTIN/SSCC/GLN check digit
 *   DEV_SCAN_CHECK_DIGIT; GS1 element strings DEV_SCAN_GS1_UNKNOWN_AI or
 *   DEV_SCAN_GS1_INVALID.
 * - Port disappearing: status offline with DEV_PORT_GONE (a partial line
 *   from before the loss is rejected as DEV_SCAN_UNTERMINATED); the driver
 *   reopens it (first after serialReopenMsMin, the interval doubling up to
 *   serialReopenMsMax, until close()) and goes online again when it returns.
 * - close() closes the port, stops retrying, and is idempotent.
 */
export interface BarcodeScanner extends DeviceEvents<BarcodeScannerEventMap> {
  open(): Promise<void>;
  close(): Promise<void>;
  status(): Promise<BarcodeScannerStatus>;
}
