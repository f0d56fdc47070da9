import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { systemRandom } from '../../core/random.js';
import { MerchantRegistry, type ApiKeyInfo, type Merchant } from '../../center/merchant-api/merchants.js';
import { openStorage, parseStorageTarget } from '../../center/storage/open.js';

interface DbOpts {
  db: string;
  json?: boolean;
}

/**
 * `tessera merchant …`: merchants of the merchant API (online shops, and
 * seed-004 shops by their shop id) and their API keys, on the center's
 * database (`--db`: the `db` of the center config). A new key is printed
 * once (or written to a 0600 file with --key-out) and stored only as a hash.
 *
 *   tessera merchant add NAME [--shop SHOP_ID] [--label L] [--key-out FILE]   the merchant and its first key
 *   tessera merchant list
 *   tessera merchant key add NAME [--label L] [--key-out FILE]                 another key (rotation)
 *   tessera merchant key list NAME
 *   tessera merchant key revoke KEY_ID
 */
export function registerMerchant(program: Command): void {
  const merchant = program.command('merchant').description('merchants of the merchant API (online shops) and their API keys');
  const db = (c: Command): Command =>
    c.requiredOption('--db <target>', 'center database (the center config\'s db): SQLite file path or postgres:// URL').option('--json', 'print JSON');

  db(merchant.command('add <name>').description('register a merchant and print its first API key (shown once)'))
    .option('--shop <shopId>', 'the seed-004 shop id this merchant is (its settlements and payouts)')
    .option('--label <label>', 'a label for the key')
    .option('--key-out <file>', 'write the key to this new file (mode 0600) instead of printing it')
    .action(async (name: string, o: DbOpts & { shop?: string; label?: string; keyOut?: string }) =>
      withRegistry(o, async (reg) => {
        const m = await reg.add(name, o.shop ?? null);
        const k = await reg.addKey(name, o.label ?? null);
        printKey(o, { merchant: m, ...k });
      }),
    );

  db(merchant.command('list').description('list merchants')).action(async (o: DbOpts) =>
    withRegistry(o, async (reg) => {
      const list = await reg.list();
      if (o.json) return out(JSON.stringify({ merchants: list }));
      out(list.length === 0 ? 'no merchants' : list.map(merchantLine).join('\n'));
    }),
  );

  const key = merchant.command('key').description('API keys of a merchant');
  db(key.command('add <name>').description('add an API key to a merchant (shown once; several keys allow rotation)'))
    .option('--label <label>', 'a label for the key')
    .option('--key-out <file>', 'write the key to this new file (mode 0600) instead of printing it')
    .action(async (name: string, o: DbOpts & { label?: string; keyOut?: string }) =>
      withRegistry(o, async (reg) => printKey(o, { merchant: await reg.byName(name), ...(await reg.addKey(name, o.label ?? null)) })),
    );
  db(key.command('list <name>').description('list a merchant\'s keys (ids and state; never the keys)')).action(async (name: string, o: DbOpts) =>
    withRegistry(o, async (reg) => {
      const keys = await reg.listKeys(name);
      if (o.json) return out(JSON.stringify({ keys }));
      out(keys.length === 0 ? 'no keys' : keys.map(keyLine).join('\n'));
    }),
  );
  db(key.command('revoke <keyId>').description('revoke an API key at once')).action(async (keyId: string, o: DbOpts) =>
    withRegistry(o, async (reg) => {
      const k = await reg.revokeKey(keyId);
      out(o.json ? JSON.stringify({ key: k }) : `revoked ${keyLine(k)}`);
    }),
  );
}

async function withRegistry(o: DbOpts, fn: (reg: MerchantRegistry) => Promise<void>): Promise<void> {
  const storage = await openStorage(parseStorageTarget(o.db));
  try {
    await fn(await MerchantRegistry.open(storage, systemClock, systemRandom));
  } finally {
    await storage.close();
  }
}

function printKey(o: DbOpts & { keyOut?: string }, k: { merchant: Merchant; keyId: string; key: string }): void {
  if (o.keyOut) {
    try {
      writeFileSync(o.keyOut, `${k.key}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      throw new TesseraError('CLI_BAD_ARGUMENT', 'cannot create the key file (it must not exist yet)', { path: o.keyOut }, { cause: e });
    }
  }
  const shown = o.keyOut ? { keyFile: o.keyOut } : { key: k.key };
  if (o.json) return out(JSON.stringify({ merchant: k.merchant, keyId: k.keyId, ...shown }));
  out(merchantLine(k.merchant));
  out(`key id ${k.keyId}`);
  out(o.keyOut ? `key written to ${o.keyOut} (mode 0600)` : `API key (shown once, stored only as a hash): ${k.key}`);
}

function merchantLine(m: Merchant): string {
  return `${m.name.padEnd(24)} ${m.id}  shop ${m.shopId ?? '-'}`;
}

function keyLine(k: ApiKeyInfo): string {
  return `${k.keyId}  ${k.revokedMs === null ? 'active ' : 'revoked'}  ${k.label ?? ''}`.trimEnd();
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}
