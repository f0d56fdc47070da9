/**
 * The fixed label-value sets of the center's metrics. Every label value
 * the center exports comes from one of these sets or is `other`; nothing
 * from a peer (terminal id, medium id, transfer id, token) becomes a label.
 */
import { OTHER } from '../../core/metrics/labels.js';
import { ownerOf, WIRE_RESULT_OK } from '../../core/numbers.js';
import { NAK_REASON } from '../../protocol/codes.js';
import { PROTO_ERRORS } from '../../protocol/errors.js';
import { RESPONSES } from '../../protocol/messages/catalog.js';
import type { CenterResponse } from '../../protocol/messages/types.js';
import { CreateTransferResult } from '../ledger/results.js';
import { BANK_ERRORS } from '../relay/bank/errors.js';
import { RELAY_ERRORS } from '../relay/errors.js';
import { SECURITY_EVENTS, type SecurityEvent } from '../net/security-log.js';

export const REQUEST_TYPES: ReadonlySet<string> = new Set(Object.keys(RESPONSES));
export const RESPONSE_TYPES: ReadonlySet<string> = new Set([...Object.values(RESPONSES).flat(), 'error']);
export const PROTO_CODES: ReadonlySet<string> = new Set(Object.keys(PROTO_ERRORS));

const NAK_NAMES = new Map<number, string>(Object.entries(NAK_REASON).map(([name, n]) => [n, name]));

/** The `code` label of a response: its wire result code as 0x0000 hex (if some area owns it), a NAK reason's name, or `none`. */
export function responseCode(res: CenterResponse): string {
  if (res.type === 'validityNak') return NAK_NAMES.get(res.reason) ?? OTHER;
  const code = (res as { resultCode?: unknown }).resultCode;
  if (typeof code !== 'number') return 'none';
  if (code !== WIRE_RESULT_OK && ownerOf('wireResults', code) === undefined) return OTHER;
  return hex4(code);
}

function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

/** Handshake outcomes: `ok` or a protocol error code. */
export function handshakeOutcome(o: string): string {
  return o === 'ok' || PROTO_CODES.has(o) ? o : OTHER;
}

/** Security events as the operator reads them in docs/ERRORS.md: badMac → BAD_MAC. */
export const SECURITY_EVENT_LABELS: Readonly<Record<SecurityEvent, string>> = Object.fromEntries(
  Object.keys(SECURITY_EVENTS).map((k) => [k, k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()]),
) as Record<SecurityEvent, string>;

/** A ledger transfer result's name (`ok`, `exists`, `insufficient_funds`, …). */
export function transferResultLabel(r: number): string {
  return CreateTransferResult[r] ?? OTHER;
}

/** HTTP methods exported as themselves; anything else is `other`. */
export const HTTP_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** An HTTP status as a label: the number for 100-599, else `other`. */
export function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : OTHER;
}

/** What a bank call can answer: OK, a bank decline or a relay code (a code a remote bank host made up is `other`). */
export const BANK_CALL_CODES: ReadonlySet<string> = new Set(['OK', ...Object.keys(BANK_ERRORS), ...Object.keys(RELAY_ERRORS)]);
