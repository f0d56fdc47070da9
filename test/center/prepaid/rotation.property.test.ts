/**
 * A fast-check model-based test of the two-phase rotation (docs/PREPAID.md,
 * "Rotation"): the real prepaid center (center/prepaid/prepaid.ts on real
 * SQLite) against a model of media with two mirror slots
 * (protocol/prepaid/slots.ts). Commands: uses (one copy, or two copies at
 * once), replies lost, writes torn (truncated, partial bytes, a power cut
 * before the rename), confirms with lost replies, and clones (a copy of a
 * medium's slots taken at any moment). After every command:
 *  - value is never lost nor spent twice: held balance + everything paid
 *    out = value paid in, the center's balance = paid in − Σ booked uses,
 *    each request booked at most once;
 *  - at most one use per generation (two copies: at most one succeeds);
 *  - every medium that had a readable generation still has one after any
 *    tear, and it never goes back;
 *  - a copy presenting a generation older than the confirmed one is refused
 *    (clone rule), and a medium only ever used by one copy is never frozen;
 *  - every refusal is one of the expected PREPAID_ codes (never a crash).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { errorCode } from '../../../core/errors.js';
import { SeededRandom } from '../../../core/random.js';
import { Prepaid, type UseResult } from '../../../center/prepaid/prepaid.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { currentFile, readSlots, slotToWrite } from '../../../protocol/prepaid/slots.js';
import { CHANNEL_OP, CHANNEL_SERVICE, channelKeysOfFile, openReplyFile, requestProof, type ChannelOp } from '../../../protocol/prepaid/channel.js';
import { readMediumFile } from '../../../protocol/prepaid/medium.js';
import type { MediumProof, Shown } from '../../../center/prepaid/prepaid.js';

const PAID_IN = 5_000;
const REFUSALS = new Set(['PREPAID_CLONE_REFUSED', 'PREPAID_MEDIUM_FROZEN', 'PREPAID_INSUFFICIENT_BALANCE']);

interface Copy {
  slots: [Buffer | undefined, Buffer | undefined];
  /** A file the center sent that this copy has not written whole yet (the client's journal). */
  toWrite: Buffer | null;
  /** The last use request this copy sent (retried after a lost reply). */
  lastRequest: { id: string; amount: number } | null;
  /** Highest generation ever readable on this copy. */
  highest: number;
}

interface Model {
  copies: Copy[];
  /** Whether a second copy was ever made (then freezing is allowed). */
  cloned: boolean;
  /** Uses the model saw booked (status done), by request id. */
  booked: Map<string, number>;
  requests: number;
}

interface Real {
  prepaid: Prepaid;
  storage: Storage;
  mediumId: string;
}

const requestId = (m: Model): string => createHash('sha256').update(`r${m.requests++}`).digest('hex').slice(0, 32);
/** A generated copy index, taken modulo the copies that exist (so every command acts). */
const ix = (m: Model, i: number): number => i % m.copies.length;
const genOf = (c: Copy): number | undefined => readSlots(c.slots[0], c.slots[1]).current?.view.generation;
const present = (c: Copy): Buffer => currentFile(readSlots(c.slots[0], c.slots[1])).bytes;

async function confirmedGen(r: Real): Promise<number> {
  return (await r.prepaid.medium(r.mediumId))!.confirmedGen;
}

/** Runs a center call; a refusal must be an expected code, and a clone refusal must be for a superseded generation. */
async function call<T extends { status: string }>(r: Real, c: Copy, f: () => Promise<T>): Promise<T | string> {
  const shown = genOf(c)!;
  const before = await confirmedGen(r);
  const frozen = (await r.prepaid.medium(r.mediumId))!.state === 'frozen';
  let out: T | string;
  try {
    out = await f();
  } catch (e) {
    out = errorCode(e);
    expect(REFUSALS.has(out), `unexpected refusal ${out}`).toBe(true);
    if (out === 'PREPAID_CLONE_REFUSED') expect(shown).toBeLessThan(before);
  }
  // The clone rule: a generation older than the confirmed one is never accepted.
  // (Two copies at once: the other call may have frozen the medium first, so FROZEN is also a refusal of this one.)
  if (shown < before) {
    expect(frozen ? ['PREPAID_MEDIUM_FROZEN'] : ['PREPAID_CLONE_REFUSED', 'PREPAID_MEDIUM_FROZEN']).toContain(out);
    expect((await r.prepaid.medium(r.mediumId))!.state).toBe('frozen');
  }
  SEEN.add(typeof out === 'string' ? out : out.status);
  return out;
}

/** Outcomes seen over all runs: the test must have exercised each (a property that never reaches a branch proves nothing). */
const SEEN = new Set<string>();

/** The client's side of PROTOCOL.md §6.4: its file shown as a proof (the file stays home). */
function proofFor(file: Buffer, op: ChannelOp, requestId: string, amount?: number): MediumProof {
  const v = readMediumFile(file);
  const proof = requestProof(channelKeysOfFile(file), {
    op, requestId: Buffer.from(requestId, 'hex'), issuerId: v.issuerId, mediumId: v.mediumId, generation: v.generation,
    service: amount === undefined ? CHANNEL_SERVICE.NONE : CHANNEL_SERVICE.VENDOR, payee: amount === undefined ? '' : 'V-1', amountMinor: amount ?? 0, currency: amount === undefined ? '' : 'JPY',
  });
  return { issuerId: v.issuerId, mediumId: v.mediumId.toString('hex'), generation: v.generation, requestId, proof };
}

/** The clear file of an answer: as sent to a file, or opened from its seal with the keys of the file shown. */
function opened<R extends { file?: Buffer | null; sealedFile?: Buffer }>(res: R | string, shownFile: Buffer, requestId: string, generation: () => number): R | string {
  if (typeof res === 'string' || !res.sealedFile) return res;
  expect(res.file).toBeNull(); // never in clear to a proof
  SEEN.add('sealed');
  return { ...res, file: openReplyFile(channelKeysOfFile(shownFile), Buffer.from(requestId, 'hex'), generation(), res.sealedFile) };
}

function take(m: Model, c: Copy, res: UseResult | string): void {
  if (typeof res === 'string') return;
  if (res.status === 'done') m.booked.set(c.lastRequest!.id, c.lastRequest!.amount);
  if (res.status !== 'resume') c.lastRequest = null;
  c.toWrite = res.file;
}

class UseCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly copy: number, readonly amount: number, readonly retry: boolean, readonly lose: boolean, readonly viaProof: boolean) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const c = m.copies[ix(m, this.copy)]!;
    if (!(this.retry && c.lastRequest)) c.lastRequest = { id: requestId(m), amount: this.amount };
    const req = c.lastRequest;
    const file = present(c);
    const shown: Shown = this.viaProof ? proofFor(file, CHANNEL_OP.USE, req.id, req.amount) : file;
    const raw = await call(r, c, () => r.prepaid.use({ requestId: req.id, shown, kind: 'vendor', payee: 'V-1', amountMinor: req.amount, currency: 'JPY', source: `PC-${this.copy}` }));
    const res = opened(raw, file, req.id, () => (typeof raw !== 'string' && raw.status === 'resume' ? raw.generation : (raw as { usage: { generation: number } }).usage.generation));
    if (typeof res !== 'string' && res.status === 'done') m.booked.set(req.id, req.amount);
    if (!this.lose) take(m, c, res);
  }
  toString = () => `use(copy ${this.copy}, ${this.amount}${this.retry ? ', retry' : ''}${this.lose ? ', reply lost' : ''}${this.viaProof ? ', by proof' : ''})`;
}

class UseBothCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly a: number, readonly b: number, readonly amount: number) {}
  check = (m: Model) => m.copies.length > 1 && ix(m, this.a) !== ix(m, this.b);
  async run(m: Model, r: Real): Promise<void> {
    const [ca, cb] = [m.copies[ix(m, this.a)]!, m.copies[ix(m, this.b)]!];
    ca.lastRequest = { id: requestId(m), amount: this.amount };
    cb.lastRequest = { id: requestId(m), amount: this.amount };
    const one = (c: Copy, i: number) => call(r, c, () => r.prepaid.use({ requestId: c.lastRequest!.id, shown: present(c), kind: 'vendor', payee: 'V-1', amountMinor: this.amount, currency: 'JPY', source: `PC-${i}` }));
    const [ra, rb] = await Promise.all([one(ca, this.a), one(cb, this.b)]);
    const done = [ra, rb].filter((x) => typeof x !== 'string' && x.status === 'done').length;
    expect(done).toBeLessThanOrEqual(1); // at most one of two copies succeeds
    take(m, ca, ra);
    take(m, cb, rb);
  }
  toString = () => `useBoth(copies ${this.a} and ${this.b}, ${this.amount})`;
}

type Tear = 'none' | 'truncate' | 'partial' | 'before-rename';

class WriteCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly copy: number, readonly tear: Tear, readonly forget: boolean) {}
  check = (m: Model) => m.copies[ix(m, this.copy)]!.toWrite !== null;
  async run(m: Model): Promise<void> {
    const c = m.copies[ix(m, this.copy)]!;
    const file = c.toWrite!;
    const slot = slotToWrite(readSlots(c.slots[0], c.slots[1]));
    if (this.tear === 'none') c.slots[slot] = file;
    else if (this.tear === 'truncate') c.slots[slot] = file.subarray(0, Math.floor(file.length / 2));
    else if (this.tear === 'partial') c.slots[slot] = Buffer.concat([file.subarray(0, 120), Buffer.alloc(file.length - 120)]);
    // before-rename: the temp file is lost, the slot keeps what it held.
    SEEN.add(`tear:${this.tear}`);
    if (this.tear === 'none' || this.forget) c.toWrite = null; // forget: the client crashed and lost its journal
    const g = genOf(c);
    expect(g, 'one readable generation after any write').toBeDefined();
    expect(g!).toBeGreaterThanOrEqual(c.highest);
    c.highest = g!;
  }
  toString = () => `write(copy ${this.copy}, ${this.tear}${this.forget ? ', journal lost' : ''})`;
}

class ConfirmCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly copy: number, readonly balanceQuery: boolean, readonly lose: boolean, readonly viaProof: boolean) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const c = m.copies[ix(m, this.copy)]!;
    const file = present(c);
    const id = requestId(m);
    const shown: Shown = this.viaProof ? proofFor(file, this.balanceQuery ? CHANNEL_OP.BALANCE : CHANNEL_OP.CONFIRM, id) : file;
    const raw = await call(r, c, () => (this.balanceQuery ? r.prepaid.balance(shown, 'P') : r.prepaid.confirm(shown, 'P')));
    const res = opened(raw, file, id, () => (raw as { generation: number }).generation);
    if (!this.lose && typeof res !== 'string' && res.status === 'resume') c.toWrite = res.file!;
  }
  toString = () => `${this.balanceQuery ? 'balance' : 'confirm'}(copy ${this.copy}${this.lose ? ', reply lost' : ''}${this.viaProof ? ', by proof' : ''})`;
}

class CloneCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly from: number) {}
  check = (m: Model) => m.copies.length < 3;
  async run(m: Model): Promise<void> {
    const c = m.copies[ix(m, this.from)]!;
    m.copies.push({ slots: [c.slots[0], c.slots[1]], toWrite: null, lastRequest: null, highest: c.highest });
    m.cloned = true;
  }
  toString = () => `clone(copy ${this.from})`;
}

/** The invariants after every command. */
async function invariants(m: Model, r: Real): Promise<void> {
  const q = <R extends Record<string, unknown>>(s: string, p: (string | number)[] = []) => r.storage.read((x) => x.all<R>(s, p));
  const medium = (await r.prepaid.medium(r.mediumId))!;
  const usage = await q<{ request_id: string; amount: number; gen: number }>("SELECT request_id, amount, gen FROM prepaid_usage WHERE medium_id = ? AND kind = 'vendor'", [r.mediumId]);
  const spent = usage.reduce((s, u) => s + u.amount, 0);
  expect(medium.balanceMinor).toBe(PAID_IN - spent);
  expect(new Map(usage.map((u) => [u.request_id, u.amount]))).toEqual(m.booked);
  const acc = await q<{ id: string; bal: number }>("SELECT id, credits_posted - debits_posted AS bal FROM ledger_accounts WHERE id IN (?, 'vendor-payable@V-1')", [`prepaid@${r.mediumId}`]);
  const bal = Object.fromEntries(acc.map((a) => [a.id, a.bal]));
  expect(bal[`prepaid@${r.mediumId}`]).toBe(medium.balanceMinor);
  expect((bal['vendor-payable@V-1'] ?? 0) + medium.balanceMinor).toBe(PAID_IN);
  const perGen = await q<{ gen: number; n: number }>('SELECT gen, COUNT(*) AS n FROM prepaid_usage WHERE medium_id = ? GROUP BY gen HAVING COUNT(*) > 1', [r.mediumId]);
  expect(perGen).toEqual([]);
  const twice = await q('SELECT reference FROM ledger_transfers GROUP BY reference HAVING COUNT(*) > 1');
  expect(twice).toEqual([]);
  if (!m.cloned) expect(medium.state).not.toBe('frozen');
  for (const c of m.copies) expect(genOf(c)).toBeDefined();
}

function withInvariants(cmd: fc.AsyncCommand<Model, Real>): fc.AsyncCommand<Model, Real> {
  return { check: (m) => cmd.check(m), run: async (m, r) => {
    await cmd.run(m, r);
    await invariants(m, r);
  }, toString: () => cmd.toString() };
}

const copyIx = fc.nat(2);
const commands = fc.commands(
  [
    fc.tuple(copyIx, fc.integer({ min: 1, max: 4000 }), fc.boolean(), fc.boolean(), fc.boolean()).map(([c, a, retry, lose, proof]) => withInvariants(new UseCmd(c, a, retry, lose, proof))),
    fc.tuple(copyIx, copyIx, fc.integer({ min: 1, max: 3000 })).map(([a, b, amt]) => withInvariants(new UseBothCmd(a, b, amt))),
    fc.tuple(copyIx, fc.constantFrom<Tear>('none', 'none', 'truncate', 'partial', 'before-rename'), fc.boolean()).map(([c, t, f]) => withInvariants(new WriteCmd(c, t, f && t !== 'none'))),
    fc.tuple(copyIx, fc.boolean(), fc.boolean(), fc.boolean()).map(([c, b, l, proof]) => withInvariants(new ConfirmCmd(c, b, l, proof))),
    copyIx.map((c) => withInvariants(new CloneCmd(c))),
  ],
  { maxCommands: 30, size: 'max' },
);

describe('prepaid rotation against a model (fast-check)', () => {
  it('keeps value, one use per generation, a readable generation after any tear, and the clone rule, under any interleaving', async () => {
    let seed = 0;
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const storage = await openStorage(':memory:');
        try {
          const prepaid = await Prepaid.open({ storage, config: { masterKey: Buffer.alloc(32, 9), issuerId: 3, currency: 'JPY' }, clock: new ManualClock(), random: new SeededRandom(seed++) });
          const issued = await prepaid.issue({ requestId: 'f'.repeat(32), amountMinor: PAID_IN, currency: 'JPY', terminalId: 'KIOSK-1' });
          const first: Copy = { slots: [issued.file!, undefined], toWrite: null, lastRequest: null, highest: 1 };
          const model: Model = { copies: [first], cloned: false, booked: new Map(), requests: 0 };
          await fc.asyncModelRun(() => ({ model, real: { prepaid, storage, mediumId: issued.mediumId } }), cmds);
        } finally {
          await storage.close();
        }
      }),
      { numRuns: 60, seed: 20261201 },
    );
    for (const o of ['done', 'repeated', 'resume', 'confirmed', 'current', 'PREPAID_CLONE_REFUSED', 'PREPAID_MEDIUM_FROZEN', 'PREPAID_INSUFFICIENT_BALANCE', 'tear:truncate', 'tear:partial', 'tear:before-rename', 'sealed']) {
      expect([...SEEN].sort().join(' '), o).toContain(o);
    }
  }, 120_000);
});
