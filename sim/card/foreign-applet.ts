import { buildAtr } from '../../protocol/purse/atr.js';
import { parseCommandApdu } from '../../protocol/purse/apdu.js';
import { encodeResponse } from '../../protocol/purse/responses.js';
import { SW } from '../../protocol/purse/status-words.js';
import type { CardApplet } from './card-applet.js';

/** The AID of the foreign card's own application (a made-up other issuer). */
export const FOREIGN_AID = Buffer.from('a0000009990101', 'hex');

/**
 * Some other issuer's card: a valid ATR, an application of its own, and no
 * Tessera purse, so SELECT of the purse AID answers 6A82 (application not
 * found). Terminals must report it as "not our card" and release it.
 */
export class ForeignApplet implements CardApplet {
  readonly atr = buildAtr(Buffer.from('OTHERBANK', 'latin1'));
  private selected = false;

  reset(): void {
    this.selected = false;
  }

  async process(bytes: Buffer): Promise<Buffer> {
    const parsed = parseCommandApdu(bytes);
    if (!parsed.ok) return encodeResponse(Buffer.alloc(0), parsed.sw);
    const { cla, ins, data } = parsed.apdu;
    if (cla === 0x00 && ins === 0xa4) {
      this.selected = data.equals(FOREIGN_AID);
      return encodeResponse(Buffer.alloc(0), this.selected ? SW.ok : SW.appNotFound);
    }
    return encodeResponse(Buffer.alloc(0), this.selected ? SW.insNotSupported : SW.notSelected);
  }
}
