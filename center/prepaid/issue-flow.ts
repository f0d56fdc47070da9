/**
 * PREPAID_ISSUE from a prepaid terminal (PROTOCOL.md §6.4, docs/PREPAID.md
 * "Money flows"): the terminal passes validity's gate, the payment is booked
 * in and the medium made in one unit of work (Prepaid.issue with a payment),
 * and the answer carries the medium id and generation 1's file. Idempotent by
 * TRANSACTION_ID: a retry answers the same medium and the same file.
 *
 * Cash: the notes ride in the request and are booked through the cash
 * module exactly as its CASH_NOTES_REPORT would (by note key, so the
 * agent's own report of them books nothing twice), then moved
 * cash-takings@T → prepaid@M; the cash box is emptied by the documented
 * collection. Purse: the card's debit record (RECORD) is checked (amount,
 * currency, this terminal, the card MAC, the card on the validity lists),
 * then in the same unit e-money stores it as paid and books
 * emoney-float → purse-takings@T (center/emoney/purse-payments.ts), and
 * prepaid moves purse-takings@T → prepaid@M (ISSUED_PURSE). Nothing is booked
 * for a refused record; a repeat of the id answers the same medium.
 */
import { STATUS } from '../../protocol/codes.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { PrepaidIssue, PrepaidIssueResult, TerminalRequest } from '../../protocol/messages/types.js';
import type { CashBook } from '../cash/cash.js';
import { cashTakings } from '../cash/ledger-map.js';
import type { PursePayments } from '../emoney/purse-payments.js';
import { RECORD_STATUS } from '../../protocol/codes.js';
import type { SessionHandler, SessionInfo } from '../net/types.js';
import type { CenterFlow } from '../server/session-router.js';
import type { ValidityGate } from '../validity/gate.js';
import type { IssuePayment, Prepaid } from './prepaid.js';
import { prepaidError } from './errors.js';
import { PREPAID_RESULT_CODES } from './result-codes.js';

export interface IssueFlowDeps {
  readonly prepaid: Prepaid;
  readonly gate: ValidityGate;
  /** The cash module's book, when it runs (cash payments are refused without it). */
  readonly cash?: CashBook;
  /** E-money's purse payments, when it runs (purse payments are refused without it). */
  readonly purses?: PursePayments;
  readonly currency: string;
  readonly log: Logger;
}

type Code = keyof typeof PREPAID_RESULT_CODES;
const hex = (b: Buffer): string => b.toString('hex');

export function prepaidIssueFlow(d: IssueFlowDeps): CenterFlow {
  return {
    handles: ['prepaidIssue'],
    open: (info: SessionInfo): SessionHandler => ({
      onRequest: (req: TerminalRequest) => {
        if (req.type !== 'prepaidIssue') throw new Error(`prepaid issue flow does not serve ${req.type}`);
        return serveIssue(d, info.terminalId, req);
      },
      onClose: () => undefined,
    }),
  };
}

export async function serveIssue(d: IssueFlowDeps, terminalId: string, req: PrepaidIssue): Promise<PrepaidIssueResult> {
  const declined = (code: Code, details: Record<string, unknown> = {}): PrepaidIssueResult => {
    d.log.warn({ terminalId, requestId: hex(req.transactionId), code, ...details }, 'prepaid issue refused');
    return { type: 'prepaidIssueResult', transactionId: req.transactionId, status: STATUS.DECLINED, resultCode: PREPAID_RESULT_CODES[code] };
  };
  const terminal = await d.gate.check({ terminalId });
  if (!terminal.ok) return declined('PREPAID_TERMINAL_INVALID', { reason: terminal.reason });
  const payment = req.purseRecord ? await purseOf(d, terminalId, req, req.purseRecord) : cashOf(d, terminalId, req);
  if (typeof payment === 'string') return declined(payment);
  if (Array.isArray(payment)) return declined(payment[0], payment[1]);
  if (d.cash && payment.kind === 'cash') {
    const ready = await d.cash.prepareNotes(terminalId, req.currency);
    if (!ready.ok) return declined('PREPAID_PAYMENT_INVALID', { cashCode: ready.code });
  }
  try {
    const r = await d.prepaid.issue({ requestId: hex(req.transactionId), amountMinor: req.amountMinor, currency: req.currency, terminalId }, payment);
    d.log.info({ terminalId, requestId: hex(req.transactionId), mediumId: r.mediumId, status: r.status, amountMinor: r.balanceMinor, payment: payment.kind }, 'prepaid medium issued');
    return {
      type: 'prepaidIssueResult', transactionId: req.transactionId, status: STATUS.APPROVED, resultCode: 0,
      issuedMediumId: Buffer.from(r.mediumId, 'hex'), ...(r.file && { prepaidInfo: r.file }), balanceMinor: r.balanceMinor,
    };
  } catch (e) {
    if (!(e instanceof TesseraError)) throw e;
    if (e.code in PREPAID_RESULT_CODES) return declined(e.code as Code, e.details ?? {});
    // The cash booking's own refusals (a note key booked with other fields, a bad amount): nothing was booked.
    if (e.code.startsWith('CASH_')) return declined('PREPAID_PAYMENT_INVALID', { cashCode: e.code, ...(e.details ?? {}) });
    throw e;
  }
}

/** The cash payment of the request, or the code refusing it before anything is booked. */
function cashOf(d: IssueFlowDeps, terminalId: string, req: PrepaidIssue): IssuePayment | Code {
  if (req.currency !== d.currency) return 'PREPAID_BAD_REQUEST';
  const cash = d.cash;
  if (!cash) return 'PREPAID_PAYMENT_INVALID';
  if (req.notes.some((n) => n.currency !== req.currency) || req.notes.reduce((s, n) => s + n.amountMinor, 0) !== req.amountMinor) return 'PREPAID_PAYMENT_MISMATCH';
  const notes = req.notes;
  return {
    kind: 'cash',
    refs: notes.map((n) => ({ ref: `${terminalId}/${hex(n.noteKey)}`, amountMinor: n.amountMinor })),
    book: async (tx) => {
      await cash.bookNotesWithin(tx, terminalId, notes);
      return cashTakings(terminalId);
    },
  };
}

type PurseRecord = NonNullable<PrepaidIssue['purseRecord']>;

/**
 * The purse payment of the request, or the code (and details) refusing it before anything is booked.
 * The record is bound to the issue by `<card>/<counter>` (prepaid_payments); inside the unit e-money
 * stores it as paid (a record it holds already: PREPAID_PAYMENT_USED, or INVALID for a clone's).
 */
async function purseOf(d: IssueFlowDeps, terminalId: string, req: PrepaidIssue, r: PurseRecord): Promise<IssuePayment | Code | [Code, Record<string, unknown>]> {
  if (req.currency !== d.currency) return 'PREPAID_BAD_REQUEST';
  const purses = d.purses;
  if (!purses) return ['PREPAID_PAYMENT_INVALID', { reason: 'no e-money module on this center' }];
  const cardId = hex(r.mediumId);
  const checked = await purses.check(terminalId, r, req.amountMinor, req.currency);
  if (!checked.ok) {
    const details = { cardId, cardCounter: r.cardCounter, reason: checked.refusal, ...(checked.reason && { cardReason: checked.reason }) };
    return [checked.refusal === 'MISMATCH' ? 'PREPAID_PAYMENT_MISMATCH' : 'PREPAID_PAYMENT_INVALID', details];
  }
  const requestId = hex(req.transactionId);
  return {
    kind: 'purse',
    refs: [{ ref: `${cardId}/${r.cardCounter}`, amountMinor: r.amountMinor }],
    book: async (tx) => {
      const booked = await purses.bookWithin(tx, terminalId, r, requestId);
      if (booked.ok) return booked.account;
      const code: Code = booked.status === RECORD_STATUS.DUPLICATE ? 'PREPAID_PAYMENT_USED' : 'PREPAID_PAYMENT_INVALID';
      throw prepaidError(code, 'e-money holds this purse record already', { cardId, cardCounter: r.cardCounter, recordStatus: booked.status });
    },
  };
}
