import { TesseraError } from '../../core/errors.js';
import { CENTER_LIMITS } from '../limits.js';
import { toSafeInt } from '../storage/ints.js';
import type { ModuleMigrations, Row } from '../storage/types.js';
import { MEDIUM_STATUSES, OWNER_KINDS, TERMINAL_STATUSES, type Medium, type MediumStatus, type NewTerminal, type Terminal, type TerminalStatus } from './records.js';

const table = (collate: string): string => `
CREATE TABLE validity_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO validity_meta (id, version) VALUES (1, 0);
CREATE TABLE media (
  id TEXT${collate} PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('active','lost','stolen','expired','captured')),
  expires_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL
);
CREATE INDEX media_by_version ON media (version, id);
CREATE TABLE terminals (
  id TEXT${collate} PRIMARY KEY,
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('store','user')),
  owner_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active','inactive','blocked')),
  key_ref TEXT NOT NULL,
  callback_address TEXT,
  version BIGINT NOT NULL
);
CREATE INDEX terminals_by_version ON terminals (version, id);
`;

/** The validity module's own tables: media (of several kinds), terminals, and the validity version counter. */
export const validityMigrations: ModuleMigrations = {
  module: 'validity',
  migrations: [
    // PostgreSQL: byte-order collation so keyset paging matches SQLite's order exactly.
    { version: 1, name: 'media, terminals, validity version', sql: { sqlite: table(''), postgres: table(' COLLATE "C"') } },
    // Media of several kinds behind one block list; every existing row is an IC card.
    { version: 2, name: 'media kind', sql: "ALTER TABLE media ADD COLUMN kind TEXT NOT NULL DEFAULT 'ic-card'" },
  ],
};

const MEDIUM_ID = /^[0-9a-f]{16}$/;
const TERMINAL_ID = /^[A-Z0-9-]{1,16}$/;
const PRINTABLE = /^[\x21-\x7e]+$/;

export function bad(field: string, why: string): TesseraError {
  return new TesseraError('STORE_INVALID_INPUT', `${field}: ${why}`, { field });
}

export function checkMediumId(id: unknown): string {
  if (typeof id !== 'string' || !MEDIUM_ID.test(id)) throw bad('mediumId', 'must be 16 lowercase hex chars');
  return id;
}

export function checkTerminalId(id: unknown): string {
  if (typeof id !== 'string' || !TERMINAL_ID.test(id)) throw bad('terminalId', 'must be 1-16 chars [A-Z0-9-]');
  return id;
}

export function checkMediumStatus(s: unknown): MediumStatus {
  if (!(MEDIUM_STATUSES as readonly unknown[]).includes(s)) throw bad('status', `must be one of ${MEDIUM_STATUSES.join(', ')}`);
  return s as MediumStatus;
}

export function checkTerminalStatus(s: unknown): TerminalStatus {
  if (!(TERMINAL_STATUSES as readonly unknown[]).includes(s)) throw bad('status', `must be one of ${TERMINAL_STATUSES.join(', ')}`);
  return s as TerminalStatus;
}

function checkText(field: string, v: unknown, maxChars: number): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > maxChars || !PRINTABLE.test(v)) {
    throw bad(field, `must be 1-${maxChars} printable ASCII chars without spaces`);
  }
  return v;
}

export function checkExpiry(expiresAtMs: number): void {
  if (!Number.isSafeInteger(expiresAtMs) || expiresAtMs < 0) throw bad('expiresAtMs', 'must be a non-negative safe integer');
}

export function checkNewTerminal(t: NewTerminal): void {
  checkTerminalId(t.id);
  if (!(OWNER_KINDS as readonly unknown[]).includes(t.ownerKind)) throw bad('ownerKind', 'must be store or user');
  checkText('ownerId', t.ownerId, 64);
  if (t.status !== undefined) checkTerminalStatus(t.status);
  checkText('keyRef', t.keyRef, CENTER_LIMITS.ledgerReferenceCharsMax);
  if (t.callbackAddress !== undefined && t.callbackAddress !== null) checkText('callbackAddress', t.callbackAddress, 256);
}

/** A terminal callback address: `host:port` (host a DNS name, IPv4 or [IPv6]; port 1-65535). */
const CALLBACK_ADDRESS = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\]):([0-9]{1,5})$/;

export function checkCallbackAddress(a: unknown): string {
  const m = typeof a === 'string' && a.length <= 256 ? CALLBACK_ADDRESS.exec(a) : null;
  const port = m ? Number(m[1]) : 0;
  if (!m || port < 1 || port > 65_535) throw bad('callbackAddress', 'must be host:port (a DNS name, IPv4 or [IPv6] address; port 1-65535)');
  return a as string;
}

/** What PATCH /terminals/:id may change: at least one of callbackAddress (or null) and keyRef. */
export function checkTerminalEdit(e: { callbackAddress?: string | null; keyRef?: string }): void {
  if (e.callbackAddress === undefined && e.keyRef === undefined) throw bad('edit', 'must change callbackAddress or keyRef');
  if (e.callbackAddress !== undefined && e.callbackAddress !== null) checkCallbackAddress(e.callbackAddress);
  if (e.keyRef !== undefined) checkText('keyRef', e.keyRef, CENTER_LIMITS.ledgerReferenceCharsMax);
}

export function mediumFromRow(r: Row): Medium {
  return {
    id: String(r['id']),
    kind: String(r['kind']),
    status: r['status'] as MediumStatus,
    expiresAtMs: toSafeInt(r['expires_at_ms'], 'media.expires_at_ms'),
    version: toSafeInt(r['version'], 'media.version'),
  };
}

export function terminalFromRow(r: Row): Terminal {
  return {
    id: String(r['id']),
    ownerKind: r['owner_kind'] as Terminal['ownerKind'],
    ownerId: String(r['owner_id']),
    status: r['status'] as TerminalStatus,
    keyRef: String(r['key_ref']),
    callbackAddress: r['callback_address'] === null ? null : String(r['callback_address']),
    version: toSafeInt(r['version'], 'terminals.version'),
  };
}

export const MEDIUM_COLUMNS = 'id, kind, status, expires_at_ms, version';
export const TERMINAL_COLUMNS = 'id, owner_kind, owner_id, status, key_ref, callback_address, version';
