import type { Logger } from '../../core/log.js';
import type { BillValidator, Note } from '../devices/bill-validator.js';
import type { Journal } from '../journal/journal.js';
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
export function watchValidator(v: BillValidator, journal: Journal, log: Logger, report: (r: AgentReport) => void): void {
  v.on('accepted', (note) => {
    const details = { event: 'accepted', billType: note.billType, noteId: note.noteId, amountMinor: note.valueMinor, currency: note.currency };
    try {
      const cashBox = journal.noteStacked({ billType: note.billType, noteId: note.noteId, amountMinor: note.valueMinor, currency: note.currency });
      report({ trigger: 'cash', result: 'done', code: null, details: { ...details, cashBox } });
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
 * them, for the collector's slip. The center books the collection from the
 * terminal's cash-box account (next step: see terminal/agent/ROLES.md).
 */
export function collectCash(ctx: RoleContext): FlowOutcome {
  if (!ctx.devices.validator) throw termError('TERM_NOT_SUPPORTED', 'this terminal has no bill validator', { command: CASH_COLLECT });
  const collection = ctx.journal.collectCash(ctx.random.bytes(16).toString('hex'));
  if (!collection) return { result: 'refused', code: 'TERM_CASHBOX_EMPTY', details: { command: CASH_COLLECT } };
  ctx.log.info({ collectionId: collection.collectionId, content: collection.content }, 'cash collected');
  return { result: 'done', code: null, details: { command: CASH_COLLECT, collectionId: collection.collectionId, content: collection.content } };
}
