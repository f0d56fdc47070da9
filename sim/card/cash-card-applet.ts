import { decodeCashCardCommand } from '../../protocol/cashcard/commands.js';
import { CASH_CARD_AID, CASH_CARD_APP_VERSION, CASH_CARD_ATR } from '../../protocol/cashcard/constants.js';
import { encodeCashCardAccount } from '../../protocol/cashcard/responses.js';
import { encodeResponse } from '../../protocol/purse/responses.js';
import { SW } from '../../protocol/purse/status-words.js';
import type { CardApplet } from './card-applet.js';
import type { CashCardState } from './card-state.js';

const EMPTY = Buffer.alloc(0);

/**
 * A bank cash card (sim/CARD.md, "The bank cash card"): SELECT of its own
 * AID, then READ ACCOUNT. It keeps nothing that changes, so nothing is
 * persisted; a SELECT of any other AID (the purse's) answers 6A82, which is
 * how a terminal tells it from a purse card.
 */
export class CashCardApplet implements CardApplet {
  readonly atr = CASH_CARD_ATR;
  private selected = false;
  private readonly account: Buffer;

  constructor(readonly state: CashCardState) {
    this.account = encodeCashCardAccount(state);
  }

  get cardId(): string {
    return this.state.cardId;
  }

  reset(): void {
    this.selected = false;
  }

  async process(apdu: Buffer): Promise<Buffer> {
    const decoded = decodeCashCardCommand(apdu);
    if (!decoded.ok) return encodeResponse(EMPTY, decoded.sw);
    const command = decoded.command;
    if (command.kind === 'select') {
      this.selected = command.aid.equals(CASH_CARD_AID);
      return this.selected ? encodeResponse(Buffer.from([CASH_CARD_APP_VERSION]), SW.ok) : encodeResponse(EMPTY, SW.appNotFound);
    }
    if (!this.selected) return encodeResponse(EMPTY, SW.notSelected);
    return encodeResponse(this.account, SW.ok);
  }
}
