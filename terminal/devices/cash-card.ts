import { encodeCashCardCommand, selectCashCardCommand, type CashCardCommand } from '../../protocol/cashcard/commands.js';
import { decodeCashCardAccount, decodeCashCardSelect, splitCashCardResponse, type CashCardAccount } from '../../protocol/cashcard/responses.js';
import { SW, swHex } from '../../protocol/purse/status-words.js';
import type { CardChannel } from './card-reader.js';
import { devError } from './errors.js';

/**
 * The terminal's side of the bank cash card application (sim/CARD.md, "The
 * bank cash card") over any CardReader. Unlike PurseCard.select(), probing
 * never ejects: a card without the cash-card application stays in the reader
 * so the flow can try the purse next. Device errors pass through unchanged;
 * a malformed response is CASHCARD_BAD_RESPONSE.
 */
export class CashCard {
  constructor(private readonly reader: CardChannel) {}

  /**
   * Selects the cash-card application: true if the card has it, false (card
   * left as is) on any other status word (6A82, 6D00, ...: not this
   * application; the purse select that follows names a foreign card).
   */
  async probe(): Promise<boolean> {
    const { data, sw } = splitCashCardResponse(await this.reader.transmit(encodeCashCardCommand(selectCashCardCommand())));
    if (sw !== SW.ok) return false;
    try {
      decodeCashCardSelect(data);
    } catch {
      return false; // 9000 without the cash card's select answer: some other application
    }
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
