/**
 * Named maxima of the simulator (TigerBeetle style: every buffer, retry and
 * wait has a bound here, and the relations between them are asserted at load).
 */
import { assert } from '../core/assert.js';

export const SIM_LIMITS = {
  /** ccTalk frames a virtual bill validator keeps in its `received` log (tests look at what the driver sent). */
  validatorFramesKeptMax: 1_000,
  /** Largest vpcd message body (2-byte length prefix). */
  vpcdMessageBytesMax: 0xffff,
  /** Readers (vpcd slots) one simulated pcscd exposes per configured device. */
  vpcdSlotsPerDeviceCount: 2,
  /** vpcd devices (each with two slots) one simulated pcscd may configure. */
  vpcdDevicesMax: 8,
  /** Port range the simulator picks vpcd base ports from (inclusive start, exclusive end). */
  vpcdPortMin: 40_000,
  vpcdPortMax: 60_000,
  /** Attempts to find a free pair of vpcd ports. */
  portPickAttemptsMax: 64,
  /** How long pcscd may take to create its socket and list all readers. */
  pcscdStartTimeoutMs: 10_000,
  /** Poll interval while waiting for pcscd or a socket to appear. */
  startPollMs: 20,
  /** How long a stopping pcscd / socat gets before SIGKILL. */
  stopTimeoutMs: 3_000,
  /**
   * Minimum time between a card's removal from a slot and the next insertion
   * into it. pcscd polls vpcd presence every 400 ms; a swap faster than that
   * is never seen as removal (and no human can swap a card that fast).
   */
  slotSettleMs: 500,
  /** How long a virtual card waits for the vpcd driver to accept its connection. */
  cardConnectTimeoutMs: 5_000,
  /** Cards whose state one card store keeps (files in the state dir). */
  cardsMax: 10_000,
  /** Largest card state file read back (bytes). */
  cardStateFileBytesMax: 4_096,
  /** Longest scan line the virtual scanner writes (the driver's limit is tested by exceeding it on purpose). */
  scanBytesMax: 64 * 1024,
  /** How long socat may take to create both pty links. */
  socatStartTimeoutMs: 5_000,
  /** Largest control-socket request line (tessera sim serve). */
  controlLineBytesMax: 4_096,
  /** Concurrent control-socket clients. */
  controlClientsMax: 8,
  /** How long pdftoppm or zbarimg may take on one page of a printed voucher sheet (the scanner reading a card). */
  sheetToolTimeoutMs: 30_000,
  /** Resolution a printed sheet's page is rendered at before decoding (pixels per inch; a Code 128 module is then >= 3 pixels). */
  sheetRenderDpiCount: 200,
  /** Largest output read from pdftotext or zbarimg. */
  sheetToolOutputBytesMax: 16 * 1024 * 1024,
} as const;

assert(SIM_LIMITS.vpcdPortMin + SIM_LIMITS.vpcdSlotsPerDeviceCount * SIM_LIMITS.vpcdDevicesMax < SIM_LIMITS.vpcdPortMax, 'vpcd port range too small');
assert(SIM_LIMITS.vpcdPortMax <= 65_536, 'vpcd ports are 16-bit');
assert(SIM_LIMITS.startPollMs < SIM_LIMITS.pcscdStartTimeoutMs, 'poll interval must be below the start timeout');
assert(SIM_LIMITS.controlLineBytesMax >= 256, 'control lines must fit a command');
