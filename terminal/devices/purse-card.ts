import type { Random } from '../../core/random.js';
import { encodeCommand, selectPurseCommand, type PurseCommand } from '../../protocol/purse/commands.js';
import { PURSE_SIZES } from '../../protocol/purse/constants.js';
import { decodePurseState, decodeReadId, decodeReceipt, splitResponse, type PurseReceipt, type PurseState } from '../../protocol/purse/responses.js';
import { pinTriesFromSw, SW, swHex } from '../../protocol/purse/status-words.js';
import type { CardReader } from './card-reader.js';
import { devError } from './errors.js';

export interface DebitResult extends PurseReceipt {
  /** The nonce this terminal sent (the center needs it to verify cardMac). */
  readonly terminalNonce: Buffer;
  readonly amountMinor: number;
  readonly terminalId: string;
}

/**
 * The terminal's side of the purse application (sim/CARD.md) over any
 * CardReader: builds APDUs with protocol/purse and turns status words into
 * coded DEV_ errors. Device errors from the reader pass through unchanged.
 */
export class PurseCard {
  constructor(
    private readonly reader: CardReader,
    private readonly random: Random,
  ) {}

  private async send(command: PurseCommand): Promise<Buffer> {
    const { data, sw } = splitResponse(await this.reader.transmit(encodeCommand(command)));
    if (sw === SW.ok) return data;
    throw statusError(sw, command.kind);
  }

  /**
   * Selects the purse. A card without it (6A82) is released (ejected) and
   * rejected with DEV_NOT_OUR_CARD; the reader stays usable for the next card.
   */
  async select(): Promise<void> {
    const { sw } = splitResponse(await this.reader.transmit(encodeCommand(selectPurseCommand())));
    if (sw === SW.ok) return;
    if (sw === SW.appNotFound) {
      await this.reader.eject();
      throw devError('DEV_NOT_OUR_CARD', 'card has no Tessera purse application');
    }
    throw statusError(sw, 'select');
  }

  /** The card id (medium id): 16 lowercase hex chars. */
  async readId(): Promise<string> {
    return decodeReadId(await this.send({ kind: 'readId' }));
  }

  async verifyPin(pin: string): Promise<void> {
    await this.send({ kind: 'verifyPin', pin });
  }

  /** PIN tries left without using one. */
  async pinTriesLeft(): Promise<number> {
    const { sw } = splitResponse(await this.reader.transmit(encodeCommand({ kind: 'verifyPin', pin: null })));
    if (sw === SW.pinBlocked) return 0;
    const tries = pinTriesFromSw(sw);
    if (tries === null) throw statusError(sw, 'verifyPin');
    return tries;
  }

  async readPurse(): Promise<PurseState> {
    return decodePurseState(await this.send({ kind: 'readPurse' }));
  }

  /** Debits the purse; the result carries the card MAC and the nonce the center needs to check it. */
  async debit(amountMinor: number, terminalId: string): Promise<DebitResult> {
    const terminalNonce = this.random.bytes(PURSE_SIZES.terminalNonceBytes);
    const receipt = decodeReceipt(await this.send({ kind: 'debit', amountMinor, terminalId, terminalNonce }));
    return { ...receipt, terminalNonce, amountMinor, terminalId };
  }

  /** Credits the purse with the center's host MAC (computed over the card's current counter). */
  async credit(amountMinor: number, hostMac: Buffer): Promise<PurseReceipt> {
    return decodeReceipt(await this.send({ kind: 'credit', amountMinor, hostMac }));
  }
}

function statusError(sw: number, command: string) {
  const tries = pinTriesFromSw(sw);
  if (tries !== null && tries > 0) return devError('DEV_PIN_WRONG', 'wrong PIN', { triesLeft: tries });
  if (tries === 0 || sw === SW.pinBlocked) return devError('DEV_PIN_BLOCKED', 'PIN blocked');
  if (sw === SW.conditionsNotSatisfied && command === 'debit') return devError('DEV_INSUFFICIENT_FUNDS', 'balance below the amount');
  return devError('DEV_CARD_REFUSED', `card answered ${swHex(sw)} to ${command}`, { sw: swHex(sw), command });
}
