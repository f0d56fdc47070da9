/**
 * Merchants (online shops, and seed-004 shops mapped by their shop id) and
 * their API keys: added by operators (`tessera merchant ...`), used by the
 * merchant API to authenticate every request.
 */
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import { toSafeInt, toSafeIntOrNull } from '../storage/ints.js';
import type { SqlExecutor, Storage } from '../storage/types.js';
import { KEY_ID_RE, newApiKey, parseApiKey, secretMatches, storedHashBytes } from './api-keys.js';
import { MERCHANT_LIMITS } from './limits.js';
import { merchantApiMigrations } from './schema.js';

export interface Merchant {
  readonly id: string;
  readonly name: string;
  /** The seed-004 shop id this merchant is (emoney_batches.shop_id), or null. */
  readonly shopId: string | null;
  readonly createdMs: number;
}

export interface ApiKeyInfo {
  readonly keyId: string;
  readonly merchantId: string;
  readonly label: string | null;
  readonly createdMs: number;
  readonly revokedMs: number | null;
}

/** The caller a request was authenticated as (the key id is safe to log; the key is not). */
export interface MerchantPrincipal {
  readonly merchant: Merchant;
  readonly keyId: string;
}

const NAME_RE = /^[A-Za-z0-9._-]{1,64}$/;
const SHOP_RE = /^[\x21-\x7e]{1,64}$/;
const LABEL_RE = /^[\x20-\x7e]{0,64}$/;

type MerchantRow = { id: string; name: string; shop_id: string | null; created_ms: unknown };

function merchantFromRow(r: MerchantRow): Merchant {
  return { id: r.id, name: r.name, shopId: r.shop_id, createdMs: toSafeInt(r.created_ms, 'merchants.created_ms') };
}

interface CachedKey {
  /** The stored SHA-256 of the secret, as bytes. */
  readonly secretHash: Buffer;
  readonly principal: MerchantPrincipal;
  readonly expiresMonoMs: number;
}

export class MerchantRegistry {
  /** Verified, unrevoked keys by key id (MERCHANT_LIMITS.apiKeyCacheTtlMs): see authenticate. */
  private readonly verified = new Map<string, CachedKey>();

  private constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  static async open(storage: Storage, clock: Clock, random: Random): Promise<MerchantRegistry> {
    await storage.migrate(merchantApiMigrations);
    return new MerchantRegistry(storage, clock, random);
  }

  async add(name: string, shopId: string | null = null): Promise<Merchant> {
    if (!NAME_RE.test(name)) throw new TesseraError('MERCHANT_INVALID_INPUT', 'merchant name must be 1-64 chars [A-Za-z0-9._-]', { field: 'name' });
    if (shopId !== null && !SHOP_RE.test(shopId)) throw new TesseraError('MERCHANT_INVALID_INPUT', 'shop id must be 1-64 printable chars', { field: 'shopId' });
    const m: Merchant = { id: `m_${this.random.bytes(8).toString('hex')}`, name, shopId, createdMs: this.clock.nowMs() };
    return this.storage.transact(async (tx) => {
      const clash = await tx.get('SELECT name FROM merchants WHERE name = ? OR shop_id = ?', [name, shopId]);
      if (clash) throw new TesseraError('MERCHANT_DUPLICATE', 'a merchant with this name or shop id exists', { name, ...(shopId !== null && { shopId }) });
      await tx.run('INSERT INTO merchants (id, name, shop_id, created_ms) VALUES (?,?,?,?)', [m.id, m.name, m.shopId, m.createdMs]);
      return m;
    });
  }

  async list(): Promise<Merchant[]> {
    const rows = await this.storage.read((q) => q.all<MerchantRow>('SELECT * FROM merchants ORDER BY name'));
    return rows.map(merchantFromRow);
  }

  async byName(name: string): Promise<Merchant> {
    const r = await this.storage.read((q) => q.get<MerchantRow>('SELECT * FROM merchants WHERE name = ?', [name]));
    if (!r) throw new TesseraError('MERCHANT_UNKNOWN', 'no merchant with this name', { name });
    return merchantFromRow(r);
  }

  /** A new API key for the merchant: the clear key is returned here once and never stored. */
  async addKey(merchantName: string, label: string | null = null): Promise<{ keyId: string; key: string }> {
    if (label !== null && !LABEL_RE.test(label)) throw new TesseraError('MERCHANT_INVALID_INPUT', 'key label must be 0-64 printable ASCII chars', { field: 'label' });
    const k = newApiKey(this.random);
    await this.storage.transact(async (tx) => {
      const m = await tx.get<{ id: string }>(`SELECT id FROM merchants WHERE name = ?${tx.forUpdate}`, [merchantName]);
      if (!m) throw new TesseraError('MERCHANT_UNKNOWN', 'no merchant with this name', { name: merchantName });
      const active = await tx.get('SELECT COUNT(*) AS n FROM merchant_api_keys WHERE merchant_id = ? AND revoked_ms IS NULL', [m.id]);
      if (toSafeInt(active?.['n'] ?? 0, 'count') >= MERCHANT_LIMITS.activeKeysPerMerchantMax) {
        throw new TesseraError('MERCHANT_TOO_MANY_KEYS', 'the merchant has the most active keys allowed', { name: merchantName, max: MERCHANT_LIMITS.activeKeysPerMerchantMax });
      }
      // seq: the merchant's keys in the order they were added (created_ms alone ties within a millisecond).
      await tx.run(
        'INSERT INTO merchant_api_keys (id, merchant_id, secret_hash, label, created_ms, revoked_ms, seq) VALUES (?,?,?,?,?,NULL,(SELECT COALESCE(MAX(seq), 0) + 1 FROM merchant_api_keys WHERE merchant_id = ?))',
        [k.keyId, m.id, k.secretHash, label, this.clock.nowMs(), m.id],
      );
    });
    return { keyId: k.keyId, key: k.key };
  }

  /** Revokes a key at once (every later request with it is MERCHANT_KEY_REVOKED). Revoking twice is a no-op. */
  async revokeKey(keyId: string): Promise<ApiKeyInfo> {
    if (!KEY_ID_RE.test(keyId)) throw new TesseraError('MERCHANT_INVALID_INPUT', 'key id must be 16 lowercase hex chars', { field: 'keyId' });
    // Dropped before and after the commit: no request verified meanwhile keeps it cached.
    this.verified.delete(keyId);
    try {
      return await this.revokeKeyTx(keyId);
    } finally {
      this.verified.delete(keyId);
    }
  }

  private revokeKeyTx(keyId: string): Promise<ApiKeyInfo> {
    return this.storage.transact(async (tx) => {
      await tx.run('UPDATE merchant_api_keys SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL', [this.clock.nowMs(), keyId]);
      const info = await keyInfo(tx, keyId);
      if (!info) throw new TesseraError('MERCHANT_UNKNOWN', 'no API key with this id', { keyId });
      return info;
    });
  }

  async listKeys(merchantName: string): Promise<ApiKeyInfo[]> {
    const m = await this.byName(merchantName);
    const rows = await this.storage.read((q) => q.all('SELECT id FROM merchant_api_keys WHERE merchant_id = ? ORDER BY created_ms, seq, id', [m.id]));
    return this.storage.read(async (q) => (await Promise.all(rows.map((r) => keyInfo(q, String(r['id']))))).filter((k): k is ApiKeyInfo => k !== undefined));
  }

  /**
   * authenticate's answer when it needs no database read (a malformed key, or
   * a key verified within the TTL: its principal, or null for a wrong secret);
   * undefined when only authenticate can tell. Synchronous, for the HTTP
   * surface's hook (no promise per request).
   */
  authenticateCached(presented: string): MerchantPrincipal | null | undefined {
    const parsed = parseApiKey(presented);
    if (!parsed) return null;
    const hit = this.verified.get(parsed.keyId);
    if (hit === undefined) return undefined;
    if (hit.expiresMonoMs <= this.clock.monoMs()) {
      this.verified.delete(parsed.keyId);
      return undefined;
    }
    return secretMatches(parsed.secret, hit.secretHash) ? hit.principal : null;
  }

  /**
   * The merchant a presented key belongs to; null for a malformed or unknown
   * key (the HTTP surface answers MERCHANT_UNAUTHENTICATED), MERCHANT_KEY_REVOKED
   * for a revoked one. The key itself is never in an error or a log line.
   *
   * A verified key's stored hash and merchant are remembered for
   * MERCHANT_LIMITS.apiKeyCacheTtlMs (the presented secret is still hashed and
   * compared in constant time on every request); revokeKey in this process
   * drops the entry at once, a revocation elsewhere is seen within the TTL.
   * Unknown, wrong and revoked keys are never remembered.
   */
  async authenticate(presented: string): Promise<MerchantPrincipal | null> {
    const known = this.authenticateCached(presented);
    if (known !== undefined) return known;
    const parsed = parseApiKey(presented);
    if (!parsed) return null;
    const nowMs = this.clock.monoMs();
    const row = await this.storage.read((q) =>
      q.get<MerchantRow & { secret_hash: string; revoked_ms: unknown }>(
        'SELECT m.id, m.name, m.shop_id, m.created_ms, k.secret_hash, k.revoked_ms FROM merchant_api_keys k JOIN merchants m ON m.id = k.merchant_id WHERE k.id = ?',
        [parsed.keyId],
      ),
    );
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
    if (row.revoked_ms !== null) throw new TesseraError('MERCHANT_KEY_REVOKED', 'the API key was revoked', { keyId: parsed.keyId });
    const principal: MerchantPrincipal = { merchant: merchantFromRow(row), keyId: parsed.keyId };
    this.verified.set(parsed.keyId, { secretHash: storedHashBytes(row.secret_hash), principal, expiresMonoMs: nowMs + MERCHANT_LIMITS.apiKeyCacheTtlMs });
    if (this.verified.size > MERCHANT_LIMITS.apiKeyCacheEntriesMax) this.verified.delete(this.verified.keys().next().value!);
    return principal;
  }
}

async function keyInfo(q: SqlExecutor, keyId: string): Promise<ApiKeyInfo | undefined> {
  const r = await q.get('SELECT id, merchant_id, label, created_ms, revoked_ms FROM merchant_api_keys WHERE id = ?', [keyId]);
  if (!r) return undefined;
  return {
    keyId: String(r['id']),
    merchantId: String(r['merchant_id']),
    label: r['label'] === null ? null : String(r['label']),
    createdMs: toSafeInt(r['created_ms'], 'merchant_api_keys.created_ms'),
    revokedMs: toSafeIntOrNull(r['revoked_ms'], 'merchant_api_keys.revoked_ms'),
  };
}
