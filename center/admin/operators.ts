/**
 * Operators of the admin API: a name, a role and a bearer token. The token
 * is shown once when the operator is added (`tessera operator add`) and
 * stored only as its SHA-256 (a token is 32 random bytes, so a plain hash is
 * enough: there is nothing to guess). Revoking keeps the row (the audit
 * trail names operators) and refuses the token from then on.
 *
 * Roles, each allowing what the one before allows:
 *   viewer   - every GET
 *   operator - validity changes (media, terminals: add, block, unblock, capture), the pending sweep
 *   admin    - ledger accounts and transfers, adjustments on system accounts
 */
import { createHash } from 'node:crypto';
import { TesseraError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { Storage } from '../storage/types.js';

export const OPERATOR_ROLES = ['viewer', 'operator', 'admin'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export interface Operator {
  readonly name: string;
  readonly role: OperatorRole;
}

export interface OperatorRow extends Operator {
  readonly createdAtMs: number;
  readonly revokedAtMs: number | null;
}

const NAME = /^[a-z][a-z0-9._-]{0,31}$/;
/** Tokens start with this so a leaked one is recognisable (secret scanners, logs). */
export const OPERATOR_TOKEN_PREFIX = 'tsop_';

export function isOperatorRole(s: string): s is OperatorRole {
  return (OPERATOR_ROLES as readonly string[]).includes(s);
}

/** Whether `role` may do what `need` names (undefined: any operator). */
export function roleAllows(role: OperatorRole, need: string | undefined): boolean {
  if (need === undefined) return true;
  const needed = OPERATOR_ROLES.indexOf(need as OperatorRole);
  return needed >= 0 && OPERATOR_ROLES.indexOf(role) >= needed;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class Operators {
  constructor(private readonly storage: Storage, private readonly random: Random) {}

  /** Adds an operator; resolves to the token (shown once, never stored). */
  async add(name: string, role: string, nowMs: number): Promise<string> {
    if (!NAME.test(name)) throw new TesseraError('ADMIN_OPERATOR_INVALID', 'operator name must be 1-32 chars [a-z0-9._-], starting with a letter', { field: 'name' });
    if (!isOperatorRole(role)) throw new TesseraError('ADMIN_OPERATOR_INVALID', `role must be one of ${OPERATOR_ROLES.join(', ')}`, { field: 'role', role: role.slice(0, 16) });
    const token = OPERATOR_TOKEN_PREFIX + this.random.bytes(32).toString('base64url');
    await this.storage.transact(async (tx) => {
      if (await tx.get('SELECT name FROM admin_operators WHERE name = ?', [name])) {
        throw new TesseraError('ADMIN_OPERATOR_EXISTS', `operator ${name} exists`, { name });
      }
      await tx.run('INSERT INTO admin_operators (name, role, token_hash, created_ms, revoked_ms) VALUES (?,?,?,?,?)', [name, role, hashToken(token), nowMs, null]);
    });
    return token;
  }

  /** Revokes an operator's token; true when it was current. */
  async revoke(name: string, nowMs: number): Promise<boolean> {
    const r = await this.storage.transact((tx) => tx.run('UPDATE admin_operators SET revoked_ms = ? WHERE name = ? AND revoked_ms IS NULL', [nowMs, name]));
    return r.changes > 0;
  }

  /** The operator a token stands for, or null (unknown or revoked). */
  async verify(token: string): Promise<Operator | null> {
    if (!token.startsWith(OPERATOR_TOKEN_PREFIX) || token.length > 128) return null;
    const row = await this.storage.read((q) =>
      q.get<{ name: string; role: string }>('SELECT name, role FROM admin_operators WHERE token_hash = ? AND revoked_ms IS NULL', [hashToken(token)]),
    );
    if (!row || !isOperatorRole(row.role)) return null;
    return { name: row.name, role: row.role };
  }

  async list(): Promise<OperatorRow[]> {
    const rows = await this.storage.read((q) =>
      q.all<{ name: string; role: string; created_ms: number | string; revoked_ms: number | string | null }>(
        'SELECT name, role, created_ms, revoked_ms FROM admin_operators ORDER BY name',
      ),
    );
    return rows.map((r) => ({
      name: r.name,
      role: isOperatorRole(r.role) ? r.role : 'viewer',
      createdAtMs: Number(r.created_ms),
      revokedAtMs: r.revoked_ms === null ? null : Number(r.revoked_ms),
    }));
  }
}
