import { PURSE_ATR } from '../../protocol/purse/atr.js';
import { decodeCommand, type PurseCommand } from '../../protocol/purse/commands.js';
import { PURSE_AID, PURSE_APP_VERSION, PURSE_LIMITS } from '../../protocol/purse/constants.js';
import { creditReceiptMac, debitMac, hostCreditMac, macEquals } from '../../protocol/purse/crypto.js';
import { encodePurseState, encodeReceipt, encodeResponse } from '../../protocol/purse/responses.js';
import { SW, swPinWrong } from '../../protocol/purse/status-words.js';
import type { CardApplet } from './card-applet.js';
import { pinHash, type CardState } from './card-state.js';
import type { CardStateStore } from './card-state-store.js';

const EMPTY = Buffer.alloc(0);

function status(sw: number): Buffer {
  return encodeResponse(EMPTY, sw);
}

/**
 * The Tessera purse application on a virtual card (sim/CARD.md). State that a
 * real chip keeps in EEPROM (balance, counter, PIN tries) is saved to the
 * card store before the card answers; selection and PIN verification are
 * volatile and cleared on every power cycle or reset.
 */
export class PurseApplet implements CardApplet {
  readonly atr = PURSE_ATR;
  private selected = false;
  private pinVerified = false;
  private state: CardState;

  constructor(
    private readonly store: CardStateStore,
    readonly cardId: string,
  ) {
    this.state = this.reload();
  }

  private reload(): CardState {
    const state = this.store.load(this.cardId);
    if (!state) throw new Error(`card ${this.cardId} is not issued in ${this.store.dir}`);
    return state;
  }

  reset(): void {
    this.selected = false;
    this.pinVerified = false;
    // Re-read: the card may have been used in another simulator since.
    this.state = this.reload();
  }

  /** The state as last persisted (tests, CLI status). */
  get snapshot(): CardState {
    return this.state;
  }

  async process(apdu: Buffer): Promise<Buffer> {
    const decoded = decodeCommand(apdu);
    if (!decoded.ok) return status(decoded.sw);
    const command = decoded.command;
    if (command.kind === 'select') return this.select(command.aid);
    if (!this.selected) return status(SW.notSelected);
    return this.dispatch(command);
  }

  private async dispatch(command: Exclude<PurseCommand, { kind: 'select' }>): Promise<Buffer> {
    switch (command.kind) {
      case 'verifyPin':
        return this.verify(command.pin);
      case 'readId':
        return encodeResponse(Buffer.from(this.state.cardId, 'hex'), SW.ok);
      case 'readPurse':
        return encodeResponse(encodePurseState(this.state), SW.ok);
      case 'credit':
        return this.credit(command.amountMinor, command.hostMac);
      case 'debit':
        return this.debit(command.amountMinor, command.terminalId, command.terminalNonce);
    }
  }

  private select(aid: Buffer): Buffer {
    this.selected = aid.equals(PURSE_AID);
    this.pinVerified = false;
    return this.selected ? encodeResponse(Buffer.from([PURSE_APP_VERSION]), SW.ok) : status(SW.appNotFound);
  }

  private async verify(pin: string | null): Promise<Buffer> {
    const tries = this.state.pinTriesLeft;
    if (tries === 0) return status(SW.pinBlocked);
    if (pin === null) return status(swPinWrong(tries)); // query: tries left, nothing consumed
    if (pinHash(this.state.cardId, pin) === this.state.pinHash) {
      this.pinVerified = true;
      if (tries !== PURSE_LIMITS.pinTriesMax) await this.persist({ ...this.state, pinTriesLeft: PURSE_LIMITS.pinTriesMax });
      return status(SW.ok);
    }
    this.pinVerified = false;
    await this.persist({ ...this.state, pinTriesLeft: tries - 1 });
    return status(swPinWrong(tries - 1));
  }

  private async credit(amountMinor: number, hostMac: Buffer): Promise<Buffer> {
    if (!this.pinVerified) return status(SW.securityNotSatisfied);
    const s = this.state;
    const expected = hostCreditMac(Buffer.from(s.hostMacKey, 'hex'), { cardId: s.cardId, counter: s.counter, amountMinor, currency: s.currency });
    if (!macEquals(expected, hostMac)) return status(SW.macInvalid);
    if (s.counter >= PURSE_LIMITS.counterMax || amountMinor > PURSE_LIMITS.balanceMinorMax - s.balanceMinor) {
      return status(SW.conditionsNotSatisfied);
    }
    const next = { ...s, balanceMinor: s.balanceMinor + amountMinor, counter: s.counter + 1 };
    await this.persist(next);
    const cardMac = creditReceiptMac(Buffer.from(s.cardMacKey, 'hex'), {
      cardId: s.cardId,
      counter: next.counter,
      amountMinor,
      currency: s.currency,
      balanceMinor: next.balanceMinor,
    });
    return encodeResponse(encodeReceipt({ balanceMinor: next.balanceMinor, counter: next.counter, cardMac }), SW.ok);
  }

  private async debit(amountMinor: number, terminalId: string, terminalNonce: Buffer): Promise<Buffer> {
    if (!this.pinVerified) return status(SW.securityNotSatisfied);
    const s = this.state;
    if (s.counter >= PURSE_LIMITS.counterMax || amountMinor > s.balanceMinor) return status(SW.conditionsNotSatisfied);
    const next = { ...s, balanceMinor: s.balanceMinor - amountMinor, counter: s.counter + 1 };
    await this.persist(next);
    const cardMac = debitMac(Buffer.from(s.cardMacKey, 'hex'), {
      cardId: s.cardId,
      counter: next.counter,
      amountMinor,
      currency: s.currency,
      terminalId,
      terminalNonce,
    });
    return encodeResponse(encodeReceipt({ balanceMinor: next.balanceMinor, counter: next.counter, cardMac }), SW.ok);
  }

  private async persist(next: CardState): Promise<void> {
    await this.store.save(next);
    this.state = next;
  }
}
