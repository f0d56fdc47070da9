import { z } from 'zod';
import { CENTER_LIMITS } from '../limits.js';
import { ACCOUNT_KINDS } from '../ledger/types.js';
import { MEDIUM_STATUSES, OWNER_KINDS, TERMINAL_STATUSES } from '../validity/records.js';

// Shapes only: the ledger and the storage check values and answer with their own codes.
const text = (max: number) => z.string().max(max);
const events = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(CENTER_LIMITS.adminEventsPerRequestMax);

export const accountSchema = z
  .object({
    id: text(64),
    owner: text(64),
    institution: text(8).nullable().optional(),
    kind: z.enum(ACCOUNT_KINDS),
    currency: text(3),
    flags: z.object({ debitsMustNotExceedCredits: z.boolean().optional(), creditsMustNotExceedDebits: z.boolean().optional() }).strict().optional(),
    reference: text(CENTER_LIMITS.ledgerReferenceCharsMax).optional(),
  })
  .strict();

export const transferSchema = z
  .object({
    id: text(32),
    debitAccountId: text(64).optional(),
    creditAccountId: text(64).optional(),
    amountMinor: z.number().optional(),
    currency: text(3).optional(),
    flags: z.object({ pending: z.boolean().optional(), postPending: z.boolean().optional(), voidPending: z.boolean().optional() }).strict().optional(),
    pendingId: text(32).optional(),
    timeoutMs: z.number().optional(),
    code: z.number().optional(),
    reference: text(CENTER_LIMITS.ledgerReferenceCharsMax).optional(),
  })
  .strict();

export const createAccountsBody = z.object({ accounts: events(accountSchema), atomic: z.boolean().optional() }).strict();
export const createTransfersBody = z.object({ transfers: events(transferSchema), atomic: z.boolean().optional() }).strict();

export const addMediaBody = z
  .object({
    media: events(z.object({ id: text(16), status: z.enum(MEDIUM_STATUSES).optional(), expiresAtMs: z.number() }).strict()),
  })
  .strict();

export const addTerminalsBody = z
  .object({
    terminals: events(
      z
        .object({
          id: text(16),
          ownerKind: z.enum(OWNER_KINDS),
          ownerId: text(64),
          status: z.enum(TERMINAL_STATUSES).optional(),
          keyRef: text(CENTER_LIMITS.ledgerReferenceCharsMax),
          callbackAddress: text(256).nullable().optional(),
        })
        .strict(),
    ),
  })
  .strict();

export const blockMediumBody = z.object({ status: z.enum(['lost', 'stolen']) }).strict();
export const emptyBody = z.object({}).strict();

/** PATCH /terminals/:id: shapes only (the repository checks the address and that something changes). */
export const editTerminalBody = z
  .object({ callbackAddress: text(256).nullable().optional(), keyRef: text(CENTER_LIMITS.ledgerReferenceCharsMax).optional() })
  .strict();
