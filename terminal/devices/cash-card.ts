import { encodeCashCardCommand, selectCashCardCommand, type CashCardCommand } from '../../protocol/cashcard/commands.js';
import { decodeCashCardAccount, decodeCashCardSelect, splitCashCardResponse, type CashCardAccount } from '../../protocol/cashcard/responses.js';
import { SW, swHex } from '../../protocol/purse/status-words.js';
import type { CardReader } from './card-reader.js';
import { devError } from './errors.js';

/**
 * The terminal's side of the bank cash card application (sim/CARD.md, "The
 * bank cash card") over any CardReader. Unlike PurseCard.select(), probing
 * never ejects: a card without the cash-card application stays in the reader
 * so the flow can try the purse next. Device errors pass through unchanged;
 * a malformed response is CASHCARD_BAD_RESPONSE.
 */
export class CashCard {
  constructor(private readonly reader: CardReader) {}

  /** Selects the cash-card application: true if the card has it, false (card left as is) on 6A82. */
  async probe(): Promise<boolean> {
    const { data, sw } = splitCashCardResponse(await this.reader.transmit(encodeCashCardCommand(selectCashCardCommand())));
    if (sw === SW.appNotFound) return false;
    if (sw !== SW.ok) throw refused(sw, 'select');
    decodeCashCardSelect(data);
    return true;
  }

  /** The account the card carries (probe() first). */
  async readAccount(): Promise<CashCardAccount> {
    return decodeCashCardAccount(await this.send({ kind: 'readAccount' }));
  }

  private async send(command: CashCardCommand): Promise<Buffer> {
    const { data, sw } = splitCashCardResponse(await this.reader.transmit(encodeCashCardCommand(command)));
    if (sw === SW.ok) return data;
    throw refused(sw, command.kind);
  }
}

function refused(sw: number, command: string) {
  return devError('DEV_CARD_REFUSED', `cash card answered ${swHex(sw)} to ${command}`, { sw: swHex(sw), command });
}
