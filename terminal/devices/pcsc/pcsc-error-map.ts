/**
 * How a PC/SC failure reads to the driver. The `smartcard` binding rejects
 * with plain Errors whose message is pcsc-lite's text for the SCARD_* code,
 * so the mapping is by message (kept in one table here).
 */
export type PcscFailure = 'removed' | 'gone' | 'mute' | 'sharing' | 'timeout' | 'io';

const TABLE: ReadonlyArray<readonly [string, PcscFailure]> = [
  ['card was removed', 'removed'], //           SCARD_W_REMOVED_CARD
  ['no smart card present', 'removed'], //      SCARD_E_NO_SMARTCARD
  ['card was reset', 'removed'], //             SCARD_W_RESET_CARD (someone reset it: our session is lost)
  ['service not running', 'gone'], //           SCARD_E_NO_SERVICE
  ['service stopped', 'gone'], //               SCARD_E_SERVICE_STOPPED
  ['reader unavailable', 'gone'], //            SCARD_E_READER_UNAVAILABLE
  ['unknown reader', 'gone'], //                SCARD_E_UNKNOWN_READER
  ['no readers available', 'gone'], //          SCARD_E_NO_READERS_AVAILABLE
  ['invalid handle', 'gone'], //                SCARD_E_INVALID_HANDLE (context died with pcscd)
  ['unresponsive', 'mute'], //                  SCARD_W_UNRESPONSIVE_CARD
  ['unpowered', 'mute'], //                     SCARD_W_UNPOWERED_CARD
  ['not supported', 'mute'], //                 SCARD_W_UNSUPPORTED_CARD
  ['invalid atr', 'mute'], //                   SCARD_E_INVALID_ATR
  ['sharing violation', 'sharing'], //          SCARD_E_SHARING_VIOLATION
  ['timed out', 'timeout'], //                  SCARD_E_TIMEOUT
];

export function classifyPcscError(e: unknown): PcscFailure {
  const message = (e instanceof Error ? e.message : String(e)).toLowerCase();
  for (const [needle, failure] of TABLE) if (message.includes(needle)) return failure;
  return 'io';
}
