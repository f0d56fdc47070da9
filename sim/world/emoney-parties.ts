/**
 * The e-money module's outside parties at the protocol level, for worlds
 * without terminal agents: a purse card driven with real APDUs (the sim's
 * purse applet), a member shop (its journal of offline records and the
 * callback listener that erases settled ones), and the provider kiosk's
 * requests (charge, abandon, issue, the whole credit) over a LinkClient.
 */
import { SystemClock } from '../../core/clock.js';
import { TAG } from '../../protocol/codes.js';
import { pinBlockFormat2 } from '../../protocol/crypto/seal.js';
import type { PurchaseRecord, RecordKey, SettlementInstruction } from '../../protocol/messages/types.js';
import { PURSE_AID } from '../../protocol/purse/constants.js';
import { encodeCommand, type PurseCommand } from '../../protocol/purse/commands.js';
import { decodePurseState, decodeReceipt, splitResponse, type PurseReceipt, type PurseState } from '../../protocol/purse/responses.js';
import type { AccountRef } from '../../center/relay/types.js';
import type { CallbackListener } from '../../terminal/link/callback-listener.js';
import type { LinkClient } from '../../terminal/link/link-client.js';
import type { PurseApplet } from '../card/purse-applet.js';

/** A virtual purse card driven with real APDUs. */
export class TestCard {
  constructor(readonly applet: PurseApplet, readonly pin: string) {}
  get cardId(): string {
    return this.applet.cardId;
  }
  get balanceMinor(): number {
    return this.applet.snapshot.balanceMinor;
  }
  private async apdu(c: PurseCommand): Promise<{ data: Buffer; sw: number }> {
    return splitResponse(await this.applet.process(encodeCommand(c)));
  }
  /** Power-up as a terminal does it: SELECT, VERIFY PIN. */
  async open(): Promise<void> {
    this.applet.reset();
    if ((await this.apdu({ kind: 'select', aid: PURSE_AID })).sw !== 0x9000) throw new Error('select failed');
    if ((await this.apdu({ kind: 'verifyPin', pin: this.pin })).sw !== 0x9000) throw new Error('pin failed');
  }
  async read(): Promise<PurseState> {
    return decodePurseState((await this.apdu({ kind: 'readPurse' })).data);
  }
  async credit(amountMinor: number, hostMac: Buffer): Promise<PurseReceipt | number> {
    const r = await this.apdu({ kind: 'credit', amountMinor, hostMac });
    return r.sw === 0x9000 ? decodeReceipt(r.data) : r.sw;
  }
  async debit(amountMinor: number, terminalId: string, terminalNonce: Buffer): Promise<PurseReceipt> {
    const r = await this.apdu({ kind: 'debit', amountMinor, terminalId, terminalNonce });
    if (r.sw !== 0x9000) throw new Error(`debit sw ${r.sw.toString(16)}`);
    return decodeReceipt(r.data);
  }
}

/** A member-shop terminal: a journal of offline records and a callback listener that erases settled ones. */
export class TestShop {
  journal: PurchaseRecord[] = [];
  instructions: SettlementInstruction[] = [];
  securityCodes: string[] = [];
  constructor(readonly id: string, readonly link: LinkClient, readonly listener: CallbackListener) {}

  async sell(card: TestCard, amountMinor: number, nonce: Buffer): Promise<PurchaseRecord> {
    await card.open();
    const r = await card.debit(amountMinor, this.id, nonce);
    const rec = { mediumId: Buffer.from(card.cardId, 'hex'), cardCounter: r.counter, amountMinor, currency: 'JPY', terminalId: this.id, terminalNonce: nonce, cardMac: r.cardMac };
    this.journal.push(rec);
    return rec;
  }

  /** Genuine records still held (what the shop is owed). */
  get unsettledMinor(): number {
    return this.journal.filter((r) => !('fake' in r)).reduce((s, r) => s + r.amountMinor, 0);
  }
}

export function onInstruction(shop: () => TestShop) {
  return async (msg: SettlementInstruction, ctx: { sealer: { open(tag: number, b: Buffer): Buffer } }) => {
    const s = shop();
    s.instructions.push(msg);
    s.securityCodes.push(ctx.sealer.open(TAG.SECURITY_CODE, msg.securityCode).toString('ascii'));
    const settled = new Set(msg.results.filter((r) => r.status === 0).map((r) => `${r.mediumId.toString('hex')}:${r.cardCounter}`));
    // Erase exactly the accepted records; rejected ones are dropped too (never payable), kept aside for the operator.
    const all = new Set(msg.results.map((r) => `${r.mediumId.toString('hex')}:${r.cardCounter}`));
    s.journal = s.journal.filter((r) => !all.has(`${r.mediumId.toString('hex')}:${r.cardCounter}`));
    const erased: RecordKey[] = msg.results.filter((r) => settled.has(`${r.mediumId.toString('hex')}:${r.cardCounter}`)).map((r) => ({ mediumId: r.mediumId, cardCounter: r.cardCounter }));
    return { type: 'settlementAck' as const, erased };
  };
}

/** The system clock moved forward on demand (the e-money timeouts are tested without waiting). */
export class ShiftedClock extends SystemClock {
  offsetMs = 0;
  override nowMs(): number {
    return super.nowMs() + this.offsetMs;
  }
}

/** CHARGE_REQUEST as a provider kiosk sends it: the PIN sealed into a format-2 block per session. */
export async function chargeRequest(link: LinkClient, txId: Buffer, account: AccountRef, pin: string, amountMinor: number) {
  const res = await link.request((s) => ({
    type: 'chargeRequest', transactionId: txId, amountMinor, currency: 'JPY', ...account,
    pinBlock: s.sealer.seal(TAG.PIN_BLOCK, pinBlockFormat2(pin)),
  }));
  if (res.type !== 'chargeResult') throw new Error(`got ${res.type}`);
  return res;
}

/** CHARGE_ABANDON as a provider kiosk sends it for a charge it gave up (answered by CHARGE_RESULT). */
export async function abandonRequest(link: LinkClient, txId: Buffer, account: AccountRef, amountMinor: number) {
  const res = await link.request({ type: 'chargeAbandon', transactionId: txId, amountMinor, currency: 'JPY', ...account });
  if (res.type !== 'chargeResult') throw new Error(`got ${res.type}`);
  return res;
}

export async function issueRequest(link: LinkClient, txId: Buffer, card: TestCard, counter: number, amountMinor: number, confirm?: { receipt: Buffer; balanceMinor: number }) {
  const res = await link.request({
    type: 'emoneyIssueRequest', transactionId: txId, mediumId: Buffer.from(card.cardId, 'hex'), cardCounter: counter, amountMinor, currency: 'JPY',
    ...(confirm && { creditReceipt: confirm.receipt, balanceMinor: confirm.balanceMinor }),
  });
  if (res.type !== 'emoneyIssueResult') throw new Error(`got ${res.type}`);
  return res;
}

/** The whole kiosk flow after an approved charge: read the card, get the host MAC, CREDIT, confirm with the receipt. */
export async function creditCard(link: LinkClient, txId: Buffer, card: TestCard, amountMinor: number) {
  await card.open();
  const { counter } = await card.read();
  const issued = await issueRequest(link, txId, card, counter, amountMinor);
  if (!issued.hostMac) return { issued, confirmed: undefined };
  const receipt = await card.credit(amountMinor, issued.hostMac);
  if (typeof receipt === 'number') throw new Error(`credit sw ${receipt.toString(16)}`);
  const confirmed = await issueRequest(link, txId, card, receipt.counter, amountMinor, { receipt: receipt.cardMac, balanceMinor: receipt.balanceMinor });
  return { issued, confirmed };
}

