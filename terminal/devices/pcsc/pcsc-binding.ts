import * as smartcard from 'smartcard';
import type { CardInterface, ContextInterface, ReaderMonitorInterface, MonitorEvent } from 'smartcard';

export type { CardInterface as PcscCard, ContextInterface as PcscContext, MonitorEvent as PcscMonitorEvent };

/** The parts of the `smartcard` binding the PC/SC reader uses (injectable for a unit-test double). */
export interface PcscBinding {
  createContext(): ContextInterface;
  createMonitor(): ReaderMonitorInterface;
  readonly SHARE_EXCLUSIVE: number;
  readonly PROTOCOLS: number;
  readonly LEAVE_CARD: number;
  readonly STATE_PRESENT: number;
  readonly STATE_MUTE: number;
}

/** The real binding over libpcsclite. */
export const smartcardBinding: PcscBinding = {
  createContext: () => new smartcard.Context(),
  createMonitor: () => new smartcard.ReaderMonitor(),
  SHARE_EXCLUSIVE: smartcard.SCARD_SHARE_EXCLUSIVE,
  PROTOCOLS: smartcard.SCARD_PROTOCOL_T0 | smartcard.SCARD_PROTOCOL_T1,
  LEAVE_CARD: smartcard.SCARD_LEAVE_CARD,
  STATE_PRESENT: smartcard.SCARD_STATE_PRESENT,
  STATE_MUTE: smartcard.SCARD_STATE_MUTE,
};
