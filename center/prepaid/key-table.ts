/**
 * The key table (seed S33) and the master key it diversifies from. Per
 * medium and key version a row holds 16 random bytes of salt; K1/K2 are
 * HKDF(master, salt, medium id, version) (protocol/prepaid/keys.ts).
 * Erasing a version NULLs its salt: the key is gone, the master alone does
 * not give it back (the seed's "old first key erased", ¶0037-0038). The
 * master key lives in a 0600 file and never in the database or a log.
 */
import type { Random } from '../../core/random.js';
import { logKey, mediumKeys } from '../../protocol/prepaid/keys.js';
import type { MediumKeys } from '../../protocol/prepaid/medium.js';
import { readSecretFile } from '../kit/secret-files.js';
import type { SqlExecutor, Tx } from '../storage/types.js';
import { prepaidError } from './errors.js';
import { KEY_ROWS } from './rows.js';

const MASTER_FILE = { what: 'prepaid master key', unreadable: 'PREPAID_MASTER_KEY_UNREADABLE', permissions: 'PREPAID_MASTER_KEY_PERMISSIONS' } as const;

/** The prepaid master key: 64 hex chars (surrounding whitespace ignored), mode 0600. */
export function readPrepaidMasterKey(path: string): Buffer {
  const text = readSecretFile(path, MASTER_FILE).toString('latin1').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw prepaidError('PREPAID_MASTER_KEY_UNREADABLE', 'the prepaid master key file must hold 64 hex chars', { path });
  return Buffer.from(text, 'hex');
}

export class KeyTable {
  constructor(
    private readonly master: Buffer,
    private readonly random: Random,
  ) {}

  /** S33: a new key version for the medium (fresh salt); returns its K1/K2. */
  async create(tx: Tx, mediumId: string, nowMs: number): Promise<{ version: number; keys: MediumKeys }> {
    const row = await tx.get<{ v: unknown }>('SELECT MAX(version) AS v FROM prepaid_keys WHERE medium_id = ?', [mediumId]);
    const version = row?.v === null || row?.v === undefined ? 1 : Number(row.v) + 1;
    const salt = Buffer.from(this.random.bytes(16));
    await tx.run('INSERT INTO prepaid_keys (medium_id, version, salt, created_ms) VALUES (?,?,?,?)', [mediumId, version, salt, nowMs]);
    return { version, keys: mediumKeys(this.master, Buffer.from(mediumId, 'hex'), version, salt) };
  }

  /** The live keys of a version; PREPAID_KEY_ERASED once erased (or never made). */
  async keys(q: SqlExecutor, mediumId: string, version: number): Promise<MediumKeys> {
    const row = await KEY_ROWS.get(q, 'WHERE medium_id = ? AND version = ?', [mediumId, version]);
    if (!row?.salt) throw prepaidError('PREPAID_KEY_ERASED', 'the key version of this file is erased', { mediumId, keyVersion: version });
    return mediumKeys(this.master, Buffer.from(mediumId, 'hex'), version, row.salt);
  }

  /** Erases a version's key (its salt); idempotent. */
  async erase(tx: Tx, mediumId: string, version: number, nowMs: number): Promise<void> {
    await tx.run('UPDATE prepaid_keys SET salt = NULL, erased_ms = ? WHERE medium_id = ? AND version = ? AND salt IS NOT NULL', [nowMs, mediumId, version]);
  }

  /** Erases every live key of a medium (closed after recovery). */
  async eraseAll(tx: Tx, mediumId: string, nowMs: number): Promise<void> {
    await tx.run('UPDATE prepaid_keys SET salt = NULL, erased_ms = ? WHERE medium_id = ? AND salt IS NOT NULL', [nowMs, mediumId]);
  }

  logKey(mediumId: string): Buffer {
    return logKey(this.master, Buffer.from(mediumId, 'hex'));
  }
}
