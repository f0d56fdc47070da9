/**
 * The prepaid center on PostgreSQL with two center nodes (two Prepaid
 * instances, each its own connection pool, one database): two copies of one
 * medium used at the same moment through different nodes — at most one
 * books; the rotation, the clone rule and the audit hold across nodes.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../../core/errors.js';
import { auditLedger } from '../../../center/ledger/audit.js';
import { PREPAID_AUDIT } from '../../../center/prepaid/audit-check.js';
import { Prepaid, type UseRequest } from '../../../center/prepaid/prepaid.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';

const config = { masterKey: Buffer.alloc(32, 0x33), issuerId: 5, currency: 'JPY' };
let db: TestDatabase;
const storages: Storage[] = [];
let nodes: Prepaid[] = [];
let n = 0;
const rid = (): string => createHash('sha256').update(`pg-${n++}`).digest('hex').slice(0, 32);

beforeAll(async () => {
  db = await createTestDatabase('prepaid');
  for (let i = 0; i < 2; i++) storages.push(await openStorage({ engine: 'postgres', url: db.url }));
  nodes = [await Prepaid.open({ storage: storages[0]!, config }), await Prepaid.open({ storage: storages[1]!, config })];
}, 60_000);
afterAll(async () => {
  for (const s of storages) await s.close();
  await db?.drop();
});

const useOf = (shown: Buffer, amountMinor: number): UseRequest => ({ requestId: rid(), shown, kind: 'vendor', payee: 'VENDOR-1', amountMinor, currency: 'JPY', source: 'P' });

describe('prepaid center on PostgreSQL, two nodes', () => {
  it('books at most one of two copies used at once through two nodes, every round; a late copy is caught; the books balance', async () => {
    const [a, b] = nodes as [Prepaid, Prepaid];
    const issued = await a.issue({ requestId: rid(), amountMinor: 10_000, currency: 'JPY', terminalId: 'KIOSK-1' });
    await b.confirm(issued.file!, 'P');
    let current = issued.file!;
    const old = current;
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all([a.use(useOf(current, 700)), b.use(useOf(current, 700))]);
      const done = results.filter((r) => r.status === 'done');
      expect(done).toHaveLength(1);
      expect(results.filter((r) => r.status === 'resume')).toHaveLength(1);
      current = done[0]!.file!;
      await (round % 2 ? a : b).confirm(current, 'P');
    }
    expect((await b.medium(issued.mediumId))?.balanceMinor).toBe(10_000 - 5 * 700);
    const late = await b.use(useOf(old, 1)).then(() => 'OK', errorCode);
    expect(late).toBe('PREPAID_CLONE_REFUSED');
    expect((await a.medium(issued.mediumId))?.state).toBe('frozen');
    const report = await auditLedger(storages[0]!, [PREPAID_AUDIT]);
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name.startsWith('prepaid liability'))?.ok).toBe(true);
  }, 60_000);
});
