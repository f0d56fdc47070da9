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
 * collection. Purse: refused PREPAID_PAYMENT_INVALID until e-money exposes a
 * record settlement inside another module's unit (docs/PREPAID.md).
 */
import { STATUS } from '../../protocol/codes.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { PrepaidIssue, PrepaidIssueResult, TerminalRequest } from '../../protocol/messages/types.js';
import type { CashBook } from '../cash/cash.js';
import { cashTakings } from '../cash/ledger-map.js';
import type { SessionHandler, SessionInfo } from '../net/types.js';
import type { CenterFlow } from '../server/session-router.js';
import type { ValidityGate } from '../validity/gate.js';
import type { IssuePayment, Prepaid } from './prepaid.js';
import { PREPAID_RESULT_CODES } from './result-codes.js';

export interface IssueFlowDeps {
  readonly prepaid: Prepaid;
  readonly gate: ValidityGate;
  /** The cash module's book, when it runs (cash payments are refused without it). */
  readonly cash?: CashBook;
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
  const payment = paymentOf(d, terminalId, req);
  if (typeof payment === 'string') return declined(payment);
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

/** The payment of the request, or the code refusing it before anything is booked. */
function paymentOf(d: IssueFlowDeps, terminalId: string, req: PrepaidIssue): IssuePayment | Code {
  if (req.currency !== d.currency) return 'PREPAID_BAD_REQUEST';
  if (req.purseRecord) return 'PREPAID_PAYMENT_INVALID';
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
