/**
 * Named limits of `tessera demo` (TigerBeetle style: every wait and size
 * has a bound here, relations asserted at load).
 */
import { assert } from '../../core/assert.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { SIM_LIMITS } from '../limits.js';

export const DEMO_LIMITS = {
  /** Users at least: one per bank, so both banks take charges and pay shops. */
  usersMin: 2,
  /**
   * Users at most: bounded by the run time (every user swaps cards at the two
   * kiosks, ~0.8 s a swap with pcscd's polling) and the six vpcd slots.
   */
  usersMax: 40,
  usersDefault: 6,
  /** Purchases one user makes (besides the planned declines). */
  purchasesPerUserMin: 2,
  purchasesPerUserMax: 3,
  /** Goods one user has scanned at the scanning till (at least one). */
  scannedItemsMax: 3,
  /** The scanning till's serial line (the pty ignores it; a real scanner ships at 9600). */
  scannerBaud: 9600,
  /** Longest wait for one card flow or command of a terminal. */
  stepTimeoutMs: 45_000,
  /** How long a shop's settle command waits for the center's callback (roleSettings.settleWaitMs; it takes milliseconds). */
  settleWaitMs: 8_000,
  /** Interval of the e-money sweep (charge timeouts, payment retries) while the demo runs. */
  sweepIntervalMs: 1_000,
  /** Longest wait for one shutdown step before the next runs anyway. */
  shutdownStepTimeoutMs: 10_000,
  /** Earlier run directories kept under the state root (older ones are removed). */
  runsKeptMax: 5,
  /** Longest Unix socket path (sun_path is 108 bytes with its NUL). */
  socketPathBytesMax: 104,
  /** Link timeout of the demo terminals (per attempt). */
  linkRequestTimeoutMs: 10_000,
  /**
   * APDU timeout of the demo's readers. The cards are virtual (vpcd in this
   * process's simulator): on a machine loaded by other work an exchange took
   * over the agent's 5 s default and a kiosk charge ended in DEV_TIMEOUT.
   */
  readerTransmitTimeoutMs: 20_000,
  /** Longest wait, after the script, for charges still in flight (a give-up being reversed) before the checks run. */
  settleInFlightMs: 30_000,
} as const;

assert(DEMO_LIMITS.usersMin <= DEMO_LIMITS.usersDefault && DEMO_LIMITS.usersDefault <= DEMO_LIMITS.usersMax, 'default users out of range');
assert(DEMO_LIMITS.purchasesPerUserMin <= DEMO_LIMITS.purchasesPerUserMax, 'purchase range empty');
assert(DEMO_LIMITS.stepTimeoutMs > 2 * SIM_LIMITS.slotSettleMs + DEMO_LIMITS.linkRequestTimeoutMs, 'a step must fit a card swap and a link request');
assert(DEMO_LIMITS.sweepIntervalMs < DEMO_LIMITS.stepTimeoutMs, 'the sweep must run within a step');
assert(DEMO_LIMITS.settleWaitMs < DEMO_LIMITS.stepTimeoutMs, 'a settle must give up before the step deadline');
assert(DEMO_LIMITS.settleWaitMs < DEMO_LIMITS.shutdownStepTimeoutMs, 'an agent stopping during a settle must stop within its shutdown step');
assert(DEMO_LIMITS.settleWaitMs <= PROTOCOL_LIMITS.callbackWaitMsMax, "the shops' settle wait is a valid roleSettings.settleWaitMs");
assert(DEMO_LIMITS.readerTransmitTimeoutMs < DEMO_LIMITS.stepTimeoutMs, 'a card exchange must time out within a step');
assert(DEMO_LIMITS.settleInFlightMs > DEMO_LIMITS.sweepIntervalMs, 'the in-flight wait must see several sweeps');
assert(DEMO_LIMITS.runsKeptMax >= 1, 'the current run directory is kept');
