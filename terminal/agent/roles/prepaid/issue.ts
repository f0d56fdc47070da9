/**
 * One issue at the prepaid terminal (ROLES.md, "Prepaid issuer"): the
 * customer's notes are credited to a new request and the request journalled
 * in one journal transaction, PREPAID_ISSUE goes out, the answer's medium id
 * is journalled, generation 1's file is written into a slot of the medium in
 * the drive, and the entry is closed. A lost answer, a crash, or no medium
 * leaves the entry open: recover() sends the same request again (the center
 * answers the same file) and writes it.
 */
import { STATUS } from '../../../../protocol/codes.js';
import { errorCode } from '../../../../core/errors.js';
import { PROTOCOL_LIMITS } from '../../../../protocol/limits.js';
import type { OutboxEntry } from '../../../journal/types.js';
import type { FlowOutcome, RecoverResult, RoleContext } from '../../role.js';
import { termError } from '../../errors.js';
import type { PurchaseRecord } from '../../../../protocol/messages/types.js';
import { decodeEntry, encodeEntry, ISSUE_KIND, PREPAID_ISSUER, type IssueEntry, type PurseRecordEntry } from './entry.js';
import { writeIssuedFile } from './medium-writer.js';
import { prepaidResultName } from './result-codes.js';
import type { PrepaidIssuerSettings } from './settings.js';

/** Credits the customer's notes to a new issue (journalled first), then completes it. */
export async function issueForCash(ctx: RoleContext, s: PrepaidIssuerSettings): Promise<FlowOutcome> {
  const notes = ctx.journal.cashNotesUncredited(PROTOCOL_LIMITS.notesPerReportMax).filter((n) => n.currency === s.currency);
  if (notes.length === 0) return { result: 'refused', code: 'TERM_PREPAID_NO_PAYMENT', details: { command: 'issue' } };
  const transactionId = ctx.random.bytes(16).toString('hex');
  const entry: IssueEntry = { v: 1, amountMinor: notes.reduce((t, n) => t + n.amountMinor, 0), currency: s.currency, notes, stage: 'requested' };
  const journalled = ctx.journal.creditCashNotes(notes.map((n) => n.noteKey), { transactionId, role: PREPAID_ISSUER, kind: ISSUE_KIND, payload: encodeEntry(entry) });
  ctx.log.info({ transactionId, amountMinor: entry.amountMinor, notes: notes.length }, 'prepaid issue journalled');
  return complete(ctx, journalled);
}

/** Sends the journalled issue (again, with its id) and writes the answer's file. */
export async function complete(ctx: RoleContext, journalled: OutboxEntry): Promise<FlowOutcome> {
  const transactionId = journalled.transactionId;
  const e = decodeEntry(journalled);
  const paid = e.purse ? { payment: 'purse', cardId: e.purse.cardId, cardCounter: e.purse.cardCounter } : { payment: 'cash', notes: e.notes.length };
  const base = { transactionId, details: { amountMinor: e.amountMinor, currency: e.currency, ...paid } };
  const r = await ctx.link.request(() => ({
    type: 'prepaidIssue', transactionId: Buffer.from(transactionId, 'hex'), amountMinor: e.amountMinor, currency: e.currency,
    notes: e.notes.map((n) => ({ noteKey: Buffer.from(n.noteKey, 'hex'), amountMinor: n.amountMinor, currency: n.currency, stackedAtMs: n.stackedAtMs })),
    ...(e.purse && { purseRecord: purseRecordOf(e.purse) }),
  }), { onFailure: 'TERM_TX_UNANSWERED' });
  if (r.type !== 'prepaidIssueResult') throw termError('TERM_ROLE_FAILED', 'unexpected answer to a prepaid issue', { answer: r.type });
  if (r.status !== STATUS.APPROVED) {
    ctx.journal.outboxSet(transactionId, 'done', r.resultCode);
    ctx.log.warn({ transactionId, reason: prepaidResultName(r.resultCode) }, 'prepaid issue refused');
    // The card was debited: its signed record stays in this (closed) entry, the holder is owed it (ROLES.md).
    if (e.purse) ctx.log.warn({ transactionId, cardId: e.purse.cardId, cardCounter: e.purse.cardCounter, owedMinor: e.amountMinor }, 'purse debited, issue refused: the holder is owed the amount');
    return { ...base, result: 'refused', code: 'TERM_PREPAID_REFUSED', details: { ...base.details, reason: prepaidResultName(r.resultCode), resultCode: r.resultCode } };
  }
  const mediumId = r.issuedMediumId?.toString('hex');
  if (mediumId === undefined) throw termError('TERM_ROLE_FAILED', 'an approved issue without its medium id', { transactionId });
  if (e.stage !== 'answered') ctx.journal.outboxUpdate(transactionId, { payload: encodeEntry({ ...e, stage: 'answered', mediumId }) });
  const out = { ...base, mediumId, details: { ...base.details, balanceMinor: r.balanceMinor ?? e.amountMinor } };
  if (!r.prepaidInfo) {
    // Generation 1 is superseded: the medium was written and used already (this entry's write was not recorded).
    ctx.journal.outboxSet(transactionId, 'done', 0);
    return { ...out, result: 'approved', code: null, details: { ...out.details, written: 'earlier' } };
  }
  const store = ctx.devices.store;
  try {
    if (!store) throw termError('TERM_NOT_SUPPORTED', 'this terminal has no removable store', {});
    const w = await writeIssuedFile(store, mediumId, r.prepaidInfo);
    ctx.journal.outboxSet(transactionId, 'done', 0);
    ctx.log.info({ transactionId, mediumId, slot: w.slot, wrote: w.wrote }, 'prepaid medium written');
    return { ...out, result: 'approved', code: null, details: { ...out.details, slot: w.slot, wrote: w.wrote } };
  } catch (err) {
    const code = errorCode(err);
    ctx.log.warn({ transactionId, mediumId, code }, 'prepaid medium issued, file not written yet: put a blank medium in the drive');
    return { ...out, result: 'error', code: 'TERM_PREPAID_NOT_WRITTEN', details: { ...out.details, reason: code } };
  }
}

function purseRecordOf(p: PurseRecordEntry): PurchaseRecord {
  return {
    mediumId: Buffer.from(p.cardId, 'hex'), cardCounter: p.cardCounter, amountMinor: p.amountMinor, currency: p.currency, terminalId: p.terminalId,
    terminalNonce: Buffer.from(p.terminalNonce, 'hex'), cardMac: Buffer.from(p.cardMac, 'hex'),
  };
}

/** The outbox repeat: waits for a medium when the answer is in and none is in the drive; else sends again and writes. */
export async function recoverIssue(ctx: RoleContext, entry: OutboxEntry): Promise<RecoverResult> {
  if (entry.kind !== ISSUE_KIND) return 'abandoned';
  const e = decodeEntry(entry);
  if (e.stage === 'answered' && ctx.devices.store && (await ctx.devices.store.status()).media !== 'present') return 'waiting';
  const out = await complete(ctx, entry);
  return out.result === 'error' ? 'retry' : 'done';
}
