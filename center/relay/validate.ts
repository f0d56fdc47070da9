import type { AccountRef, BankTransferRequest } from './types.js';

const ID_RE = /^[0-9a-f]{32}$/;

export function validAccount(a: AccountRef): boolean {
  return /^[0-9]{4}$/.test(a.bankCode) && /^[0-9]{3}$/.test(a.branchCode) && /^[0-9]{7}$/.test(a.accountNumber);
}

export function validTransferId(id: string): boolean {
  return ID_RE.test(id) && !/^0+$/.test(id);
}

/** Shape checks shared by the relay and the bank hosts (bad input is a coded decline, never a crash). */
export function validTransfer(r: BankTransferRequest): boolean {
  return (
    validTransferId(r.transferId) &&
    validAccount(r.from) &&
    validAccount(r.to) &&
    Number.isSafeInteger(r.amountMinor) &&
    r.amountMinor > 0 &&
    /^[A-Z]{3}$/.test(r.currency) &&
    /^[0-9]{4,12}$/.test(r.pin)
  );
}

export function accountText(a: AccountRef): string {
  return `${a.bankCode}-${a.branchCode}-${a.accountNumber}`;
}
