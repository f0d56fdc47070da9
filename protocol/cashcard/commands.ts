import { buildCommandApdu, parseCommandApdu, type CommandApdu } from '../purse/apdu.js';
import { SW } from '../purse/status-words.js';
import { CASH_CARD_AID, CASH_CARD_SIZES, CASH_INS, CASH_CLA, CASH_CLA_ISO } from './constants.js';

/** The cash card application's commands. */
export type CashCardCommand = { readonly kind: 'select'; readonly aid: Buffer } | { readonly kind: 'readAccount' };

export type DecodedCashCardCommand = { readonly ok: true; readonly command: CashCardCommand } | { readonly ok: false; readonly sw: number };

/** SELECT of the cash card application. */
export function selectCashCardCommand(): CashCardCommand {
  return { kind: 'select', aid: CASH_CARD_AID };
}

/** Encodes one command as a short APDU (terminal side). */
export function encodeCashCardCommand(command: CashCardCommand): Buffer {
  if (command.kind === 'select') return buildCommandApdu(CASH_CLA_ISO, CASH_INS.select, 0x04, 0x00, command.aid, 0x00);
  return buildCommandApdu(CASH_CLA, CASH_INS.readAccount, 0x00, 0x00, Buffer.alloc(0), CASH_CARD_SIZES.accountBytes);
}

/** Decodes a C-APDU on the card side: the command, or the status word to answer (6700, 6A86, 6D00, 6E00). */
export function decodeCashCardCommand(bytes: Buffer): DecodedCashCardCommand {
  const parsed = parseCommandApdu(bytes);
  if (!parsed.ok) return parsed;
  const apdu = parsed.apdu;
  if (apdu.ins !== CASH_INS.select && apdu.ins !== CASH_INS.readAccount) return { ok: false, sw: SW.insNotSupported };
  const expectedCla = apdu.ins === CASH_INS.select ? CASH_CLA_ISO : CASH_CLA;
  if (apdu.cla !== expectedCla) return { ok: false, sw: SW.claNotSupported };
  return apdu.ins === CASH_INS.select ? decodeSelect(apdu) : decodeReadAccount(apdu);
}

function decodeSelect(apdu: CommandApdu): DecodedCashCardCommand {
  if (apdu.p1 !== 0x04 || apdu.p2 !== 0x00) return { ok: false, sw: SW.wrongP1P2 };
  if (apdu.data.length === 0) return { ok: false, sw: SW.wrongLength };
  return { ok: true, command: { kind: 'select', aid: apdu.data } };
}

function decodeReadAccount(apdu: CommandApdu): DecodedCashCardCommand {
  if (apdu.p1 !== 0 || apdu.p2 !== 0) return { ok: false, sw: SW.wrongP1P2 };
  if (apdu.data.length !== 0) return { ok: false, sw: SW.wrongLength };
  return { ok: true, command: { kind: 'readAccount' } };
}
