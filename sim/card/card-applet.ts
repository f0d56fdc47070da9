/**
 * What runs on a virtual card: the ATR it answers with and how it processes
 * APDUs. A VirtualCard handles the vpcd wire and sequencing; the applet only
 * sees one complete C-APDU at a time and returns the R-APDU (data + SW1 SW2).
 */
export interface CardApplet {
  /** Answer To Reset sent for the vpcd "get ATR" control message. */
  readonly atr: Buffer;
  /** Power on, power off or reset: forget volatile state (selection, verified PIN). */
  reset(): void;
  /** One C-APDU in, one R-APDU out. Never throws for bad input: answers a status word. */
  process(apdu: Buffer): Promise<Buffer>;
}
