/**
 * A merchant API on a real listener over a real center database (SQLite file
 * or PostgreSQL), with seed-004 batches of two shops written as the e-money
 * module writes them (its own migrations and row encoding).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../../core/clock.js';
import { createLogger, type Logger } from '../../../core/log.js';
import { systemRandom } from '../../../core/random.js';
import { encodeRecords, encodeResults } from '../../../center/emoney/batch-row.js';
import { emoneyMigrations } from '../../../center/emoney/schema.js';
import { startMerchantApi, type MerchantApi } from '../../../center/merchant-api/server.js';
import type { RateLimitOptions } from '../../../center/merchant-api/rate-limit.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { RECORD_STATUS } from '../../../protocol/codes.js';
import type { PurchaseRecord } from '../../../protocol/messages/types.js';

export interface Harness {
  readonly storage: Storage;
  readonly api: MerchantApi;
  readonly logLines: string[];
  readonly dir: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly db?: string;
  readonly rateLimit?: RateLimitOptions;
  readonly tls?: { certFile: string; keyFile: string };
  readonly host?: string;
  readonly clock?: Clock;
  readonly log?: Logger;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'merchant-api-'));
  const logLines: string[] = [];
  const log = o.log ?? createLogger('merchant-api-test', { level: 'debug' }, { write: (l: string) => void logLines.push(l) });
  const storage = await openStorage(o.db ?? join(dir, 'center.db'));
  await storage.migrate(emoneyMigrations);
  const api = await startMerchantApi({
    storage, host: o.host ?? '127.0.0.1', port: 0, tls: o.tls, rateLimit: o.rateLimit, clock: o.clock ?? systemClock, random: systemRandom, log,
  });
  return {
    storage, api, logLines, dir,
    close: async () => {
      await api.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function record(card: number, counter: number, amountMinor: number, terminalId: string): PurchaseRecord {
  return {
    mediumId: Buffer.from(card.toString(16).padStart(16, '0'), 'hex'), cardCounter: counter, amountMinor, currency: 'JPY', terminalId,
    terminalNonce: Buffer.alloc(8, counter), cardMac: Buffer.alloc(8, card),
  };
}

export interface BatchSpec {
  readonly id: string;
  readonly shopId: string;
  readonly state: string;
  readonly createdMs: number;
  readonly records: readonly { amountMinor: number; accepted: boolean }[];
}

/** Writes a batch row as the settlement service leaves it in `state` (total = accepted records once verified). */
export async function addBatch(storage: Storage, b: BatchSpec): Promise<void> {
  const terminalId = `T-${b.shopId}`;
  const recs = b.records.map((r, i) => record(7, b.createdMs * 10 + i, r.amountMinor, terminalId));
  const verified = b.state !== 'awaiting_callback' && b.state !== 'abandoned';
  const results = verified ? encodeResults(recs.map((r, i) => ({ mediumId: r.mediumId, cardCounter: r.cardCounter, status: b.records[i]!.accepted ? RECORD_STATUS.ACCEPTED : RECORD_STATUS.FORGED }))) : null;
  const total = verified ? b.records.filter((r) => r.accepted).reduce((s, r) => s + r.amountMinor, 0) : 0;
  await storage.transact((tx) =>
    tx.run(
      `INSERT INTO emoney_batches (id, terminal_id, shop_id, bank_code, state, records, results, total, currency, code, created_ms, updated_ms)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
      [b.id, terminalId, b.shopId, '0001', b.state, encodeRecords(recs), results, total, 'JPY', b.state === 'pay_failed' ? 'BANK_ACCOUNT_CLOSED' : 'OK', b.createdMs, b.createdMs + 5],
    ),
  );
}

export const hexId = (n: number): string => n.toString(16).padStart(32, '0');

/** How many rows a table has (what "nothing changed" is checked against). */
export async function count(storage: Storage, table: string): Promise<number> {
  const r = await storage.read((q) => q.get(`SELECT COUNT(*) AS n FROM ${table}`));
  return Number(r?.['n'] ?? 0);
}

export async function raw(url: string, method: string, path: string, init: { key?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== undefined) headers['authorization'] = `Bearer ${init.key}`;
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${url}${path}`, { method, headers, ...(init.body !== undefined && { body: init.body }) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { text };
  }
  return { status: res.status, json, headers: res.headers };
}
