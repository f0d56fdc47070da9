/**
 * The cash booking (center/cash/README.md): each note a terminal's bill
 * validator stacked is booked once per (terminal, note key), each collection
 * once per (terminal, collection id, currency) for exactly the notes it lists.
 * Served as a CenterFlow for CASH_NOTES_REPORT and CASH_COLLECTION.
 */
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { assertWireResultsByPrefix } from '../../core/numbers.js';
import { STATUS } from '../../protocol/codes.js';
import type { CashCollectionReport, CashNotesReport, CashResult, CenterResponse, TerminalRequest } from '../../protocol/messages/types.js';
import { int, nullable, oneOf, rowMapper, text, type MappedRow } from '../kit/rows.js';
import { Ledger } from '../ledger/ledger.js';
import type { SessionHandler, SessionInfo } from '../net/types.js';
import type { CenterFlow } from '../server/session-router.js';
import type { Storage, Tx } from '../storage/types.js';
import type { CashCode } from './errors.js';
import { applyCashMoves, cashAccounts, cashBox, cashCollectedMove, noteStacked } from './ledger-map.js';
import { CASH_LIMITS } from './limits.js';
import { cashMigrations } from './schema.js';

/** RESULT_CODE values of CASH_RESULT (PROTOCOL.md §6.7): 0 = OK, 0x0Axx cash. Append only. */
export const CASH_RESULT_CODES: Readonly<Record<'OK' | CashCode, number>> = {
  OK: 0x0000,
  CASH_NOTE_CONFLICT: 0x0a01,
  CASH_CURRENCY_MISMATCH: 0x0a02,
  CASH_CONTROL_MISMATCH: 0x0a03,
  CASH_NOTE_UNKNOWN: 0x0a04,
  CASH_BAD_AMOUNT: 0x0a05,
  CASH_NOTE_COLLECTED: 0x0a06,
  CASH_LEDGER_REFUSED: 0x0a07,
};
assertWireResultsByPrefix(CASH_RESULT_CODES); // 0x0Axx (core/numbers.ts)

export type CashAnswer = { readonly ok: true } | { readonly ok: false; readonly code: CashCode };

const BOOKED_NOTES = rowMapper('cash_notes', { amountMinor: int('amount'), currency: text('currency'), stackedAtMs: int('stacked_at_ms') });
const COLLECTED_NOTES = rowMapper('cash_notes', { noteKey: text('note_key'), amountMinor: int('amount'), currency: text('currency'), collectionId: nullable(text('collection_id')) });
type CollectedNote = MappedRow<typeof COLLECTED_NOTES>;
const COLLECTIONS = rowMapper('cash_collections', { noteCount: int('notes'), amountMinor: int('amount'), state: oneOf('state', ['booked', 'mismatch']), code: text('code') });

const refuse = (code: CashCode, message: string, details: Record<string, unknown> = {}): TesseraError => new TesseraError(code, message, details);
const hex = (b: Buffer): string => b.toString('hex');

export class CashBook {
  readonly flow: CenterFlow;

  private constructor(
    private readonly storage: Storage,
    readonly ledger: Ledger,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.flow = {
      handles: ['cashNotesReport', 'cashCollection'],
      open: (info: SessionInfo): SessionHandler => ({ onRequest: (req) => this.serve(info.terminalId, req), onClose: () => undefined }),
    };
  }

  static async open(storage: Storage, clock: Clock, log: Logger): Promise<CashBook> {
    await storage.migrate(cashMigrations);
    return new CashBook(storage, await Ledger.open(storage, clock), clock, log);
  }

  private async serve(terminalId: string, req: TerminalRequest): Promise<CenterResponse> {
    let a: CashAnswer;
    if (req.type === 'cashNotesReport') a = await this.bookNotes(terminalId, req);
    else if (req.type === 'cashCollection') a = await this.bookCollection(terminalId, req);
    else throw new Error(`cash flow does not serve ${req.type}`);
    const r: CashResult = { type: 'cashResult', transactionId: req.transactionId, status: a.ok ? STATUS.APPROVED : STATUS.DECLINED, resultCode: CASH_RESULT_CODES[a.ok ? 'OK' : a.code] };
    return r;
  }

  /** Books every note of the report, or none: a note key already booked with the same fields is a repeat. */
  async bookNotes(terminalId: string, req: Pick<CashNotesReport, 'notes'>): Promise<CashAnswer> {
    const keys = new Set<string>();
    for (const n of req.notes) {
      if (n.amountMinor <= 0 || n.amountMinor > CASH_LIMITS.noteAmountMinorMax || keys.has(hex(n.noteKey))) return this.refused(terminalId, 'CASH_BAD_AMOUNT', { noteKey: hex(n.noteKey) });
      keys.add(hex(n.noteKey));
    }
    const currency = req.notes[0]?.currency;
    if (currency === undefined) return { ok: true };
    if (req.notes.some((n) => n.currency !== currency)) return this.refused(terminalId, 'CASH_CURRENCY_MISMATCH', {});
    const accounts = await this.ensureAccounts(terminalId, currency);
    if (!accounts.ok) return accounts;
    const nowMs = this.clock.nowMs();
    return this.attempt(terminalId, (tx) => this.bookNotesIn(tx, terminalId, req.notes, nowMs));
  }

  /**
   * For a cash-taking role's own request that carries its notes (the prepaid
   * issue, PROTOCOL.md §6.4): the terminal's accounts first (outside the unit,
   * like a report), then bookNotesWithin inside the caller's unit of work.
   */
  async prepareNotes(terminalId: string, currency: string): Promise<CashAnswer> {
    return this.ensureAccounts(terminalId, currency);
  }

  /**
   * Books these notes in the caller's unit exactly as CASH_NOTES_REPORT does
   * (a note key booked before with the same fields is a repeat, so the
   * agent's report of the same notes, before or after, books nothing twice).
   * A refusal throws its CASH_ code, rolling the caller's unit back.
   */
  async bookNotesWithin(tx: Tx, terminalId: string, notes: CashNotesReport['notes']): Promise<void> {
    const keys = new Set<string>();
    for (const n of notes) {
      if (n.amountMinor <= 0 || n.amountMinor > CASH_LIMITS.noteAmountMinorMax || keys.has(hex(n.noteKey))) throw refuse('CASH_BAD_AMOUNT', 'a note amount out of range or a key twice', { noteKey: hex(n.noteKey) });
      keys.add(hex(n.noteKey));
    }
    await this.bookNotesIn(tx, terminalId, notes, this.clock.nowMs());
  }

  private async bookNotesIn(tx: Tx, terminalId: string, notes: CashNotesReport['notes'], nowMs: number): Promise<CashAnswer> {
    const moves = [];
    for (const n of notes) {
      const key = hex(n.noteKey);
      const row = await BOOKED_NOTES.get(tx, `WHERE terminal_id = ? AND note_key = ?${tx.forUpdate}`, [terminalId, key]);
      if (row) {
        if (row.amountMinor !== n.amountMinor || row.currency !== n.currency || row.stackedAtMs !== n.stackedAtMs) {
          throw refuse('CASH_NOTE_CONFLICT', 'note key booked with other fields', { noteKey: key });
        }
        continue;
      }
      await tx.run('INSERT INTO cash_notes (terminal_id, note_key, amount, currency, stacked_at_ms, booked_ms) VALUES (?, ?, ?, ?, ?, ?)', [terminalId, key, n.amountMinor, n.currency, n.stackedAtMs, nowMs]);
      moves.push(noteStacked(terminalId, key, n.amountMinor, n.currency));
    }
    await applyCashMoves(tx, this.ledger, moves);
    return { ok: true };
  }

  /**
   * Books a collection: cash-box → cash-collected for exactly the notes
   * listed, when the control count and total match them; otherwise the
   * collection is kept as `mismatch` (nothing moves) and refused.
   */
  async bookCollection(terminalId: string, req: Omit<CashCollectionReport, 'type'>): Promise<CashAnswer> {
    const collectionId = hex(req.transactionId);
    const accounts = await this.ensureAccounts(terminalId, req.currency);
    if (!accounts.ok) return accounts;
    const nowMs = this.clock.nowMs();
    return this.attempt(terminalId, async (tx): Promise<CashAnswer> => {
      const prior = await COLLECTIONS.get(tx, `WHERE terminal_id = ? AND collection_id = ? AND currency = ?${tx.forUpdate}`, [terminalId, collectionId, req.currency]);
      if (prior) {
        if (prior.noteCount !== req.noteCount || prior.amountMinor !== req.amountMinor) throw refuse('CASH_NOTE_CONFLICT', 'collection id booked with other control figures', { collectionId });
        return prior.state === 'booked' ? { ok: true } : { ok: false, code: prior.code as CashCode };
      }
      const keys = req.noteKeys.map(hex);
      const found = new Map<string, CollectedNote>();
      for (let i = 0; i < keys.length; i += CASH_LIMITS.noteKeysPerLookupMax) {
        const chunk = keys.slice(i, i + CASH_LIMITS.noteKeysPerLookupMax);
        const rows = await COLLECTED_NOTES.all(tx, `WHERE terminal_id = ? AND note_key IN (${chunk.map(() => '?').join(', ')})${tx.forUpdate}`, [terminalId, ...chunk]);
        for (const r of rows) found.set(r.noteKey, r);
      }
      const missing = keys.find((k) => !found.has(k));
      if (missing !== undefined) throw refuse('CASH_NOTE_UNKNOWN', 'collection lists a note never booked', { collectionId, noteKey: missing });
      const taken = keys.find((k) => found.get(k)!.collectionId !== null && found.get(k)!.collectionId !== collectionId);
      if (taken !== undefined) throw refuse('CASH_NOTE_COLLECTED', 'collection lists a note of another collection', { collectionId, noteKey: taken });
      const unique = new Set(keys);
      const listed = [...unique].map((k) => found.get(k)!).filter((n) => n.currency === req.currency);
      const bookedAmount = listed.reduce((s, n) => s + n.amountMinor, 0);
      const matches = unique.size === keys.length && listed.length === keys.length && listed.length === req.noteCount && bookedAmount === req.amountMinor && keys.length > 0;
      const state = matches ? 'booked' : 'mismatch';
      const code: 'OK' | CashCode = matches ? 'OK' : 'CASH_CONTROL_MISMATCH';
      await tx.run(
        'INSERT INTO cash_collections (terminal_id, collection_id, currency, notes, amount, state, code, booked_notes, booked_amount, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [terminalId, collectionId, req.currency, req.noteCount, req.amountMinor, state, code, listed.length, bookedAmount, nowMs],
      );
      if (!matches) {
        this.log.warn({ terminalId, collectionId, currency: req.currency, notes: req.noteCount, amountMinor: req.amountMinor, bookedNotes: listed.length, bookedAmountMinor: bookedAmount, code }, 'cash collection does not match its control figures');
        return { ok: false, code: 'CASH_CONTROL_MISMATCH' };
      }
      for (let i = 0; i < keys.length; i += CASH_LIMITS.noteKeysPerLookupMax) {
        const chunk = keys.slice(i, i + CASH_LIMITS.noteKeysPerLookupMax);
        await tx.run(`UPDATE cash_notes SET collection_id = ? WHERE terminal_id = ? AND note_key IN (${chunk.map(() => '?').join(', ')})`, [collectionId, terminalId, ...chunk]);
      }
      await applyCashMoves(tx, this.ledger, [cashCollectedMove(terminalId, collectionId, bookedAmount, req.currency)]);
      return { ok: true };
    });
  }

  /** The terminal's accounts, in the currency of its first booking; another currency is refused. */
  private async ensureAccounts(terminalId: string, currency: string): Promise<CashAnswer> {
    const [box] = await this.ledger.lookupAccounts([cashBox(terminalId)]);
    if (box && box.currency !== currency) return this.refused(terminalId, 'CASH_CURRENCY_MISMATCH', { currency, boxCurrency: box.currency });
    if (!box) await this.ledger.createAccounts(cashAccounts(terminalId, currency));
    return { ok: true };
  }

  /** Runs one booking unit; a coded refusal rolls it back and becomes the answer. */
  private async attempt(terminalId: string, fn: (tx: Tx) => Promise<CashAnswer>): Promise<CashAnswer> {
    try {
      return await this.storage.transact(fn);
    } catch (e) {
      if (e instanceof TesseraError && e.code in CASH_RESULT_CODES) return this.refused(terminalId, e.code as CashCode, e.details ?? {});
      throw e;
    }
  }

  private refused(terminalId: string, code: CashCode, details: Record<string, unknown>): CashAnswer {
    this.log.warn({ terminalId, code, ...details }, 'cash booking refused');
    return { ok: false, code };
  }
}
