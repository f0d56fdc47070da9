/**
 * The medium test vectors of docs/MEDIUM.md, built from fixed inputs.
 * `npx tsx test/protocol/prepaid/print-vectors.ts` prints the doc's section;
 * medium.test.ts pins the bytes and that the doc shows them.
 */
import { LOG_KIND, logKey, logMac, mediumKeys, mediumNonces, sealMediumFile, systemPassword, EMPTY_LOG_ANCHOR, type LogEntry, type MediumClear } from '../../../protocol/prepaid/index.js';

export const V_MASTER = Buffer.from('11'.repeat(32), 'hex');
export const V_MEDIUM_ID = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
export const V_SALT_1 = Buffer.from('a5'.repeat(16), 'hex');
export const V_SALT_2 = Buffer.from('5a'.repeat(16), 'hex');
export const V_ISSUER = 1;
const AT = 1_764_547_200_000; // 2025-12-01T00:00:00Z

const entry1: LogEntry = { seq: 1, kind: LOG_KIND.ISSUED, amountMinor: 5000, balanceAfterMinor: 5000, atMs: AT, reference: Buffer.from('a0'.repeat(16), 'hex') };
const entry2: LogEntry = { seq: 2, kind: LOG_KIND.VENDOR_PAYMENT, amountMinor: 1200, balanceAfterMinor: 3800, atMs: AT + 60_000, reference: Buffer.from('b1'.repeat(16), 'hex') };

export interface MediumVector {
  readonly name: string;
  readonly generation: number;
  readonly keyVersion: number;
  readonly salt: Buffer;
  readonly balanceMinor: number;
  readonly entries: readonly LogEntry[];
  readonly writtenAtMs: number;
  readonly file: Buffer;
}

function build(name: string, generation: number, salt: Buffer, balanceMinor: number, entries: readonly LogEntry[], writtenAtMs: number): MediumVector {
  const keys = mediumKeys(V_MASTER, V_MEDIUM_ID, generation, salt);
  const clear: MediumClear = {
    issuerId: V_ISSUER, mediumId: V_MEDIUM_ID, generation, keyVersion: generation, currency: 'JPY', displayBalanceMinor: balanceMinor, writtenAtMs,
    log: { anchor: EMPTY_LOG_ANCHOR, entries, mac: logMac(logKey(V_MASTER, V_MEDIUM_ID), V_MEDIUM_ID, EMPTY_LOG_ANCHOR, entries) },
  };
  const file = sealMediumFile(clear, { balanceMinor, password: systemPassword(keys, generation) }, keys, mediumNonces(keys, generation));
  return { name, generation, keyVersion: generation, salt, balanceMinor, entries, writtenAtMs, file };
}

export const MEDIUM_VECTORS: readonly MediumVector[] = [
  build('issued (generation 1)', 1, V_SALT_1, 5000, [entry1], AT),
  build('after a vendor payment of 1200 (generation 2)', 2, V_SALT_2, 3800, [entry1, entry2], AT + 60_000),
];

import { CHANNEL_OP, CHANNEL_SERVICE, type ChannelRequest } from '../../../protocol/prepaid/channel.js';

/** PROTOCOL.md §6.4's channel vector: a use of 1200 presenting vector 1's file; the reply seals vector 2's file. */
export const CHANNEL_REQUEST: ChannelRequest = {
  op: CHANNEL_OP.USE, requestId: Buffer.from('b1'.repeat(16), 'hex'), issuerId: V_ISSUER, mediumId: V_MEDIUM_ID, generation: 1,
  service: CHANNEL_SERVICE.VENDOR, payee: 'VENDOR-1', amountMinor: 1200, currency: 'JPY',
};
export const CHANNEL_REPLY_NONCE = Buffer.from('0c'.repeat(12), 'hex');
