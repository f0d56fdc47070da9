/**
 * The voucher POS's journal entries (outbox): a sale (`activation`) and a
 * void (`void`), each written before its request leaves. A sale whose answer
 * never came becomes a reversal (state `reverse`); reversals and voids are
 * repeated until the HQ answers, never given up (their tries are counted in
 * the payload, so the outbox's attempt limit does not close them).
 */
import type { Journal } from '../../../journal/journal.js';
import { VOUCHER_POS } from './names.js';

export interface SalePayload {
  readonly stage: 'requested' | 'reversing';
  readonly serial: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly tries: number;
  readonly cause?: string;
  readonly lastError?: string;
}

export interface VoidPayload {
  /** The sale being cancelled. */
  readonly originalId: string;
  readonly serial: string;
  readonly amountMinor: number;
  readonly tries: number;
  readonly lastError?: string;
}

const buf = (p: object): Buffer => Buffer.from(JSON.stringify(p));

export function journalSale(j: Journal, id: string, p: SalePayload): void {
  j.outboxAdd({ transactionId: id, role: VOUCHER_POS, kind: 'activation', payload: buf(p) });
}

export function toReversal(j: Journal, id: string, p: SalePayload, cause: string): SalePayload {
  const next: SalePayload = { ...p, stage: 'reversing', cause };
  j.outboxUpdate(id, { payload: buf(next), state: 'reverse' });
  return next;
}

export function journalVoid(j: Journal, id: string, p: VoidPayload): void {
  j.outboxAdd({ transactionId: id, role: VOUCHER_POS, kind: 'void', payload: buf(p) });
}

/** Counts a failed repeat in the payload (the entry stays open). */
export function failedTry<P extends { tries: number; lastError?: string }>(j: Journal, id: string, p: P, code: string): void {
  j.outboxUpdate(id, { payload: buf({ ...p, tries: p.tries + 1, lastError: code }) });
}

export function parsePayload<P>(raw: Buffer): P {
  return JSON.parse(raw.toString('utf8')) as P;
}
