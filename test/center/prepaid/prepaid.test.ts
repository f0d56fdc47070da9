/**
 * The prepaid center (center/prepaid/) in a real center (startCenter with the
 * module list, SQLite on disk, the validity module's lists): issue, use with
 * the two-phase rotation, lost replies, a clone caught and frozen, recovery,
 * forged and foreign files, the audit check.
 */
import { createHash } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTER_MODULES } from '../../../center/modules.js';
import { auditLedger } from '../../../center/ledger/audit.js';
import { PREPAID_AUDIT } from '../../../center/prepaid/audit-check.js';
import { PREPAID_MODULE } from '../../../center/prepaid/module.js';
import type { Prepaid } from '../../../center/prepaid/prepaid.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { readMediumFile } from '../../../protocol/prepaid/medium.js';
import { CHANNEL_OP, CHANNEL_SERVICE, channelKeysOfFile, openReplyFile, requestProof, type ChannelOp } from '../../../protocol/prepaid/channel.js';
import type { MediumProof } from '../../../center/prepaid/prepaid.js';
import { errorCode } from '../../../core/errors.js';
import { configOf, keyDir } from '../server/support.js';

const k = keyDir();
const MASTER = join(k.dir, 'prepaid.key');
writeFileSync(MASTER, `${'42'.repeat(32)}\n`, { mode: 0o600 });
const ISSUER = 7;
let center: Center;
let prepaid: Prepaid;
let n = 0;
const rid = (): string => createHash('sha256').update(`req-${n++}`).digest('hex').slice(0, 32);

beforeAll(async () => {
  center = await startCenter(configOf(k.masterKeyFile, { db: join(k.dir, 'center.db'), prepaid: { masterKeyFile: MASTER, issuerId: ISSUER } } as never), CENTER_MODULES);
  prepaid = center.module<Prepaid>(PREPAID_MODULE);
});
afterAll(async () => {
  await center?.close();
  k.remove();
});

const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'OK', errorCode);
const use = (file: Uint8Array, amountMinor: number, requestId = rid(), kind: 'vendor' | 'provider-fee' = 'vendor') =>
  prepaid.use({ requestId, shown: file, kind, payee: kind === 'vendor' ? 'VENDOR-1' : 'PROVIDER-1', amountMinor, currency: 'JPY', source: 'PROVIDER-1' });
const sql = <R extends Record<string, unknown>>(s: string, p: (string | number)[] = []) => center.storage.read((q) => q.all<R>(s, p));
const rewriteCheck = (b: Buffer): Buffer => {
  const out = Buffer.from(b);
  createHash('sha256').update(out.subarray(0, out.length - 16)).digest().copy(out, out.length - 16, 0, 16);
  return out;
};

async function issued(amountMinor = 5000): Promise<{ id: string; g1: Buffer }> {
  const r = await prepaid.issue({ requestId: rid(), amountMinor, currency: 'JPY', terminalId: 'KIOSK-1' });
  expect(r.status).toBe('done');
  return { id: r.mediumId, g1: r.file! };
}

describe('prepaid center: issue, use, confirm', () => {
  it('issues generation 1 (pending until the medium shows it), uses it, rotates keys and erases the old ones on confirm', async () => {
    const { id, g1 } = await issued();
    expect(readMediumFile(g1)).toMatchObject({ issuerId: ISSUER, generation: 1, displayBalanceMinor: 5000 });
    expect((await prepaid.medium(id))?.state).toBe('issued');
    expect(await prepaid.balance(g1, 'PROVIDER-1')).toMatchObject({ status: 'confirmed', generation: 1, balanceMinor: 5000 });
    expect(await prepaid.confirm(g1, 'PROVIDER-1')).toMatchObject({ status: 'current', generation: 1 });

    const r = await use(g1, 1200);
    expect(r).toMatchObject({ status: 'done', balanceMinor: 3800, usage: { seq: 2, kind: 'vendor', amountMinor: 1200, generation: 2 } });
    const g2 = r.file!;
    expect(readMediumFile(g2)).toMatchObject({ generation: 2, keyVersion: 2, displayBalanceMinor: 3800 });
    expect(readMediumFile(g2).log.entries.map((e) => e.amountMinor)).toEqual([5000, 1200]);
    expect((await prepaid.medium(id))?.state).toBe('rotating');
    // Generation 1 stays valid until 2 is confirmed: its key is still live.
    expect(await sql('SELECT version FROM prepaid_keys WHERE medium_id = ? AND salt IS NOT NULL ORDER BY version', [id])).toEqual([{ version: 1 }, { version: 2 }]);

    expect(await prepaid.confirm(g2, 'PROVIDER-1')).toMatchObject({ status: 'confirmed', generation: 2, balanceMinor: 3800 });
    expect(await sql('SELECT version FROM prepaid_keys WHERE medium_id = ? AND salt IS NOT NULL', [id])).toEqual([{ version: 2 }]);
    expect(await sql('SELECT gen FROM prepaid_passwords WHERE medium_id = ? AND verifier IS NOT NULL', [id])).toEqual([{ gen: 2 }]);
    const fee = await use(g2, 300, rid(), 'provider-fee');
    expect(fee).toMatchObject({ status: 'done', balanceMinor: 3500 });
    // A use presenting the pending generation confirms it on the way (S43 seen).
    const next = await use(fee.status === 'done' ? fee.file! : Buffer.alloc(0), 500);
    expect(next).toMatchObject({ status: 'done', balanceMinor: 3000 });
    expect((await prepaid.balance(next.status === 'done' ? next.file! : Buffer.alloc(0), 'P')).usage.map((u) => u.kind)).toEqual(['vendor', 'provider-fee', 'vendor', 'issued']);
  });

  it('answers a retried use (reply lost between S37 and S43) with the same file, books it once; another use meanwhile gets the pending file to write first', async () => {
    const { g1 } = await issued(2000);
    await prepaid.confirm(g1, 'P');
    const id = rid();
    const first = await use(g1, 700, id);
    const again = await use(g1, 700, id);
    expect(again.status).toBe('repeated');
    expect(again.file?.equals(first.file!)).toBe(true);
    const other = await use(g1, 100);
    expect(other).toMatchObject({ status: 'resume', generation: 2 });
    expect(other.file?.equals(first.file!)).toBe(true);
    // After the medium shows generation 2, the retried request answers "done already", nothing to write.
    await prepaid.confirm(first.file!, 'P');
    expect(await use(first.file!, 700, id)).toMatchObject({ status: 'repeated', file: null, balanceMinor: 1300 });
    expect(await codeOf(use(first.file!, 701, id))).toBe('PREPAID_REQUEST_ID_REUSED');
    // The same request replayed with the file it was made with (now superseded): answered, not taken for a clone.
    const g3 = (await use(first.file!, 100)).file!;
    await prepaid.confirm(g3, 'P');
    expect(await use(g1, 700, id)).toMatchObject({ status: 'repeated', file: null, balanceMinor: 1300 });
    expect((await prepaid.medium(readMediumFile(g1).mediumId.toString('hex')))?.state).toBe('settled');
    const moves = await sql<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_transfers WHERE reference = ?', [id]);
    expect(moves).toEqual([{ n: 1 }]);
  });

  it('refuses an amount over the balance, a bad field, a foreign issuer, a forged header; nothing frozen', async () => {
    const { id, g1 } = await issued(1000);
    expect(await codeOf(use(g1, 1001))).toBe('PREPAID_INSUFFICIENT_BALANCE');
    expect(await codeOf(use(g1, 0))).toBe('PREPAID_BAD_REQUEST');
    const foreign = Buffer.from(g1);
    foreign.writeUInt32BE(ISSUER + 1, 6);
    expect(await codeOf(use(rewriteCheck(foreign), 10))).toBe('PREPAID_FOREIGN_ISSUER');
    const ahead = Buffer.from(g1);
    ahead.writeUInt32BE(9, 26); // generation 9, never written
    expect(await codeOf(use(rewriteCheck(ahead), 10))).toBe('PREPAID_GENERATION_UNKNOWN');
    const edited = Buffer.from(g1);
    edited.writeBigUInt64BE(999_999n, 37); // display balance raised
    expect(await codeOf(use(rewriteCheck(edited), 10))).toBe('PREPAID_FILE_AUTH_FAILED');
    // The refused use still confirmed generation 1 on the way (the medium showed it); nothing was frozen.
    expect((await prepaid.medium(id))?.state).toBe('settled');
  });

  it('refuses every byte of a center-written file flipped in turn (check recomputed) with a PREPAID_ code, freezing nothing and booking nothing', async () => {
    const { id, g1 } = await issued(900);
    const before = await sql('SELECT COUNT(*) AS n FROM ledger_transfers');
    const codes = new Set<string>();
    for (let i = 0; i < g1.length - 16; i++) {
      const bad = Buffer.from(g1);
      bad[i] = bad[i]! ^ 0x5a;
      codes.add(await codeOf(prepaid.balance(rewriteCheck(bad), 'P')));
    }
    expect([...codes].filter((c) => !c.startsWith('PREPAID_'))).toEqual([]);
    expect(codes.has('OK')).toBe(false);
    expect((await prepaid.medium(id))?.state).toBe('issued');
    expect(await sql('SELECT COUNT(*) AS n FROM ledger_transfers')).toEqual(before);
  });
});

/** What the client sends instead of its file (PROTOCOL.md §6.4): a proof keyed from the file, over the canonical request. */
function proofOf(file: Buffer, op: ChannelOp, requestId: string, use?: { payee: string; amountMinor: number }): MediumProof {
  const v = readMediumFile(file);
  const proof = requestProof(channelKeysOfFile(file), {
    op, requestId: Buffer.from(requestId, 'hex'), issuerId: v.issuerId, mediumId: v.mediumId, generation: v.generation,
    service: use ? CHANNEL_SERVICE.VENDOR : CHANNEL_SERVICE.NONE, payee: use?.payee ?? '', amountMinor: use?.amountMinor ?? 0, currency: use ? 'JPY' : '',
  });
  return { issuerId: v.issuerId, mediumId: v.mediumId.toString('hex'), generation: v.generation, requestId, proof };
}

describe('prepaid center: the medium shown by a proof (PROTOCOL.md §6.4)', () => {
  it('uses and confirms without the file leaving the client; files come back sealed to the holder; a proof of a superseded file is a clone, a wrong one freezes nothing', async () => {
    const { id, g1 } = await issued(1500);
    const c1 = rid();
    expect(await prepaid.confirm(proofOf(g1, CHANNEL_OP.CONFIRM, c1), 'P')).toMatchObject({ status: 'confirmed', generation: 1 });
    const u = rid();
    const r = await prepaid.use({ requestId: u, shown: proofOf(g1, CHANNEL_OP.USE, u, { payee: 'VENDOR-1', amountMinor: 500 }), kind: 'vendor', payee: 'VENDOR-1', amountMinor: 500, currency: 'JPY', source: 'PROVIDER-1' });
    expect(r).toMatchObject({ status: 'done', file: null, balanceMinor: 1000 });
    const g2 = openReplyFile(channelKeysOfFile(g1), Buffer.from(u, 'hex'), 2, r.sealedFile!);
    expect(readMediumFile(g2)).toMatchObject({ generation: 2, displayBalanceMinor: 1000 });
    expect(() => openReplyFile(channelKeysOfFile(g2), Buffer.from(u, 'hex'), 2, r.sealedFile!)).toThrow(/PREPAID_FILE_AUTH_FAILED/);
    // The proof covers every field: the amount changed in transit is refused, nothing booked, nothing frozen.
    const w = rid();
    expect(await codeOf(prepaid.use({ requestId: w, shown: proofOf(g1, CHANNEL_OP.USE, w, { payee: 'VENDOR-1', amountMinor: 5 }), kind: 'vendor', payee: 'VENDOR-1', amountMinor: 50, currency: 'JPY', source: 'P' }))).toBe('PREPAID_FILE_AUTH_FAILED');
    expect(await prepaid.confirm(proofOf(g2, CHANNEL_OP.CONFIRM, rid()), 'P')).toMatchObject({ status: 'confirmed', generation: 2, balanceMinor: 1000 });
    const forged = { ...proofOf(g1, CHANNEL_OP.BALANCE, rid()), proof: Buffer.alloc(16) };
    expect(await codeOf(prepaid.balance(forged, 'P'))).toBe('PREPAID_FILE_AUTH_FAILED');
    expect((await prepaid.medium(id))?.state).toBe('settled');
    expect(await codeOf(prepaid.balance(proofOf(g1, CHANNEL_OP.BALANCE, rid()), 'P'))).toBe('PREPAID_CLONE_REFUSED');
    expect((await prepaid.medium(id))?.state).toBe('frozen');
  });
});

describe('prepaid center: clones', () => {
  it('refuses a copy of generation 1 shown after 2 was confirmed, freezes the medium id (also on the validity lists), and the operator recovers the value to a new medium', async () => {
    const { id, g1 } = await issued(3000);
    await prepaid.confirm(g1, 'P');
    const g2 = (await use(g1, 1000)).file!;
    await prepaid.confirm(g2, 'P');
    expect(await codeOf(use(g1, 500))).toBe('PREPAID_CLONE_REFUSED');
    expect(await prepaid.medium(id)).toMatchObject({ state: 'frozen', balanceMinor: 2000 });
    expect((await center.storage.read((q) => q.get<{ status: string }>('SELECT status FROM media WHERE id = ?', [id])))?.status).toBe('captured');
    expect(await sql('SELECT presented_gen, confirmed_gen, source FROM prepaid_clones WHERE medium_id = ?', [id])).toEqual([{ presented_gen: 1, confirmed_gen: 2, source: 'PROVIDER-1' }]);
    // Whichever copy came first may be the copy: the current one is refused too until the operator acts.
    expect(await codeOf(use(g2, 500))).toBe('PREPAID_MEDIUM_FROZEN');
    expect((await prepaid.frozen()).map((m) => m.id)).toContain(id);

    const req = { requestId: rid(), mediumId: id, operator: 'OP-1' };
    const r = await prepaid.recover(req);
    expect(r).toMatchObject({ status: 'done', balanceMinor: 2000 });
    expect(await prepaid.recover(req)).toMatchObject({ status: 'repeated', mediumId: r.mediumId });
    expect(await prepaid.medium(id)).toMatchObject({ state: 'closed', balanceMinor: 0 });
    expect(await sql('SELECT version FROM prepaid_keys WHERE medium_id = ? AND salt IS NOT NULL', [id])).toEqual([]);
    expect(await prepaid.balance(r.file!, 'P')).toMatchObject({ status: 'confirmed', balanceMinor: 2000 });
    expect(await codeOf(prepaid.recover({ ...req, requestId: rid() }))).toBe('PREPAID_RECOVERY_REFUSED');
  });

  it('lets at most one of two copies used at once (same generation, two requests) succeed', async () => {
    const { id, g1 } = await issued(1000);
    await prepaid.confirm(g1, 'P');
    const [a, b] = await Promise.all([use(g1, 600), use(g1, 600)]);
    expect([a.status, b.status].sort()).toEqual(['done', 'resume']);
    expect((await prepaid.medium(id))?.balanceMinor).toBe(400);
  });
});

describe('prepaid center: registration on the validity lists', () => {
  const listed = async (id: string): Promise<string | undefined> => (await center.storage.read((q) => q.get<{ status: string }>('SELECT status FROM media WHERE id = ?', [id])))?.status;

  it('registers an issued medium in the unit that creates it: a unit that dies (here its payment booking throws) leaves no medium on the lists; the retried issue lists it once', async () => {
    const mediumId = createHash('sha256').update('registration-order').digest('hex').slice(0, 32);
    const requestId = rid();
    const payment = (book: () => Promise<string>) => ({ kind: 'cash' as const, refs: [{ ref: `KIOSK-1/${requestId}`, amountMinor: 900 }], book });
    const req = { requestId, amountMinor: 900, currency: 'JPY', terminalId: 'KIOSK-1', mediumId };
    expect(await codeOf(prepaid.issue(req, payment(async () => { throw Object.assign(new Error('the process died here'), { code: 'TEST_CRASH' }); })))).toBe('TEST_CRASH');
    expect(await prepaid.medium(mediumId)).toBeUndefined();
    expect(await listed(mediumId)).toBeUndefined();
    // The terminal's journal sends the same issue again: the medium and its registration appear together.
    expect(await prepaid.issue(req, payment(async () => 'prepaid-paid-in'))).toMatchObject({ status: 'done', mediumId, balanceMinor: 900 });
    expect(await listed(mediumId)).toBe('active');
  });

  it('registers a replacement medium only when the recovery commits: a refused recovery lists nothing', async () => {
    const { id, g1 } = await issued(700);
    await prepaid.confirm(g1, 'P');
    const newMediumId = createHash('sha256').update('refused-replacement').digest('hex').slice(0, 32);
    expect(await codeOf(prepaid.recover({ requestId: rid(), mediumId: id, newMediumId, operator: 'OP-1' }))).toBe('PREPAID_RECOVERY_REFUSED');
    expect(await listed(newMediumId)).toBeUndefined();
  });
});

describe('prepaid center: audit and secrets', () => {
  it('passes the audit (sum of balances = liability), and fails it when a balance is changed without its move', async () => {
    const report = await auditLedger(center.storage, [PREPAID_AUDIT]);
    const check = report.checks.find((c) => c.name.startsWith('prepaid liability'));
    expect(check?.ok).toBe(true);
    expect(report.ok).toBe(true);
    const { id } = await issued(100);
    await center.storage.transact((tx) => tx.run('UPDATE prepaid_media SET balance = balance + 1 WHERE id = ?', [id]));
    const bad = (await auditLedger(center.storage, [PREPAID_AUDIT])).checks.find((c) => c.name.startsWith('prepaid liability'));
    expect(bad).toMatchObject({ ok: false, violations: 2 });
    expect(bad?.examples.join()).toContain(`prepaid@${id}: balance 101, account 100`);
    await center.storage.transact((tx) => tx.run('UPDATE prepaid_media SET balance = balance - 1 WHERE id = ?', [id]));
  });

  it('refuses to start with a master key file group or others can read', async () => {
    const loose = join(k.dir, 'loose.key');
    writeFileSync(loose, '42'.repeat(32));
    chmodSync(loose, 0o644);
    const cfg = configOf(k.masterKeyFile, { db: join(k.dir, 'never.db'), prepaid: { masterKeyFile: loose, issuerId: 1 } } as never);
    await expect(startCenter(cfg, CENTER_MODULES)).rejects.toMatchObject({ code: 'PREPAID_MASTER_KEY_PERMISSIONS' });
  });
});

describe('prepaid center: restarts', () => {
  it('keeps a pending generation across a restart (the retried use gets the same bytes), and marks at start a frozen medium the validity lists missed', async () => {
    const cfg = configOf(k.masterKeyFile, { db: join(k.dir, 'restart.db'), prepaid: { masterKeyFile: MASTER, issuerId: ISSUER } } as never);
    let c = await startCenter(cfg, CENTER_MODULES);
    try {
      let p = c.module<Prepaid>(PREPAID_MODULE);
      const i = await p.issue({ requestId: rid(), amountMinor: 800, currency: 'JPY', terminalId: 'KIOSK-1' });
      await p.confirm(i.file!, 'P');
      const u = { requestId: rid(), shown: i.file!, kind: 'vendor' as const, payee: 'VENDOR-1', amountMinor: 300, currency: 'JPY', source: 'P' };
      const first = await p.use(u);
      await c.close();
      c = await startCenter(cfg, CENTER_MODULES);
      p = c.module<Prepaid>(PREPAID_MODULE);
      const again = await p.use(u);
      expect(again.status).toBe('repeated');
      expect(again.file?.equals(first.file!)).toBe(true);
      expect(await p.confirm(first.file!, 'P')).toMatchObject({ status: 'confirmed', generation: 2, balanceMinor: 500 });
      expect(await codeOf(p.use({ ...u, requestId: rid() }))).toBe('PREPAID_CLONE_REFUSED');
      // As if the center had died between the freeze's commit and the validity mark.
      await c.storage.transact((tx) => tx.run("UPDATE media SET status = 'active' WHERE id = ?", [i.mediumId]));
      await c.close();
      c = await startCenter(cfg, CENTER_MODULES);
      expect((await c.storage.read((q) => q.get<{ status: string }>('SELECT status FROM media WHERE id = ?', [i.mediumId])))?.status).toBe('captured');
    } finally {
      await c.close();
    }
  });
});
