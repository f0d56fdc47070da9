/**
 * PREPAID_ISSUE at the center (center/prepaid/issue-flow.ts) over a real
 * terminal session: a cash issue books the notes (cash-takings@T → cash-box@T),
 * the issue (cash-takings@T → prepaid@M) and the medium in one unit; a retry
 * answers the same medium and file; the agent's own CASH_NOTES_REPORT of the
 * same notes books nothing twice; a note pays one issue; a sum that differs,
 * a blocked terminal and a purse record are refused with nothing booked;
 * the collection moves the box; the ledger audits clean.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTER_MODULES } from '../../../center/modules.js';
import { auditLedger } from '../../../center/ledger/audit.js';
import { PREPAID_AUDIT } from '../../../center/prepaid/audit-check.js';
import { PREPAID_MODULE } from '../../../center/prepaid/module.js';
import type { Prepaid } from '../../../center/prepaid/prepaid.js';
import { PREPAID_RESULT_CODES } from '../../../center/prepaid/result-codes.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import type { CashNote, CenterResponse, PrepaidIssue } from '../../../protocol/messages/types.js';
import { readMediumFile, mediumIdHex } from '../../../protocol/prepaid/medium.js';
import type { LinkClient } from '../../../terminal/link/link-client.js';
import { BLOCKED_TERMINAL, configOf, keyDir, seedTerminals, TERMINAL, terminalLink } from '../server/support.js';

const keys = keyDir();
const MASTER = join(keys.dir, 'prepaid.key');
writeFileSync(MASTER, `${'42'.repeat(32)}\n`, { mode: 0o600 });
let storage: Storage;
let center: Center;
let link: LinkClient;
let blocked: LinkClient;

let k = 0;
const key = (): Buffer => Buffer.alloc(16, ++k);
const note = (amountMinor: number): CashNote => ({ noteKey: key(), amountMinor, currency: 'JPY', stackedAtMs: 1_767_225_600_000 + k });
const issueOf = (notes: CashNote[], o: Partial<PrepaidIssue> = {}): PrepaidIssue => ({
  type: 'prepaidIssue', transactionId: key(), amountMinor: notes.reduce((s, n) => s + n.amountMinor, 0), currency: 'JPY', notes, ...o,
});
const balanceOf = async (id: string): Promise<number> => {
  const rows = await storage.read((q) => q.all<{ b: number }>('SELECT credits_posted - debits_posted AS b FROM ledger_accounts WHERE id = ?', [id]));
  return Number(rows[0]?.b ?? 0);
};
const ask = (l: LinkClient, m: PrepaidIssue): Promise<CenterResponse> => l.request(() => m);
const codeOf = (r: CenterResponse): number => (r.type === 'prepaidIssueResult' ? r.resultCode : -1);

beforeAll(async () => {
  storage = await openStorage({ engine: 'sqlite', path: join(keys.dir, 'center.db') });
  await seedTerminals(storage);
  center = await startCenter(configOf(keys.masterKeyFile, { validity: { mode: 'direct' }, prepaid: { masterKeyFile: MASTER, issuerId: 7 } } as never), CENTER_MODULES, { storage });
  link = terminalLink(keys.masterKey, TERMINAL, center.address.port);
  blocked = terminalLink(keys.masterKey, BLOCKED_TERMINAL, center.address.port);
});
afterAll(async () => {
  await link?.close();
  await blocked?.close();
  await center?.close();
  await storage?.close();
  keys.remove();
});

describe('PREPAID_ISSUE paid in cash', () => {
  it('books the notes and the issue in one unit, answers the medium and generation 1; a retry gets the same file; the report of the same notes books nothing twice', async () => {
    const notes = [note(1000), note(5000)];
    const req = issueOf(notes);
    const r = await ask(link, req);
    if (r.type !== 'prepaidIssueResult') throw new Error(r.type);
    expect(r).toMatchObject({ status: 0, resultCode: 0, balanceMinor: 6000 });
    const file = readMediumFile(r.prepaidInfo!);
    const id = mediumIdHex(file.mediumId);
    expect(r.issuedMediumId!.toString('hex')).toBe(id);
    expect(file).toMatchObject({ generation: 1, displayBalanceMinor: 6000 });
    expect(await balanceOf(`prepaid@${id}`)).toBe(6000);
    expect(-(await balanceOf(`cash-box@${TERMINAL}`))).toBe(6000); // debit-normal: debits − credits
    expect(await balanceOf(`cash-takings@${TERMINAL}`)).toBe(0); // credited by the notes, debited by the issue

    const again = await ask(link, req);
    expect(again).toMatchObject({ status: 0, resultCode: 0, balanceMinor: 6000 });
    if (again.type !== 'prepaidIssueResult') throw new Error(again.type);
    expect(again.issuedMediumId!.equals(r.issuedMediumId!)).toBe(true);
    expect(again.prepaidInfo!.equals(r.prepaidInfo!)).toBe(true);

    const report = await link.request(() => ({ type: 'cashNotesReport', transactionId: key(), notes }));
    expect(report).toMatchObject({ type: 'cashResult', status: 0 });
    expect(-(await balanceOf(`cash-box@${TERMINAL}`))).toBe(6000);
    expect(await balanceOf(`prepaid@${id}`)).toBe(6000);
    const media = await storage.read((q) => q.all('SELECT id FROM prepaid_media'));
    expect(media).toHaveLength(1);
  });

  it('a note pays one issue; the same id with other notes is a reused id; a sum that differs is a mismatch: nothing booked', async () => {
    const shared = note(2000);
    const first = issueOf([shared]);
    expect(codeOf(await ask(link, first))).toBe(0);
    const box = await balanceOf(`cash-box@${TERMINAL}`);
    expect(codeOf(await ask(link, issueOf([shared, note(1000)])))).toBe(PREPAID_RESULT_CODES.PREPAID_PAYMENT_USED);
    expect(codeOf(await ask(link, { ...first, notes: [note(2000)] }))).toBe(PREPAID_RESULT_CODES.PREPAID_REQUEST_ID_REUSED);
    expect(codeOf(await ask(link, issueOf([note(1000)], { amountMinor: 1500 })))).toBe(PREPAID_RESULT_CODES.PREPAID_PAYMENT_MISMATCH);
    expect(await balanceOf(`cash-box@${TERMINAL}`)).toBe(box);
  });

  it('refuses a blocked terminal and a purse record (no e-money record settlement here) with nothing booked', async () => {
    const before = await storage.read((q) => q.all('SELECT id FROM prepaid_media'));
    expect(codeOf(await ask(blocked, issueOf([note(1000)])))).toBe(PREPAID_RESULT_CODES.PREPAID_TERMINAL_INVALID);
    const purse = issueOf([], {
      amountMinor: 300,
      purseRecord: { mediumId: Buffer.alloc(8, 1), cardCounter: 2, amountMinor: 300, currency: 'JPY', terminalId: TERMINAL, terminalNonce: Buffer.alloc(8), cardMac: Buffer.alloc(8) },
    });
    expect(codeOf(await ask(link, purse))).toBe(PREPAID_RESULT_CODES.PREPAID_PAYMENT_INVALID);
    expect(await storage.read((q) => q.all('SELECT id FROM prepaid_media'))).toEqual(before);
  });

  it('the collection moves the box to cash-collected; the ledger and the prepaid books audit clean', async () => {
    const rows = await storage.read((q) => q.all<{ note_key: string; amount: number }>('SELECT note_key, amount FROM cash_notes WHERE terminal_id = ?', [TERMINAL]));
    const total = rows.reduce((s, r) => s + Number(r.amount), 0);
    const r = await link.request(() => ({ type: 'cashCollection', transactionId: key(), currency: 'JPY', noteCount: rows.length, amountMinor: total, noteKeys: rows.map((x) => Buffer.from(x.note_key, 'hex')) }));
    expect(r).toMatchObject({ type: 'cashResult', status: 0 });
    expect(await balanceOf(`cash-box@${TERMINAL}`)).toBe(0);
    const audit = await auditLedger(storage, [PREPAID_AUDIT]);
    expect(audit.ok).toBe(true);
    expect((await center.module<Prepaid>(PREPAID_MODULE).frozen())).toEqual([]);
  });
});
