import type { Logger } from '../../core/log.js';
import type { Random } from '../../core/random.js';
import { STATUS } from '../../protocol/codes.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import type { CenterResponse } from '../../protocol/messages/types.js';
import type { BillValidator, Note } from '../devices/bill-validator.js';
import type { Journal } from '../journal/journal.js';
import type { CashNoteToBook } from '../journal/types.js';
import { AGENT_LIMITS } from '../limits.js';
import type { AgentLink } from './agent-link.js';
import { termError } from './errors.js';
import { errorOutcome } from './outcomes.js';
import type { AgentReport, FlowOutcome, Role, RoleContext } from './role.js';

/** The operator command that empties the cash box (`command cash-collect` on the terminal's stdin). */
export const CASH_COLLECT = 'cash-collect';

/**
 * Every validator event is somebody's business: a stacked note is journalled
 * (durable, in the cash box account of this terminal) before it is reported
 * `accepted`; a rejected note, a jam, a full or removed cash box, a fraud
 * attempt are reported as coded `cash` outcomes. These events come from the
 * device, not from a flow, so they are reported outside the work queue.
 */
export function watchValidator(v: BillValidator, journal: Journal, log: Logger, report: (r: AgentReport) => void, stacked: () => void = () => undefined): void {
  v.on('accepted', (note) => {
    const details = { event: 'accepted', billType: note.billType, noteId: note.noteId, amountMinor: note.valueMinor, currency: note.currency };
    try {
      const cashBox = journal.noteStacked({ billType: note.billType, noteId: note.noteId, amountMinor: note.valueMinor, currency: note.currency });
      report({ trigger: 'cash', result: 'done', code: null, details: { ...details, cashBox } });
      stacked();
    } catch (e) {
      // The money is in the cash box but not in the journal: the collection count will show it.
      log.error({ ...details, code: errorOutcome(e).code }, 'stacked note not journalled');
      report({ trigger: 'cash', ...errorOutcome(e), details: { ...(errorOutcome(e).details ?? {}), ...details } });
    }
  });
  v.on('rejected', (r) => report({ trigger: 'cash', result: 'refused', code: r.code, details: { event: 'rejected', cctalkEvent: r.event } }));
  v.on('fault', (f) => report({ trigger: 'cash', result: 'error', code: f.code, details: { event: 'fault', cctalkEvent: f.event, ...(f.details ?? {}) } }));
  v.on('returned', (n) => log.info({ noteId: n.noteId }, 'note returned from escrow'));
  v.on('cashBox', (c) => log.info({ state: c.state, code: c.code }, 'cash box'));
  v.on('status', (s) => log.info({ device: s.device, code: s.code }, 'bill validator'));
}

/** The flow of a note held in escrow: the role decides; a role that takes no cash has it returned. */
export async function escrowFlow(ctx: RoleContext, role: Role, v: BillValidator, note: Note): Promise<FlowOutcome> {
  const decision = role.onNoteInEscrow ? await role.onNoteInEscrow(ctx, note) : 'return';
  const details = { event: 'escrow', noteId: note.noteId, amountMinor: note.valueMinor, currency: note.currency };
  if (decision === 'stack') {
    await v.stack();
    return { result: 'done', code: null, details: { ...details, routed: 'stacked' } };
  }
  await v.return();
  return { result: 'declined', code: null, details: { ...details, routed: 'returned' } };
}

/**
 * Cash collection: the operator takes the cash box content out. Every note
 * journalled since the last collection is assigned to a new collection id
 * and its totals recorded (one journal transaction); the outcome carries
 * them, for the collector's slip. The outbox pass then books it at the
 * center (bookCash), cash-box@<terminal> → cash-collected@<terminal>.
 */
export function collectCash(ctx: RoleContext): FlowOutcome {
  if (!ctx.devices.validator) throw termError('TERM_NOT_SUPPORTED', 'this terminal has no bill validator', { command: CASH_COLLECT });
  const collection = ctx.journal.collectCash(ctx.random.bytes(16).toString('hex'));
  if (!collection) return { result: 'refused', code: 'TERM_CASHBOX_EMPTY', details: { command: CASH_COLLECT } };
  ctx.log.info({ collectionId: collection.collectionId, content: collection.content }, 'cash collected');
  return { result: 'done', code: null, details: { command: CASH_COLLECT, collectionId: collection.collectionId, content: collection.content } };
}

/**
 * Books the cash box at the center (center/cash/README.md): unanswered notes
 * from the journal in CASH_NOTES_REPORT batches (their keys make a repeat
 * harmless), then each unanswered collection whose notes are all answered,
 * in CASH_COLLECTION. Each answer is written to the journal (booked_at_ms,
 * book_code) as it comes; an unanswered request leaves the rows as they
 * were, to be sent again with the same keys on the next outbox pass. A
 * refused batch is split into single notes so a refusal marks only the note
 * it names. Returns the notes and collections still unanswered.
 */
export async function bookCash(d: { journal: Journal; link: AgentLink; random: Random; log: Logger }): Promise<number> {
  if (d.journal.cashUnbookedCount() === 0 || !d.link.isUp) return d.journal.cashUnbookedCount();
  for (let pass = 0; pass < AGENT_LIMITS.cashReportPassesMax; pass++) {
    const notes = d.journal.cashNotesUnbooked(PROTOCOL_LIMITS.notesPerReportMax);
    if (notes.length === 0) break;
    const code = await reportNotes(d, notes);
    if (code === 0 || notes.length === 1) {
      d.journal.cashNotesAnswered(notes.map((n) => n.noteKey), code);
      if (code !== 0) d.log.error({ noteKey: notes[0]!.noteKey, bookCode: code }, 'center refused to book a stacked note');
      continue;
    }
    for (const n of notes) {
      const one = await reportNotes(d, [n]);
      d.journal.cashNotesAnswered([n.noteKey], one);
      if (one !== 0) d.log.error({ noteKey: n.noteKey, bookCode: one }, 'center refused to book a stacked note');
    }
  }
  for (const c of d.journal.cashCollectionsUnbooked(AGENT_LIMITS.cashReportPassesMax)) {
    if (c.notesUnanswered > 0) continue;
    if (c.noteKeys.length > PROTOCOL_LIMITS.notesPerCollectionMax) {
      d.log.error({ collectionId: c.collectionId, notes: c.noteKeys.length, max: PROTOCOL_LIMITS.notesPerCollectionMax }, 'cash collection too large to book: count it in by hand');
      continue;
    }
    const r = await d.link.request(
      () => ({ type: 'cashCollection', transactionId: Buffer.from(c.collectionId, 'hex'), currency: c.currency, noteCount: c.notes, amountMinor: c.amountMinor, noteKeys: c.noteKeys.map((k) => Buffer.from(k, 'hex')) }),
      { onFailure: 'TERM_TX_UNANSWERED' },
    );
    const code = resultOf(r);
    // A note the center does not know yet (answered elsewhere, e.g. a restored center): sent again later.
    if (code === CASH_NOTE_UNKNOWN) continue;
    d.journal.cashCollectionAnswered(c.collectionId, c.currency, code);
    if (code === 0) d.log.info({ collectionId: c.collectionId, currency: c.currency, amountMinor: c.amountMinor }, 'cash collection booked');
    else d.log.error({ collectionId: c.collectionId, currency: c.currency, bookCode: code }, 'center refused the cash collection');
  }
  return d.journal.cashUnbookedCount();
}

/** CASH_RESULT code for CASH_NOTE_UNKNOWN (PROTOCOL.md §6.7). */
const CASH_NOTE_UNKNOWN = 0x0a04;

async function reportNotes(d: { link: AgentLink; random: Random }, notes: readonly CashNoteToBook[]): Promise<number> {
  const transactionId = d.random.bytes(16);
  const r = await d.link.request(
    () => ({ type: 'cashNotesReport', transactionId, notes: notes.map((n) => ({ noteKey: Buffer.from(n.noteKey, 'hex'), amountMinor: n.amountMinor, currency: n.currency, stackedAtMs: n.stackedAtMs })) }),
    { onFailure: 'TERM_TX_UNANSWERED' },
  );
  return resultOf(r);
}

function resultOf(r: CenterResponse): number {
  if (r.type !== 'cashResult') throw termError('TERM_ROLE_FAILED', 'unexpected answer to a cash report', { answer: r.type });
  return r.status === STATUS.APPROVED ? 0 : Math.max(1, r.resultCode);
}
