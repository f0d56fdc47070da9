/**
 * The prepaid terminal (seed 000): takes the customer's cash through the
 * bill validator (each stacked note journalled by the agent before it
 * counts), and on the `issue` command asks the prepaid center for a medium
 * paid with those notes and writes generation 1 onto the medium in the
 * drive (issue.ts); or, with the customer's purse card inserted, debits it
 * for the keyed amount and asks for a medium paid by the card's record
 * (purse.ts). Devices: the validator (enabled while the role runs), the
 * card reader (purse), the removable store (its insertions and removals
 * reported).
 */
import { PROTOCOL_LIMITS } from '../../../../protocol/limits.js';
import type { Note } from '../../../devices/bill-validator.js';
import type { RoleFactory } from '../../role.js';
import { termError } from '../../errors.js';
import { PREPAID_ISSUER } from './entry.js';
import { issueForCash, recoverIssue } from './issue.js';
import { issueForPurse } from './purse.js';
import { parsePrepaidIssuerSettings } from './settings.js';

export { PREPAID_ISSUER };

export const prepaidIssuerRole: RoleFactory = (config) => {
  const s = parsePrepaidIssuerSettings(config.roleSettings);
  let detach: (() => void) | null = null;
  return {
    name: PREPAID_ISSUER,
    apps: ['purse'],
    onCardInserted: (ctx, card) => issueForPurse(ctx, card, s),
    start: async (ctx) => {
      const store = ctx.devices.store;
      if (store) {
        // Every store event is reported in the log; a pending write is repeated by the outbox pass once a medium is in.
        const inserted = (): void => ctx.log.info({ device: 'store', event: 'inserted' }, 'medium inserted');
        const removed = (): void => ctx.log.info({ device: 'store', event: 'removed' }, 'medium removed');
        store.on('inserted', inserted);
        store.on('removed', removed);
        detach = () => {
          store.off('inserted', inserted);
          store.off('removed', removed);
        };
      }
      await ctx.devices.validator?.enable();
    },
    stop: async () => {
      detach?.();
    },
    onNoteInEscrow: async (ctx, note: Note) => {
      if (note.currency !== s.currency) return 'return';
      // One issue carries at most one report's worth of notes (PREPAID_ISSUE's CASH_NOTE list).
      const held = ctx.journal.cashNotesUncredited(PROTOCOL_LIMITS.notesPerReportMax);
      if (held.length >= PROTOCOL_LIMITS.notesPerReportMax) return 'return';
      return held.reduce((t, n) => t + n.amountMinor, 0) + note.valueMinor <= s.amountMinorMax ? 'stack' : 'return';
    },
    onCommand: async (ctx, cmd) => {
      if (cmd.name === 'issue') return issueForCash(ctx, s);
      throw termError('TERM_NOT_SUPPORTED', `prepaid-issuer has no command ${cmd.name}`, { command: cmd.name });
    },
    recover: (ctx, entry) => recoverIssue(ctx, entry),
  };
};
