import { TesseraError } from '../../core/errors.js';
import { buildCommandApdu, parseCommandApdu, type CommandApdu } from './apdu.js';
import { CLA_ISO, CLA_PURSE, INS, PURSE_AID, PURSE_LIMITS, PURSE_SIZES, TERMINAL_ID_PATTERN } from './constants.js';
import { SW } from './status-words.js';

/** The purse application's commands, one variant per instruction (see constants.ts for the table). */
export type PurseCommand =
  | { readonly kind: 'select'; readonly aid: Buffer }
  | { readonly kind: 'verifyPin'; readonly pin: string | null }
  | { readonly kind: 'readId' }
  | { readonly kind: 'readPurse' }
  | { readonly kind: 'credit'; readonly amountMinor: number; readonly hostMac: Buffer }
  | { readonly kind: 'debit'; readonly amountMinor: number; readonly terminalId: string; readonly terminalNonce: Buffer };

export type DecodedCommand = { readonly ok: true; readonly command: PurseCommand } | { readonly ok: false; readonly sw: number };

const PIN_PATTERN = new RegExp(`^[0-9]{${PURSE_SIZES.pinDigitsMin},${PURSE_SIZES.pinDigitsMax}}$`);

function badArgument(message: string): TesseraError {
  return new TesseraError('PURSE_BAD_ARGUMENT', message);
}

function checkAmount(amountMinor: number): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 1) throw badArgument('amountMinor must be a safe integer >= 1');
}

/** Terminal id as the card sees it: ASCII, zero-padded to 16 bytes. */
export function encodeTerminalId(terminalId: string): Buffer {
  if (!TERMINAL_ID_PATTERN.test(terminalId)) throw badArgument('terminal id must be 1-16 of [A-Z0-9-]');
  const out = Buffer.alloc(PURSE_SIZES.terminalIdBytes);
  out.write(terminalId, 'ascii');
  return out;
}

/** The inverse of encodeTerminalId, or null when the bytes are not a valid padded terminal id. */
export function decodeTerminalId(bytes: Buffer): string | null {
  const end = bytes.indexOf(0);
  const text = bytes.subarray(0, end < 0 ? bytes.length : end).toString('latin1');
  if (end >= 0 && bytes.subarray(end).some((b) => b !== 0)) return null;
  return TERMINAL_ID_PATTERN.test(text) ? text : null;
}

function u64(n: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(n));
  return out;
}

/** Encodes one command as a short APDU (terminal / test side). Throws PURSE_BAD_ARGUMENT on bad fields. */
export function encodeCommand(command: PurseCommand): Buffer {
  switch (command.kind) {
    case 'select':
      return buildCommandApdu(CLA_ISO, INS.select, 0x04, 0x00, command.aid, 0x00);
    case 'verifyPin':
      if (command.pin !== null && !PIN_PATTERN.test(command.pin)) throw badArgument('PIN must be 4-8 digits');
      return buildCommandApdu(CLA_ISO, INS.verifyPin, 0x00, 0x01, Buffer.from(command.pin ?? '', 'ascii'), null);
    case 'readId':
      return buildCommandApdu(CLA_PURSE, INS.readId, 0x00, 0x00, Buffer.alloc(0), PURSE_SIZES.cardIdBytes);
    case 'readPurse':
      return buildCommandApdu(CLA_PURSE, INS.readPurse, 0x00, 0x00, Buffer.alloc(0), PURSE_SIZES.purseBytes);
    case 'credit':
      checkAmount(command.amountMinor);
      if (command.hostMac.length !== PURSE_SIZES.macBytes) throw badArgument('host MAC must be 8 bytes');
      return buildCommandApdu(CLA_PURSE, INS.credit, 0, 0, Buffer.concat([u64(command.amountMinor), command.hostMac]), PURSE_SIZES.receiptBytes);
    case 'debit': {
      checkAmount(command.amountMinor);
      if (command.terminalNonce.length !== PURSE_SIZES.terminalNonceBytes) throw badArgument('terminal nonce must be 8 bytes');
      const data = Buffer.concat([u64(command.amountMinor), encodeTerminalId(command.terminalId), command.terminalNonce]);
      return buildCommandApdu(CLA_PURSE, INS.debit, 0, 0, data, PURSE_SIZES.receiptBytes);
    }
  }
}

/** Decodes a C-APDU on the card side: the command, or the status word to answer. */
export function decodeCommand(bytes: Buffer): DecodedCommand {
  const parsed = parseCommandApdu(bytes);
  if (!parsed.ok) return parsed;
  const apdu = parsed.apdu;
  const expectedCla = apdu.ins === INS.select || apdu.ins === INS.verifyPin ? CLA_ISO : CLA_PURSE;
  if (!Object.values(INS).includes(apdu.ins as (typeof INS)[keyof typeof INS])) return { ok: false, sw: SW.insNotSupported };
  if (apdu.cla !== expectedCla) return { ok: false, sw: SW.claNotSupported };
  switch (apdu.ins) {
    case INS.select:
      return decodeSelect(apdu);
    case INS.verifyPin:
      return decodeVerify(apdu);
    case INS.readId:
    case INS.readPurse:
      return decodeNoData(apdu, apdu.ins === INS.readId ? 'readId' : 'readPurse');
    case INS.credit:
      return decodeCredit(apdu);
    default:
      return decodeDebit(apdu);
  }
}

function decodeSelect(apdu: CommandApdu): DecodedCommand {
  if (apdu.p1 !== 0x04 || apdu.p2 !== 0x00) return { ok: false, sw: SW.wrongP1P2 };
  if (apdu.data.length === 0) return { ok: false, sw: SW.wrongLength };
  return { ok: true, command: { kind: 'select', aid: apdu.data } };
}

function decodeVerify(apdu: CommandApdu): DecodedCommand {
  if (apdu.p1 !== 0x00 || apdu.p2 !== 0x01) return { ok: false, sw: SW.wrongP1P2 };
  if (apdu.data.length === 0) return { ok: true, command: { kind: 'verifyPin', pin: null } };
  const pin = apdu.data.toString('latin1');
  if (!PIN_PATTERN.test(pin)) return { ok: false, sw: SW.wrongData };
  return { ok: true, command: { kind: 'verifyPin', pin } };
}

function decodeNoData(apdu: CommandApdu, kind: 'readId' | 'readPurse'): DecodedCommand {
  if (apdu.p1 !== 0 || apdu.p2 !== 0) return { ok: false, sw: SW.wrongP1P2 };
  if (apdu.data.length !== 0) return { ok: false, sw: SW.wrongLength };
  return { ok: true, command: { kind } };
}

function decodeAmount(bytes: Buffer): number | null {
  const value = bytes.readBigUInt64BE(0);
  return value >= 1n && value <= BigInt(PURSE_LIMITS.balanceMinorMax) ? Number(value) : null;
}

function decodeCredit(apdu: CommandApdu): DecodedCommand {
  if (apdu.p1 !== 0 || apdu.p2 !== 0) return { ok: false, sw: SW.wrongP1P2 };
  if (apdu.data.length !== PURSE_SIZES.creditDataBytes) return { ok: false, sw: SW.wrongLength };
  const amountMinor = decodeAmount(apdu.data);
  if (amountMinor === null) return { ok: false, sw: SW.wrongData };
  return { ok: true, command: { kind: 'credit', amountMinor, hostMac: Buffer.from(apdu.data.subarray(8, 16)) } };
}

function decodeDebit(apdu: CommandApdu): DecodedCommand {
  if (apdu.p1 !== 0 || apdu.p2 !== 0) return { ok: false, sw: SW.wrongP1P2 };
  if (apdu.data.length !== PURSE_SIZES.debitDataBytes) return { ok: false, sw: SW.wrongLength };
  const amountMinor = decodeAmount(apdu.data);
  const terminalId = decodeTerminalId(apdu.data.subarray(8, 24));
  if (amountMinor === null || terminalId === null) return { ok: false, sw: SW.wrongData };
  return { ok: true, command: { kind: 'debit', amountMinor, terminalId, terminalNonce: Buffer.from(apdu.data.subarray(24, 32)) } };
}

/** The SELECT command for the Tessera purse. */
export function selectPurseCommand(): PurseCommand {
  return { kind: 'select', aid: PURSE_AID };
}
