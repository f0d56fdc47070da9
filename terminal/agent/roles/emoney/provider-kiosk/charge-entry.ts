/**
 * A charge in the kiosk's journal: one outbox entry per charge (id = the
 * charge's transaction id, kind `charge`), its step kept in the payload and
 * moved with journal.outboxUpdate. The state machine is in ../../ROLES.md
 * ("Provider kiosk").
 */
import { z } from 'zod';
import type { Logger } from '../../../../../core/log.js';
import type { Journal } from '../../../../journal/journal.js';
import type { OutboxEntry } from '../../../../journal/types.js';
import { AGENT_LIMITS } from '../../../../limits.js';

export const PROVIDER_KIOSK = 'provider-kiosk';
export const CHARGE_KIND = 'charge';

const account = z.object({ bankCode: z.string().regex(/^[0-9]{4}$/), branchCode: z.string().regex(/^[0-9]{3}$/), accountNumber: z.string().regex(/^[0-9]{7}$/) }).strict();
const base = {
  account,
  amountMinor: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Z]{3}$/),
};
const ms = z.number().int().min(0);
const mediumId = z.string().regex(/^[0-9a-f]{16}$/);
const counter = z.number().int().min(0).max(0xffff_ffff);

const ChargePayloadSchema = z.discriminatedUnion('stage', [
  /**
   * CHARGE_REQUEST sent (or about to be), not answered. Never repeated, so it holds no PIN block in any form
   * (rows of older builds carry a sealed one, `pinSealed`: dropped when read, see decodeCharge).
   */
  z.object({ stage: z.literal('requested'), ...base, requestedAtMs: ms }).strict(),
  /**
   * The bank approved; waiting for the e-money card. `mediumId`: the first purse card inserted after the
   * approval (the customer's own, ROLES.md) took it: from then on no other card does.
   */
  z.object({ stage: z.literal('approved'), ...base, approvedAtMs: ms, mediumId: mediumId.optional() }).strict(),
  /** Written before EMONEY_ISSUE_REQUEST: the center may have bound the charge to this card at this counter. */
  z.object({ stage: z.literal('bound'), ...base, approvedAtMs: ms, mediumId, counter, boundAtMs: ms }).strict(),
  /** The card answered CREDIT: its receipt, kept until the center confirms it. */
  z.object({ stage: z.literal('credited'), ...base, mediumId, counter, balanceMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), cardMac: z.string().regex(/^[0-9a-f]{16}$/) }).strict(),
  /**
   * Given up (its customer was told it failed, or left): CHARGE_ABANDON is to be sent, from the outbox, until
   * the center answers. Never completed by any card. `from`: the step it was given up at.
   */
  z.object({ stage: z.literal('abandoning'), ...base, from: z.enum(['requested', 'approved', 'bound']), givenUpAtMs: ms }).strict(),
  /** Answered or given up: what is left for audit (never the PIN). */
  z.object({ stage: z.literal('closed'), ...base, from: z.string() }).strict(),
]);

export type ChargePayload = z.infer<typeof ChargePayloadSchema>;
export type Stage<S extends ChargePayload['stage']> = Extract<ChargePayload, { stage: S }>;
export type ChargeBase = Pick<ChargePayload, 'account' | 'amountMinor' | 'currency'>;

export interface OpenCharge {
  readonly id: string;
  readonly entry: OutboxEntry;
  readonly p: ChargePayload;
}

export function baseOf(p: ChargeBase): ChargeBase {
  return { account: p.account, amountMinor: p.amountMinor, currency: p.currency };
}

export function encodeCharge(p: ChargePayload): Buffer {
  return Buffer.from(JSON.stringify(ChargePayloadSchema.parse(p)));
}

/**
 * The one field older builds wrote that this one does not: a `requested` row's
 * sealed PIN block (they repeated unanswered charges). Such a row still reads
 * (it is then given up like any unanswered charge, which rewrites the payload
 * without it); the field itself is dropped, never opened. Writing it is refused
 * (the schema is strict).
 */
function dropLegacyFields(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  const row = json as Record<string, unknown>;
  if (row['stage'] !== 'requested' || !('pinSealed' in row)) return json;
  if (typeof row['pinSealed'] !== 'string' || !/^[0-9a-f]+$/.test(row['pinSealed'])) return json; // not the old shape: refused
  const { pinSealed: _dropped, ...rest } = row;
  return rest;
}

/** The payload, or null when it is not one of ours (an entry written by another build). */
export function decodeCharge(payload: Buffer): ChargePayload | null {
  try {
    const r = ChargePayloadSchema.safeParse(dropLegacyFields(JSON.parse(payload.toString('utf8'))));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** The kiosk's open charges, oldest first; an unreadable entry is abandoned (and logged) so it cannot block the outbox. */
export function openCharges(journal: Journal, log: Logger): OpenCharge[] {
  const out: OpenCharge[] = [];
  for (const entry of journal.outboxOpen(AGENT_LIMITS.outboxOpenMax)) {
    if (entry.role !== PROVIDER_KIOSK || entry.kind !== CHARGE_KIND) continue;
    const p = decodeCharge(entry.payload);
    if (p) out.push({ id: entry.transactionId, entry, p });
    else abandonUnreadable(journal, log, entry);
  }
  return out;
}

export function abandonUnreadable(journal: Journal, log: Logger, entry: OutboxEntry): void {
  log.error({ transactionId: entry.transactionId }, 'kiosk charge entry unreadable; abandoned (the center resolves the charge)');
  journal.outboxSet(entry.transactionId, 'abandoned');
}

/** Moves an open charge to its next step (durable before the step's request is sent). */
export function setStage(journal: Journal, id: string, p: Exclude<ChargePayload, { stage: 'closed' }>): void {
  journal.outboxUpdate(id, { payload: encodeCharge(p) });
}

/** Closes a charge: answered (`done`, with the center's result code) or given up (`abandoned`). */
export function closeCharge(journal: Journal, id: string, p: ChargePayload, state: 'done' | 'abandoned', resultCode: number | null = null): void {
  const closed: ChargePayload = { stage: 'closed', ...baseOf(p), from: p.stage === 'abandoning' ? p.from : p.stage };
  journal.outboxUpdate(id, { payload: encodeCharge(closed), state, resultCode });
}
