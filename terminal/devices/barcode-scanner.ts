import type { DeviceEvents, DeviceState } from './device-events.js';
import type { DevErrorCode } from './errors.js';

export interface BarcodeScannerConfig {
  /** Serial device path (e.g. /dev/ttyUSB0, or the sim's pty link). */
  readonly path: string;
  readonly baudRate: number;
  /** Line delimiter the scanner sends after each code: CR, LF or CRLF (or any 1-4 bytes). */
  readonly delimiter: 'CR' | 'LF' | 'CRLF' | Buffer;
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
  /** The code's data, AIM prefix removed, delimiter removed. */
  readonly data: string;
  /** Null when the scanner sent no AIM prefix. */
  readonly symbology: Symbology | null;
  /** Monotonic ms (driver clock) when the line was complete. */
  readonly atMs: number;
}

export interface ScanRejected {
  /** DEV_SCAN_TOO_LONG or DEV_SCAN_GARBAGE. */
  readonly code: DevErrorCode;
  /** Bytes discarded (never the content: it may be anything). */
  readonly bytes: number;
}

export interface BarcodeScannerEventMap extends Record<string, unknown[]> {
  scan: [Scan];
  /** A line was discarded (too long, or control bytes / invalid UTF-8). Scanning continues. */
  rejected: [ScanRejected];
  /** The port went away (DEV_PORT_GONE) or came back. */
  status: [{ readonly device: DeviceState; readonly code: DevErrorCode | null }];
}

/**
 * A serial barcode scanner.
 *
 * Contract (checked by the barcode-scanner contract suite):
 * - open() opens the port (rejects with DEV_PORT_GONE if it does not exist).
 * - Each delimited line becomes one `scan` event, in order. An AIM
 *   identifier prefix is parsed into `symbology` and stripped.
 * - A line longer than maxLineBytes is discarded up to its delimiter with one
 *   `rejected` DEV_SCAN_TOO_LONG; control bytes or invalid UTF-8 give
 *   DEV_SCAN_GARBAGE. The following lines are read normally.
 * - Port disappearing: status offline with DEV_PORT_GONE, the driver retries
 *   opening and goes online again when the port returns; a partial line from
 *   before the loss is dropped.
 * - close() closes the port, stops retrying, and is idempotent.
 */
export interface BarcodeScanner extends DeviceEvents<BarcodeScannerEventMap> {
  open(): Promise<void>;
  close(): Promise<void>;
  status(): Promise<{ readonly device: DeviceState; readonly path: string }>;
}
