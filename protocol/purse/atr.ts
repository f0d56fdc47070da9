/**
 * Builds an ATR offering T=1: TS=3B, T0=8x (TD1 present, x historical bytes),
 * TD1=80 (TD2 present, T=0 indicated), TD2=01 (T=1), historical bytes, TCK
 * (XOR of T0..last byte, required when T=1 is offered).
 */
export function buildAtr(historical: Buffer): Buffer {
  if (historical.length > 15) throw new RangeError('at most 15 historical bytes');
  const body = Buffer.concat([Buffer.from([0x80 | historical.length, 0x80, 0x01]), historical]);
  const tck = body.reduce((x, b) => x ^ b, 0);
  return Buffer.concat([Buffer.from([0x3b]), body, Buffer.from([tck])]);
}

/** The ATR of a Tessera purse card: historical bytes ASCII "TESSERA" + 01 (version). */
export const PURSE_ATR = buildAtr(Buffer.from('TESSERA\x01', 'latin1'));
