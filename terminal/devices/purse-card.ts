import type { Random } from '../../core/random.js';
import { encodeCommand, selectPurseCommand, type PurseCommand } from '../../protocol/purse/commands.js';
import { PURSE_SIZES } from '../../protocol/purse/constants.js';
import { decodePurseState, decodeReadId, decodeReceipt, splitResponse, type PurseReceipt, type PurseState } from '../../protocol/purse/responses.js';
import { pinTriesFromSw, SW, swHex } from '../../protocol/purse/status-words.js';
import type { CardChannel } from './card-reader.js';
import { devError } from './errors.js';

export interface DebitResult extends PurseReceipt {
  /** The nonce this terminal sent (the center needs it to verify cardMac). */
  readonly terminalNonce: Buffer;
  readonly amountMinor: number;
  readonly terminalId: string;
}

/**
 * The terminal's side of the purse application (sim/CARD.md) over any
 * CardReader, or a channel bound to one inserted card (the agent's card
 * session): builds APDUs with protocol/purse and turns status words into
 * coded DEV_ errors. Device errors from the reader pass through unchanged.
 *
 * "Not our application" is one code whatever the card says: a SELECT
 * answered with anything but 9000 (6A82, 6D00, 610A, ...), or a READ ID
 * that does not give a card id, is DEV_NOT_OUR_CARD with the status word
 * in details, and the card is released.
 */
export class PurseCard {
  /**
   * @param onId told every card id READ ID gives (the agent's session binds its flow to the first one).
   */
  constructor(
    private readonly reader: CardChannel,
    private readonly random: Random,
    private readonly onId: (mediumId: string) => void = () => undefined,
  ) {}

  private async send(command: PurseCommand): Promise<Buffer> {
    const { data, sw } = splitResponse(await this.reader.transmit(encodeCommand(command)));
    if (sw === SW.ok) return data;
    throw statusError(sw, command.kind);
  }

  /**
   * Selects the purse. A card that does not select it (any status word but
   * 9000) is released (ejected) and rejected with DEV_NOT_OUR_CARD; the
   * reader stays usable for the next card.
   */
  async select(): Promise<void> {
    const { sw } = splitResponse(await this.reader.transmit(encodeCommand(selectPurseCommand())));
    if (sw !== SW.ok) throw await this.notOurs(sw, 'select');
  }

  /** The card id (medium id): 16 lowercase hex chars. A card that gives none is not ours (DEV_NOT_OUR_CARD, released). */
  async readId(): Promise<string> {
    const { data, sw } = splitResponse(await this.reader.transmit(encodeCommand({ kind: 'readId' })));
    if (sw !== SW.ok) throw await this.notOurs(sw, 'readId');
    let mediumId: string;
    try {
      mediumId = decodeReadId(data);
    } catch {
      throw await this.notOurs(sw, 'readId', { idBytes: data.length });
    }
    this.onId(mediumId);
    return mediumId;
  }

  private async notOurs(sw: number, command: string, extra: Record<string, unknown> = {}) {
    await this.reader.eject().catch(() => undefined); // already gone or released: the refusal stands
    const why = command === 'select' ? `SELECT answered ${swHex(sw)}` : `READ ID gave no card id (${swHex(sw)})`;
    return devError('DEV_NOT_OUR_CARD', `card has no Tessera purse application: ${why}`, { sw: swHex(sw), command, ...extra });
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
