/**
 * PREPAID_ISSUE paid by a purse-card debit record (center/prepaid/issue-flow.ts
 * with center/emoney/purse-payments.ts) over a real terminal session, the
 * prepaid, e-money and validity modules on one SQLite center: in one unit
 * e-money stores the record as paid and books emoney-float → purse-takings@T
 * (PURSE_PAID), prepaid books purse-takings@T → prepaid@M (ISSUED_PURSE) and
 * makes the medium; a repeat of the id answers the same medium, booked once;
 * a record pays one issue (and is then a DUPLICATE to a settlement); a
 * forged record, another amount or terminal, a blocked or unknown card are
 * refused with nothing booked; the ledger, the float and the prepaid books
 * audit clean.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMONEY_AUDIT } from '../../../center/emoney/audit-check.js';
import { EMONEY_MODULE, emoneyModule } from '../../../center/emoney/module.js';
import { auditLedger } from '../../../center/ledger/audit.js';
import { CENTER_MODULES } from '../../../center/modules.js';
import { PREPAID_AUDIT } from '../../../center/prepaid/audit-check.js';
import { PREPAID_RESULT_CODES } from '../../../center/prepaid/result-codes.js';
import { Relay } from '../../../center/relay/relay.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { systemClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { classifyRecord } from '../../../center/emoney/records.js';
import { RECORD_STATUS } from '../../../protocol/codes.js';
import type { CenterResponse, PrepaidIssue, PurchaseRecord } from '../../../protocol/messages/types.js';
import { mediumIdHex, readMediumFile } from '../../../protocol/prepaid/medium.js';
import { debitMac, deriveCardKeys } from '../../../protocol/purse/crypto.js';
import type { LinkClient } from '../../../terminal/link/link-client.js';
import { BLOCKED_TERMINAL, configOf, keyDir, seedTerminals, TERMINAL, terminalLink } from '../server/support.js';

const keys = keyDir();
const MASTER = join(keys.dir, 'prepaid.key');
writeFileSync(MASTER, `${'42'.repeat(32)}\n`, { mode: 0o600 });
const ISSUER_KEY = Buffer.alloc(32, 0x3c);
const CARD = 'c0ffee0000000001';
const BLOCKED_CARD = 'c0ffee00000000b1';
const UNKNOWN_CARD = 'c0ffee00000000f1';
let storage: Storage;
let center: Center;
let link: LinkClient;
let blockedTerminal: LinkClient;

let k = 0;
const txId = (): Buffer => Buffer.alloc(16, ++k);
/** A debit record as the card signs it (the purse applet's MAC over card, counter after, amount, currency, terminal, nonce). */
function record(cardId: string, counter: number, amountMinor: number, o: { terminalId?: string; key?: Buffer } = {}): PurchaseRecord {
  const terminalId = o.terminalId ?? TERMINAL;
  const terminalNonce = Buffer.alloc(8, counter);
  const cardMac = debitMac(deriveCardKeys(o.key ?? ISSUER_KEY, cardId).cardMacKey, { cardId, counter, amountMinor, currency: 'JPY', terminalId, terminalNonce });
  return { mediumId: Buffer.from(cardId, 'hex'), cardCounter: counter, amountMinor, currency: 'JPY', terminalId, terminalNonce, cardMac };
}
const issueOf = (r: PurchaseRecord, o: Partial<PrepaidIssue> = {}): PrepaidIssue => ({
  type: 'prepaidIssue', transactionId: txId(), amountMinor: r.amountMinor, currency: 'JPY', notes: [], purseRecord: r, ...o,
});
const balanceOf = async (id: string): Promise<number> => {
  const rows = await storage.read((q) => q.all<{ b: number }>('SELECT credits_posted - debits_posted AS b FROM ledger_accounts WHERE id = ?', [id]));
  return Number(rows[0]?.b ?? 0);
};
const ask = (l: LinkClient, m: PrepaidIssue): Promise<CenterResponse> => l.request(() => m);
const codeOf = (r: CenterResponse): number => (r.type === 'prepaidIssueResult' ? r.resultCode : -1);
const count = async (table: string): Promise<number> => (await storage.read((q) => q.all(`SELECT 1 FROM ${table}`))).length;

beforeAll(async () => {
  storage = await openStorage({ engine: 'sqlite', path: join(keys.dir, 'center.db') });
  await seedTerminals(storage);
  const validity = await ValidityRepository.open(storage);
  await validity.addMedia([
    { id: CARD, expiresAtMs: 4_102_444_800_000 },
    { id: BLOCKED_CARD, expiresAtMs: 4_102_444_800_000, status: 'stolen' },
  ]);
  const emoney = emoneyModule({ secrets: { issuerMasterKey: ISSUER_KEY, currency: 'JPY', providerAccounts: [] }, relay: new Relay({ adapters: [], clock: systemClock, log: silentLogger }), sweepIntervalMs: null });
  const modules = CENTER_MODULES.map((m) => (m.name === EMONEY_MODULE ? emoney : m));
  center = await startCenter(configOf(keys.masterKeyFile, { validity: { mode: 'direct' }, prepaid: { masterKeyFile: MASTER, issuerId: 7 } } as never), modules, { storage });
  link = terminalLink(keys.masterKey, TERMINAL, center.address.port);
  blockedTerminal = terminalLink(keys.masterKey, BLOCKED_TERMINAL, center.address.port);
});
afterAll(async () => {
  await link?.close();
  await blockedTerminal?.close();
  await center?.close();
  await storage?.close();
  keys.remove();
});

describe('PREPAID_ISSUE paid by a purse-card debit record', () => {
  it('books emoney-float → purse-takings@T → prepaid@M with the medium in one unit; a repeat answers the same medium and file, booked once', async () => {
    const req = issueOf(record(CARD, 5, 3_000));
    const r = await ask(link, req);
    if (r.type !== 'prepaidIssueResult') throw new Error(r.type);
    expect(r).toMatchObject({ status: 0, resultCode: 0, balanceMinor: 3_000 });
    const file = readMediumFile(r.prepaidInfo!);
    const id = mediumIdHex(file.mediumId);
    expect(file).toMatchObject({ generation: 1, displayBalanceMinor: 3_000 });
    expect(await balanceOf(`prepaid@${id}`)).toBe(3_000);
    expect(await balanceOf('emoney-float')).toBe(-3_000); // the e-money left the card (this card's value was never charged here)
    expect(await balanceOf(`purse-takings@${TERMINAL}`)).toBe(0); // credited by e-money, debited by the issue
    const moves = await storage.read((q) => q.all<{ code: number; amount: number; d: string; c: string }>(
      'SELECT code, amount, debit_account_id AS d, credit_account_id AS c FROM ledger_transfers WHERE code IN (6, 406) ORDER BY code',
    ));
    expect(moves.map((m) => [Number(m.code), Number(m.amount), m.d, m.c])).toEqual([
      [6, 3_000, `purse-takings@${TERMINAL}`, `prepaid@${id}`],
      [406, 3_000, 'emoney-float', `purse-takings@${TERMINAL}`],
    ]);
    expect(await storage.read((q) => q.all('SELECT kind, ref, amount FROM prepaid_payments'))).toEqual([{ kind: 'purse', ref: `${CARD}/5`, amount: 3_000 }]);

    const again = await ask(link, req);
    if (again.type !== 'prepaidIssueResult') throw new Error(again.type);
    expect(again).toMatchObject({ status: 0, resultCode: 0, balanceMinor: 3_000 });
    expect(again.issuedMediumId!.equals(r.issuedMediumId!)).toBe(true);
    expect(again.prepaidInfo!.equals(r.prepaidInfo!)).toBe(true);
    expect(await balanceOf('emoney-float')).toBe(-3_000);
    expect(await count('prepaid_media')).toBe(1);
  });

  it('a record pays one issue: another id with it is PREPAID_PAYMENT_USED, the same id with another record a reused id; e-money then calls it a DUPLICATE', async () => {
    const r = record(CARD, 7, 1_000);
    const first = issueOf(r);
    expect(codeOf(await ask(link, first))).toBe(0);
    const float = await balanceOf('emoney-float');
    expect(codeOf(await ask(link, issueOf(r)))).toBe(PREPAID_RESULT_CODES.PREPAID_PAYMENT_USED);
    expect(codeOf(await ask(link, { ...first, purseRecord: record(CARD, 8, 1_000) }))).toBe(PREPAID_RESULT_CODES.PREPAID_REQUEST_ID_REUSED);
    expect(await balanceOf('emoney-float')).toBe(float);
    // The same record in a shop's settlement batch is not paid again.
    const status = await storage.transact((tx) => classifyRecord(tx, r, { issuerMasterKey: ISSUER_KEY, terminalId: TERMINAL, batchId: 'b-later', nowMs: 1 }));
    expect(status).toBe(RECORD_STATUS.DUPLICATE);
  });

  it('refuses with nothing booked: a forged MAC, another amount, another terminal, a blocked or unknown card, a blocked terminal', async () => {
    const media = await count('prepaid_media');
    const records = await count('emoney_records');
    const float = await balanceOf('emoney-float');
    expect(codeOf(await ask(link, issueOf(record(CARD, 20, 500, { key: Buffer.alloc(32, 9) }))))).toBe(PREPAID_RESULT_CODES.PREPAID_PAYMENT_INVALID);
    expect(codeOf(await ask(link, issueOf(record(CARD, 21, 500), { amountMinor: 600 })))).toBe(PREPAID_RESULT_CODES.PREPAID_PAYMENT_MISMATCH);
    expect(codeOf(await ask(link, issueOf(record(CARD, 22, 500, { terminalId: 'T-OTHER' }))))).toBe(PREPAID_RESULT_CODES.PREPAID_PAYMENT_MISMATCH);
    expect(codeOf(await ask(link, issueOf(record(BLOCKED_CARD, 2, 500))))).toBe(PREPAID_RESULT_CODES.PREPAID_PAYMENT_INVALID);
    expect(codeOf(await ask(link, issueOf(record(UNKNOWN_CARD, 2, 500))))).toBe(PREPAID_RESULT_CODES.PREPAID_PAYMENT_INVALID);
    expect(codeOf(await ask(blockedTerminal, issueOf(record(CARD, 23, 500, { terminalId: BLOCKED_TERMINAL }))))).toBe(PREPAID_RESULT_CODES.PREPAID_TERMINAL_INVALID);
    expect(await count('prepaid_media')).toBe(media);
    expect(await count('emoney_records')).toBe(records);
    expect(await balanceOf('emoney-float')).toBe(float);
    // A card judged by a record is only read, never captured.
    expect((await (await ValidityRepository.open(storage)).getMedium(BLOCKED_CARD))?.status).toBe('stolen');
  });

  it('the ledger, the e-money float and the prepaid books audit clean', async () => {
    const audit = await auditLedger(storage, [PREPAID_AUDIT, EMONEY_AUDIT]);
    expect(audit.checks.filter((c) => !c.ok)).toEqual([]);
    expect(audit.ok).toBe(true);
  });
});
