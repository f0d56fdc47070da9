/**
 * The merchant registry remembers a verified API key for
 * MERCHANT_LIMITS.apiKeyCacheTtlMs (no key-table read per request); a
 * revocation in the same process is seen on the next request, one made by
 * another process (the CLI, another node) within the TTL. Real SQLite file
 * shared by two registries, as the center and `tessera merchant key revoke` do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { TesseraError } from '../../../core/errors.js';
import { systemRandom } from '../../../core/random.js';
import { MERCHANT_LIMITS } from '../../../center/merchant-api/limits.js';
import { MerchantRegistry } from '../../../center/merchant-api/merchants.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';

let dir: string;
let center: Storage;
let cli: Storage;
let clock: ManualClock;
let node: MerchantRegistry;
let other: MerchantRegistry;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'merchant-key-cache-'));
  clock = new ManualClock();
  center = await openStorage(join(dir, 'center.db'));
  node = await MerchantRegistry.open(center, clock, systemRandom);
  cli = await openStorage(join(dir, 'center.db'));
  other = await MerchantRegistry.open(cli, clock, systemRandom);
  await node.add('shop-a');
});

afterEach(async () => {
  await cli.close();
  await center.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    return e instanceof TesseraError ? e.code : 'other';
  }
}

describe('verified API key cache', () => {
  it('a key revoked in this process is refused on the very next request, though it was just verified', async () => {
    const k = await node.addKey('shop-a');
    expect((await node.authenticate(k.key))?.keyId).toBe(k.keyId);
    await node.revokeKey(k.keyId);
    expect(await refusal(node.authenticate(k.key))).toBe('MERCHANT_KEY_REVOKED');
  });

  it('a key revoked by another process is refused once the TTL has passed (and is served from the cache before)', async () => {
    const k = await node.addKey('shop-a');
    expect((await node.authenticate(k.key))?.keyId).toBe(k.keyId);
    await other.revokeKey(k.keyId);
    // The documented bound: within apiKeyCacheTtlMs this node has not re-read the key table.
    clock.advance(MERCHANT_LIMITS.apiKeyCacheTtlMs - 1);
    expect((await node.authenticate(k.key))?.keyId).toBe(k.keyId);
    clock.advance(1);
    expect(await refusal(node.authenticate(k.key))).toBe('MERCHANT_KEY_REVOKED');
  });

  it('a cached key id with a wrong secret is refused; unknown and revoked keys are never cached', async () => {
    const k = await node.addKey('shop-a');
    expect((await node.authenticate(k.key))?.keyId).toBe(k.keyId);
    const forged = `${k.key.slice(0, -4)}${k.key.endsWith('0000') ? '1111' : '0000'}`;
    expect(await node.authenticate(forged)).toBeNull();
    expect((await node.authenticate(k.key))?.keyId).toBe(k.keyId);
    // A key revoked before it was ever verified here stays refused (no negative entry turns into a positive one).
    const r = await node.addKey('shop-a');
    await other.revokeKey(r.keyId);
    expect(await refusal(node.authenticate(r.key))).toBe('MERCHANT_KEY_REVOKED');
    expect(await refusal(node.authenticate(r.key))).toBe('MERCHANT_KEY_REVOKED');
  });
});
