/**
 * The validity lists in the database: the validity module's own tables
 * (center/validity/schema.ts) read and written over the storage's generic
 * contract (transact/read/notify/subscribe), on both engines. Storage knows
 * nothing of media or terminals.
 *
 * Every admin write bumps the validity version by one (a bulk add bumps it
 * once), stamps the changed rows with the new version, and notifies channel
 * `tessera_validity` with the version in the same transaction (PostgreSQL:
 * every node's subscribers; SQLite: this process's). Unknown ids raise
 * `STORE_NOT_FOUND`; adding an id that exists raises `STORE_DUPLICATE`; bad
 * ids or fields (an id no registered medium kind accepts) raise `STORE_INVALID_INPUT`.
 */
import { TesseraError } from '../../core/errors.js';
import { CENTER_LIMITS } from '../limits.js';
import { toSafeInt } from '../storage/ints.js';
import type { SqlParam, Storage, Tx, Unsubscribe } from '../storage/types.js';
import { MediumKinds } from './kinds.js';
import type { ChangeCursor, Medium, MediumStatus, NewMedium, NewTerminal, Terminal, TerminalStatus, ValidityChange } from './records.js';
import {
  bad,
  checkExpiry,
  checkMediumStatus,
  checkNewTerminal,
  checkTerminalEdit,
  checkTerminalId,
  checkTerminalStatus,
  MEDIUM_COLUMNS,
  mediumFromRow,
  TERMINAL_COLUMNS,
  terminalFromRow,
  validityMigrations,
} from './schema.js';

/** The storage channel validity changes are pushed on (payload: the version). */
export const VALIDITY_CHANNEL = 'tessera_validity';

export class ValidityRepository {
  /** The medium kinds this repository accepts (IC cards from the start; modules register theirs). */
  readonly kinds: MediumKinds;

  constructor(
    private readonly storage: Storage,
    kinds: MediumKinds = new MediumKinds(),
  ) {
    this.kinds = kinds;
  }

  /** Applies the validity tables' migrations, then the repository over them. */
  static async open(storage: Storage, kinds?: MediumKinds): Promise<ValidityRepository> {
    await storage.migrate(validityMigrations);
    return new ValidityRepository(storage, kinds);
  }

  // -- reads ------------------------------------------------------------------

  /** A medium of any registered kind by its id (ids are unique across kinds). */
  async getMedium(id: string): Promise<Medium | undefined> {
    this.checkMediumId(id);
    const r = await this.storage.read((q) => q.get(`SELECT ${MEDIUM_COLUMNS} FROM media WHERE id = ?`, [id]));
    return r ? mediumFromRow(r) : undefined;
  }

  async getTerminal(id: string): Promise<Terminal | undefined> {
    checkTerminalId(id);
    const r = await this.storage.read((q) => q.get(`SELECT ${TERMINAL_COLUMNS} FROM terminals WHERE id = ?`, [id]));
    return r ? terminalFromRow(r) : undefined;
  }

  /**
   * One page of media ordered by id, after `afterId` (null: from the start). limit <= CENTER_LIMITS.validityPageRowsMax.
   * `kind`: only media of that kind (the in-memory store holds IC cards only).
   */
  async listMedia(afterId: string | null, limit: number, kind?: string, status?: MediumStatus): Promise<Medium[]> {
    checkLimit(limit);
    if (status !== undefined) checkMediumStatus(status);
    const filters: Array<[string, string]> = [];
    if (kind !== undefined) filters.push([' AND kind = ?', kind]);
    if (status !== undefined) filters.push([' AND status = ?', status]);
    const where = filters.map(([w]) => w).join('');
    const params = filters.map(([, v]) => v);
    const rows = await this.storage.read((q) =>
      q.all(`SELECT ${MEDIUM_COLUMNS} FROM media WHERE id > ?${where} ORDER BY id LIMIT ?`, [afterId ?? '', ...params, limit]),
    );
    return rows.map(mediumFromRow);
  }

  /** One page of terminals ordered by id (`status`: only terminals in that status). */
  async listTerminals(afterId: string | null, limit: number, status?: TerminalStatus): Promise<Terminal[]> {
    checkLimit(limit);
    if (status !== undefined) checkTerminalStatus(status);
    const [where, params] = status === undefined ? ['', []] : [' AND status = ?', [status]];
    const rows = await this.storage.read((q) =>
      q.all(`SELECT ${TERMINAL_COLUMNS} FROM terminals WHERE id > ?${where} ORDER BY id LIMIT ?`, [afterId ?? '', ...params, limit]),
    );
    return rows.map(terminalFromRow);
  }

  /** Media changed after `after`, ordered by (version, id): the incremental refresh feed (`kind` as in listMedia). */
  async listMediaChangedSince(after: ChangeCursor, limit: number, kind?: string): Promise<Medium[]> {
    checkLimit(limit);
    return (await this.changedSince('media', MEDIUM_COLUMNS, after, limit, kind)).map(mediumFromRow);
  }

  async listTerminalsChangedSince(after: ChangeCursor, limit: number): Promise<Terminal[]> {
    checkLimit(limit);
    return (await this.changedSince('terminals', TERMINAL_COLUMNS, after, limit)).map(terminalFromRow);
  }

  /** How many media (of `kind`, or of every kind). */
  async countMedia(kind?: string): Promise<number> {
    const r = await this.storage.read((q) =>
      kind === undefined ? q.get('SELECT COUNT(*) AS n FROM media') : q.get('SELECT COUNT(*) AS n FROM media WHERE kind = ?', [kind]),
    );
    return toSafeInt(r?.['n'] ?? 0, 'count');
  }

  async countTerminals(): Promise<number> {
    const r = await this.storage.read((q) => q.get('SELECT COUNT(*) AS n FROM terminals'));
    return toSafeInt(r?.['n'] ?? 0, 'count');
  }

  /** The current validity version (0 on an empty database). */
  async getValidityVersion(): Promise<number> {
    const r = await this.storage.read((q) => q.get('SELECT version FROM validity_meta WHERE id = 1'));
    return r ? toSafeInt(r['version'], 'validity_meta.version') : 0;
  }

  /**
   * Calls `listener` after every committed validity change (SQLite: this
   * process's writes; PostgreSQL: any node's, through LISTEN); after a
   * reconnect it gets `fullReload: true`. Resolves once listening.
   */
  async subscribeValidity(listener: (change: ValidityChange) => void): Promise<Unsubscribe> {
    return this.storage.subscribe(VALIDITY_CHANNEL, (payload) => {
      if (payload === null) {
        void this.getValidityVersion().then(
          (version) => listener({ version, fullReload: true }),
          () => listener({ version: 0, fullReload: true }),
        );
        return;
      }
      const version = Number(payload);
      if (Number.isSafeInteger(version)) listener({ version, fullReload: false });
    });
  }

  // -- locks for other modules' units of work ---------------------------------

  /**
   * Locks a terminal's row inside the caller's unit until it commits
   * (PostgreSQL FOR UPDATE; SQLite has one writer): a module serializes its
   * work per terminal (settlement batches) without touching this table itself.
   * Resolves to whether the terminal is registered.
   */
  async lockTerminal(tx: Tx, terminalId: string): Promise<boolean> {
    checkTerminalId(terminalId);
    return (await tx.get(`SELECT id FROM terminals WHERE id = ?${tx.forUpdate}`, [terminalId])) !== undefined;
  }

  // -- admin writes -----------------------------------------------------------

  /** Adds media (all or none; at most CENTER_LIMITS.validityBulkMax per call); kind defaults to `ic-card`. Resolves to the new version. */
  async addMedia(media: readonly NewMedium[]): Promise<number> {
    return this.storage.transact((tx) => this.addMediaIn(tx, media));
  }

  /**
   * addMedia inside the caller's unit of work: the media are on the lists
   * exactly when the caller's unit commits (a module that creates a medium
   * registers it in the same unit, so a crash never leaves one registered
   * that does not exist). The push goes out after the commit.
   */
  async addMediaIn(tx: Tx, media: readonly NewMedium[]): Promise<number> {
    checkBulk(media.length);
    const rows = media.map((m) => this.newMediumRow(m));
    await refuseExisting(tx, 'media', rows.map((m) => m.id));
    const v = await this.bumpVersion(tx);
    await insertChunked(tx, 'media (id, kind, status, expires_at_ms, version)', rows.map((m) => [m.id, m.kind, m.status, m.expiresAtMs, v]));
    return v;
  }

  /** Whether a medium is on the lists, read inside the caller's unit. */
  async hasMediumIn(tx: Tx, id: string): Promise<boolean> {
    this.checkMediumId(id);
    return (await tx.get('SELECT id FROM media WHERE id = ?', [id])) !== undefined;
  }

  async addTerminals(terminals: readonly NewTerminal[]): Promise<number> {
    checkBulk(terminals.length);
    terminals.forEach(checkNewTerminal);
    return this.storage.transact(async (tx) => {
      await refuseExisting(tx, 'terminals', terminals.map((t) => t.id));
      const v = await this.bumpVersion(tx);
      await insertChunked(
        tx,
        'terminals (id, owner_kind, owner_id, status, key_ref, callback_address, version)',
        terminals.map((t) => [t.id, t.ownerKind, t.ownerId, t.status ?? 'active', t.keyRef, t.callbackAddress ?? null, v]),
      );
      return v;
    });
  }

  /** Sets a medium's status to `lost` or `stolen`. */
  async blockMedium(id: string, status: 'lost' | 'stolen'): Promise<number> {
    if (status !== 'lost' && status !== 'stolen') throw new TesseraError('STORE_INVALID_INPUT', 'status: must be lost or stolen', { field: 'status' });
    return this.setMediumStatus(id, status);
  }

  /** Sets a medium back to `active` (from lost/stolen/captured). */
  async unblockMedium(id: string): Promise<number> {
    return this.setMediumStatus(id, 'active');
  }

  /** Marks a medium `captured` (kept by the reader after a NAK). */
  async captureMedium(id: string): Promise<number> {
    return this.setMediumStatus(id, 'captured');
  }

  /** Sets any status (e.g. `expired`); the operations above are shorthands of it. */
  async setMediumStatus(id: string, status: MediumStatus): Promise<number> {
    this.checkMediumId(id);
    checkMediumStatus(status);
    return this.setStatus('media', id, status);
  }

  async blockTerminal(id: string): Promise<number> {
    return this.setTerminalStatus(id, 'blocked');
  }

  async unblockTerminal(id: string): Promise<number> {
    return this.setTerminalStatus(id, 'active');
  }

  async setTerminalStatus(id: string, status: TerminalStatus): Promise<number> {
    checkTerminalId(id);
    checkTerminalStatus(status);
    return this.setStatus('terminals', id, status);
  }

  /**
   * Edits a terminal's callback address (`host:port`, or null: none) and/or
   * rotates its keyRef (the next handshake derives its key from the new
   * one). Bumps the validity version; STORE_NOT_FOUND for an unknown id.
   */
  async editTerminal(id: string, edit: { callbackAddress?: string | null; keyRef?: string }): Promise<number> {
    checkTerminalId(id);
    checkTerminalEdit(edit);
    return this.storage.transact(async (tx) => {
      const cur = await tx.get(`SELECT id FROM terminals WHERE id = ?${tx.forUpdate}`, [id]);
      if (!cur) throw new TesseraError('STORE_NOT_FOUND', 'terminal not found', { id });
      const v = await this.bumpVersion(tx);
      const sets: string[] = ['version = ?'];
      const params: SqlParam[] = [v];
      if (edit.callbackAddress !== undefined) {
        sets.push('callback_address = ?');
        params.push(edit.callbackAddress);
      }
      if (edit.keyRef !== undefined) {
        sets.push('key_ref = ?');
        params.push(edit.keyRef);
      }
      await tx.run(`UPDATE terminals SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
      return v;
    });
  }

  // -- inside -------------------------------------------------------------------

  private checkMediumId(id: unknown): string {
    if (typeof id !== 'string' || this.kinds.kindOf(id) === undefined) throw bad('mediumId', `must be an id of a registered medium kind (${this.kinds.describe()})`);
    return id;
  }

  private newMediumRow(m: NewMedium): { id: string; kind: string; status: MediumStatus; expiresAtMs: number } {
    const kind = m.kind ?? this.kinds.defaultKind;
    if (typeof m.id !== 'string' || !this.kinds.accepts(kind, m.id)) throw bad('mediumId', `must be an id of kind ${kind} (${this.kinds.describe()})`);
    if (m.status !== undefined) checkMediumStatus(m.status);
    checkExpiry(m.expiresAtMs);
    return { id: m.id, kind, status: m.status ?? 'active', expiresAtMs: m.expiresAtMs };
  }

  private changedSince(table: 'media' | 'terminals', columns: string, after: ChangeCursor, limit: number, kind?: string) {
    const [where, params] = kind === undefined ? ['', []] : [' AND kind = ?', [kind]];
    return this.storage.read((q) =>
      after.id === null
        ? q.all(`SELECT ${columns} FROM ${table} WHERE version > ?${where} ORDER BY version, id LIMIT ?`, [after.version, ...params, limit])
        : q.all(`SELECT ${columns} FROM ${table} WHERE (version > ? OR (version = ? AND id > ?))${where} ORDER BY version, id LIMIT ?`, [
            after.version,
            after.version,
            after.id,
            ...params,
            limit,
          ]),
    );
  }

  private setStatus(table: 'media' | 'terminals', id: string, status: string): Promise<number> {
    return this.storage.transact(async (tx) => {
      const cur = await tx.get(`SELECT status FROM ${table} WHERE id = ?${tx.forUpdate}`, [id]);
      if (!cur) throw new TesseraError('STORE_NOT_FOUND', `${table === 'media' ? 'medium' : 'terminal'} not found`, { id });
      const v = await this.bumpVersion(tx);
      await tx.run(`UPDATE ${table} SET status = ?, version = ? WHERE id = ?`, [status, v, id]);
      return v;
    });
  }

  /** Bumps the validity version (serializing validity writers on one row) and arranges the push. */
  private async bumpVersion(tx: Tx): Promise<number> {
    const r = await tx.get('UPDATE validity_meta SET version = version + 1 WHERE id = 1 RETURNING version');
    const version = toSafeInt(r?.['version'], 'validity_meta.version');
    await this.storage.notify(tx, VALIDITY_CHANNEL, String(version));
    return version;
  }
}

/** INSERT INTO `target` (table and columns) the rows, CENTER_LIMITS.sqlInsertRowsMax per statement. */
async function insertChunked(tx: Tx, target: string, rows: readonly (readonly SqlParam[])[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CENTER_LIMITS.sqlInsertRowsMax) {
    const chunk = rows.slice(i, i + CENTER_LIMITS.sqlInsertRowsMax);
    const one = `(${chunk[0]!.map(() => '?').join(', ')})`;
    await tx.run(`INSERT INTO ${target} VALUES ${chunk.map(() => one).join(', ')}`, chunk.flat());
  }
}

async function refuseExisting(tx: Tx, table: 'media' | 'terminals', ids: readonly string[]): Promise<void> {
  if (new Set(ids).size !== ids.length) throw new TesseraError('STORE_DUPLICATE', 'the same id appears twice in one add', {});
  for (let i = 0; i < ids.length; i += CENTER_LIMITS.sqlInsertRowsMax) {
    const chunk = ids.slice(i, i + CENTER_LIMITS.sqlInsertRowsMax);
    const hit = await tx.get(`SELECT id FROM ${table} WHERE id IN (${chunk.map(() => '?').join(', ')}) LIMIT 1`, chunk);
    if (hit) throw new TesseraError('STORE_DUPLICATE', `${table === 'media' ? 'medium' : 'terminal'} exists`, { id: hit['id'] });
  }
}

function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > CENTER_LIMITS.validityPageRowsMax) {
    throw new TesseraError('STORE_INVALID_INPUT', `limit: must be 1..${CENTER_LIMITS.validityPageRowsMax}`, { field: 'limit' });
  }
}

function checkBulk(n: number): void {
  if (n < 1 || n > CENTER_LIMITS.validityBulkMax) {
    throw new TesseraError('STORE_INVALID_INPUT', `count: must be 1..${CENTER_LIMITS.validityBulkMax}`, { field: 'count' });
  }
}
