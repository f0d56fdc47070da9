/**
 * Builds a generation's prepaid information file from the center's records:
 * the generation row (key version, balance, last log entry, time), the key
 * table and the usage records. Deterministic (protocol/prepaid/keys.ts:
 * derived password and nonces), so a pending file resent after a lost reply
 * is byte for byte the first one, and its SHA-256 is what the center
 * expects back from the medium.
 */
import { EMPTY_LOG_ANCHOR, LOG_KIND, logMac, sealMediumFile, type LogEntry, type LogKind, type MediumClear } from '../../protocol/prepaid/medium.js';
import { systemPassword, mediumNonces } from '../../protocol/prepaid/keys.js';
import type { SqlExecutor } from '../storage/types.js';
import type { KeyTable } from './key-table.js';
import { PREPAID_LIMITS } from './limits.js';
import { USAGE_ROWS, type UsageKind, type UsageRow } from './rows.js';

export const LOG_KIND_OF: Readonly<Record<UsageKind, LogKind>> = {
  issued: LOG_KIND.ISSUED,
  vendor: LOG_KIND.VENDOR_PAYMENT,
  'provider-fee': LOG_KIND.PROVIDER_FEE,
  recovery: LOG_KIND.RECOVERY_CREDIT,
};

export interface GenerationSpec {
  readonly mediumId: string;
  readonly currency: string;
  readonly gen: number;
  readonly keyVersion: number;
  readonly balanceMinor: number;
  readonly logSeq: number;
  readonly writtenMs: number;
}

export const logEntryOf = (u: UsageRow): LogEntry => ({
  seq: u.seq,
  kind: LOG_KIND_OF[u.kind],
  amountMinor: u.amountMinor,
  balanceAfterMinor: u.balanceAfterMinor,
  atMs: u.atMs,
  reference: Buffer.from(u.requestId, 'hex'),
});

export async function buildFile(q: SqlExecutor, keyTable: KeyTable, issuerId: number, g: GenerationSpec): Promise<Buffer> {
  const keys = await keyTable.keys(q, g.mediumId, g.keyVersion);
  const first = Math.max(1, g.logSeq - PREPAID_LIMITS.logEntriesMax + 1);
  const rows = await USAGE_ROWS.all(q, 'WHERE medium_id = ? AND seq >= ? AND seq <= ? ORDER BY seq', [g.mediumId, first - 1, g.logSeq]);
  const before = rows[0]?.seq === first - 1 ? rows.shift() : undefined;
  const anchor = before?.chain ?? EMPTY_LOG_ANCHOR;
  const entries = rows.map(logEntryOf);
  const mediumId = Buffer.from(g.mediumId, 'hex');
  const clear: MediumClear = {
    issuerId,
    mediumId,
    generation: g.gen,
    keyVersion: g.keyVersion,
    currency: g.currency,
    displayBalanceMinor: g.balanceMinor,
    writtenAtMs: g.writtenMs,
    log: { anchor, entries, mac: logMac(keyTable.logKey(g.mediumId), mediumId, anchor, entries) },
  };
  return sealMediumFile(clear, { balanceMinor: g.balanceMinor, password: systemPassword(keys, g.gen) }, keys, mediumNonces(keys, g.gen));
}
