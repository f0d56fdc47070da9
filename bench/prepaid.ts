/**
 * `npm run bench -- prepaid [--json] [--uses N]`
 *
 * Issue 13's figure: one use of a rewritable prepaid medium end to end, as
 * the demo and `tessera client` run it, every party on loopback in this
 * process: the PC (PrepaidClient on a mount directory, DirRemovableStore:
 * temp file, fsync, rename) orders a shareware registration from the vendor
 * (sim/vendor over HTTP), pays it through the provider center (HTTPS, TLS
 * 1.3, pinned SPKI; its own SQLite record) which relays to the prepaid
 * center (the framed, MAC'd terminal protocol to startCenter with the
 * validity, merchant API and prepaid modules, SQLite WAL synchronous=FULL):
 * the rotation (S31-S41) answers the sealed next generation, the PC writes
 * it into the other slot and confirms it (S43, the old key erased); the
 * vendor checks the payment on the merchant API and answers its signed
 * receipt with the licence key, which the PC stores on the medium.
 * p50/p99 of the whole use, and the share of each hop in the mean: the
 * vendor (order + receipt, HTTP and the merchant API), the medium (reads
 * and atomic writes), the PC↔provider hop (HTTPS and the provider's own
 * record, less what it waits on the center), the provider↔center hop (the
 * framed session, less the prepaid api), the prepaid center's api (use and
 * confirm: rotation, ledger, commit), and the PC's own work (proofs, AEAD).
 * Against, in the same run, the same round trips with empty handlers: two
 * pinned HTTPS requests to a server answering `{}`, two framed pings to the
 * same center over the provider's session, two HTTP requests to the
 * vendor's GET /vendor, and the same medium writes of the same sizes.
 * The run ends with the ledger audit (the prepaid checks).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { auditLedger } from '../center/ledger/audit.js';
import { MerchantRegistry } from '../center/merchant-api/merchants.js';
import { merchantApiModule } from '../center/merchant-api/module.js';
import { PREPAID_AUDIT } from '../center/prepaid/audit-check.js';
import { PREPAID_MODULE, prepaidModule } from '../center/prepaid/module.js';
import type { Prepaid } from '../center/prepaid/prepaid.js';
import { providerConfigSchema } from '../center/provider/config-schema.js';
import { prepaidLink, type PrepaidLink } from '../center/provider/prepaid-link.js';
import { startProvider } from '../center/provider/server.js';
import { parseCenterConfig } from '../center/server/config.js';
import { startCenter } from '../center/server/start-center.js';
import { deriveTerminalKey } from '../center/server/terminal-keys.js';
import { openStorage } from '../center/storage/open.js';
import { validityModule } from '../center/validity/module.js';
import { ValidityRepository } from '../center/validity/repository.js';
import { systemClock } from '../core/clock.js';
import { errorCode } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { systemRandom } from '../core/random.js';
import { verifyReceipt } from '../protocol/prepaid/receipt.js';
import { SLOT_FILES } from '../protocol/prepaid/slots.js';
import { selfSignedPair } from '../sim/demo/prepaid/setup.js';
import { parseVendorConfig } from '../sim/vendor/config.js';
import { serveVendor, writeSigningSeed } from '../sim/vendor/serve.js';
import { freeLoopbackPort } from '../sim/world/terminals.js';
import { DirRemovableStore } from '../terminal/devices/files/dir-removable-store.js';
import type { RemovableStore } from '../terminal/devices/removable-store.js';
import { PrepaidClient, receiptFile } from '../terminal/prepaid-client/client.js';
import { providerLink, type ProviderLink } from '../terminal/prepaid-client/provider-link.js';
import { round } from './_commit.js';
import { percentileMs } from './voucher.js';

const ISSUER = 7;
const PROVIDER = 'PROV-BENCH';
const VENDOR = 'VENDOR-BENCH';
const MERCHANT = 'bench-vendor';
const ITEM = 'SW-EDITOR';

interface Options {
  readonly uses: number;
}

function parseOptions(args: string[]): Options {
  let uses = 200;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--uses') uses = Number(args[++i]);
    else throw new Error(`unknown option ${args[i]}`);
  }
  if (!Number.isSafeInteger(uses) || uses < 2) throw new Error('--uses: an integer >= 2');
  return { uses };
}

/** Wall milliseconds while at least one wrapped call is in flight (the PC reads both slots at once), reset per use. */
class Meter {
  ms = 0;
  private active = 0;
  private since = 0;
  async time<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active++ === 0) this.since = performance.now();
    try {
      return await fn();
    } finally {
      if (--this.active === 0) this.ms += performance.now() - this.since;
    }
  }
}

const HOPS = ['vendor', 'medium', 'pcProvider', 'providerCenter', 'prepaidApi', 'pc'] as const;
type Hop = (typeof HOPS)[number];

export async function run(args: string[], report: (line: string) => void): Promise<Record<string, unknown>> {
  const o = parseOptions(args);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-prepaid-'));
  const closers: Array<() => Promise<unknown>> = [];
  report(`prepaid bench: ${o.uses} uses (PC → provider → prepaid center → vendor → back, with the medium rewrite and confirm), one at a time`);
  try {
    const storage = await openStorage({ engine: 'sqlite', path: join(dir, 'center.db') });
    closers.unshift(() => storage.close());
    const masterKey = randomBytes(32);
    const masterKeyFile = join(dir, 'master.key');
    writeFileSync(masterKeyFile, masterKey.toString('hex'), { mode: 0o600 });
    const merchants = await MerchantRegistry.open(storage, systemClock, systemRandom);
    await merchants.add(MERCHANT);
    const apiKeyFile = join(dir, 'vendor-api.key');
    writeFileSync(apiKeyFile, `${(await merchants.addKey(MERCHANT, 'bench vendor')).key}\n`, { mode: 0o600 });
    await (await ValidityRepository.open(storage)).addTerminals([{ id: PROVIDER, ownerKind: 'store', ownerId: PROVIDER, keyRef: `k-${PROVIDER}` }]);
    const merchantPort = await freeLoopbackPort();
    const modules = [
      validityModule(), merchantApiModule(),
      prepaidModule({ secrets: { masterKey: randomBytes(32), issuerId: ISSUER, currency: 'JPY' }, providers: [PROVIDER], vendors: [{ vendorId: VENDOR, merchant: MERCHANT }], sweepIntervalMs: null }),
    ];
    const config = parseCenterConfig({ listen: { host: '127.0.0.1', port: 0 }, terminalKeys: { masterKeyFile }, merchantApi: { host: '127.0.0.1', port: merchantPort } }, modules);
    const center = await startCenter(config, modules, { storage, log: silentLogger });
    closers.unshift(() => center.close());
    const prepaid = center.module<Prepaid>(PREPAID_MODULE);

    // The prepaid center's api, timed where the flow calls it.
    const apiMeter = new Meter();
    const use = prepaid.use.bind(prepaid);
    const confirm = prepaid.confirm.bind(prepaid);
    prepaid.use = (...a: Parameters<Prepaid['use']>) => apiMeter.time(() => use(...a));
    prepaid.confirm = (...a: Parameters<Prepaid['confirm']>) => apiMeter.time(() => confirm(...a));

    // The provider center, its link to the prepaid center timed.
    const tls = selfSignedPair(dir);
    const linkMeter = new Meter();
    const terminalKey = deriveTerminalKey(masterKey, `k-${PROVIDER}`);
    const centers = [{ host: '127.0.0.1', port: center.address.port }];
    const inner = prepaidLink({ terminalId: PROVIDER, terminalKey, centers, clock: systemClock, random: systemRandom, log: silentLogger });
    const timedLink: PrepaidLink = { request: (m) => linkMeter.time(() => inner.request(m)), close: () => inner.close() };
    const keyFile = join(dir, 'provider-terminal.key');
    writeFileSync(keyFile, `${terminalKey.toString('hex')}\n`, { mode: 0o600 });
    const provider = await startProvider(
      providerConfigSchema.parse({
        providerId: PROVIDER, db: join(dir, 'provider.db'), listen: { host: '127.0.0.1', port: 0 }, tls,
        prepaidCenter: { centers, keyFile, issuerId: ISSUER, currency: 'JPY' },
      }),
      { clock: systemClock, random: systemRandom, log: silentLogger, link: timedLink },
    );
    closers.unshift(() => provider.close());

    const signingKeyFile = join(dir, 'vendor-signing.key');
    await writeSigningSeed(signingKeyFile);
    const vendor = await serveVendor(
      parseVendorConfig({ vendorId: VENDOR, db: join(dir, 'vendor.db'), listen: { host: '127.0.0.1', port: 0 }, signingKeyFile, merchantApi: { url: `http://127.0.0.1:${merchantPort}`, apiKeyFile } }),
      join(dir, 'vendor.json'),
    );
    closers.unshift(() => vendor.close());
    const vendorKey = Buffer.from(vendor.vendor.info().publicKey, 'hex');

    // The medium: issued with enough for every use, written, confirmed.
    const mount = join(dir, 'medium');
    mkdirSync(mount);
    const price = vendor.vendor.item(ITEM).priceMinor;
    const issued = await prepaid.issue({ requestId: randomBytes(16).toString('hex'), amountMinor: price * (o.uses + 10), currency: 'JPY', terminalId: 'KIOSK-BENCH' });
    const raw = new DirRemovableStore({ mountDir: mount });
    closers.unshift(() => raw.close());
    await raw.writeFile(SLOT_FILES[0], issued.file!);
    await prepaid.confirm(issued.file!, 'KIOSK-BENCH');

    const storeMeter = new Meter();
    const store: RemovableStore = Object.assign(Object.create(raw) as RemovableStore, {
      readFile: (n: string) => storeMeter.time(() => raw.readFile(n)),
      writeFile: (n: string, d: Buffer) => storeMeter.time(() => raw.writeFile(n, d)),
      deleteFile: (n: string) => storeMeter.time(() => raw.deleteFile(n)),
    });
    const pcMeter = new Meter();
    const https = providerLink({ url: provider.url.replace('localhost', '127.0.0.1'), spkiPin: provider.spkiPin });
    const timedHttps: ProviderLink = { post: (p, b) => pcMeter.time(() => https.post(p, b)), get: (p) => pcMeter.time(() => https.get(p)) };
    const client = new PrepaidClient(store, timedHttps, systemRandom);
    const vendorMeter = new Meter();
    const http = (method: 'GET' | 'POST', url: string, body?: unknown): Promise<Record<string, unknown>> =>
      vendorMeter.time(async () => {
        const res = await fetch(url, { method, ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
        const j = (await res.json()) as Record<string, unknown>;
        if (!res.ok) throw Object.assign(new Error(`${url}: ${res.status}`), { code: (j['error'] as { code?: string } | undefined)?.code ?? `HTTP_${res.status}` });
        return j;
      });

    const totals: number[] = [];
    const sums: Record<Hop, number> = { vendor: 0, medium: 0, pcProvider: 0, providerCenter: 0, prepaidApi: 0, pc: 0 };
    let failed = 0;
    let firstError: string | null = null;
    let fileBytes = 0;
    let receiptBytes = 0;
    const warmup = 3;
    for (let i = 0; i < o.uses + warmup; i++) {
      for (const m of [apiMeter, linkMeter, storeMeter, pcMeter, vendorMeter]) m.ms = 0;
      const t0 = performance.now();
      try {
        const order = await http('POST', `${vendor.url}/orders`, { itemCode: ITEM });
        const r = await client.pay({ service: 'vendor', payee: String(order['payee']), amountMinor: Number(order['amountMinor']), currency: 'JPY' });
        const paid = await http('POST', `${vendor.url}/orders/${String(order['orderId'])}/payment`, { requestId: r.requestId });
        const receipt = Buffer.from(String(paid['receipt']), 'base64');
        verifyReceipt(receipt, vendorKey);
        await store.writeFile(receiptFile(r.requestId!), receipt);
        receiptBytes = receipt.length;
      } catch (e) {
        failed++;
        firstError ??= errorCode(e);
        continue;
      }
      const total = performance.now() - t0;
      if (i < warmup) continue;
      totals.push(total);
      sums.vendor += vendorMeter.ms;
      sums.medium += storeMeter.ms;
      sums.pcProvider += pcMeter.ms - linkMeter.ms;
      sums.providerCenter += linkMeter.ms - apiMeter.ms;
      sums.prepaidApi += apiMeter.ms;
      sums.pc += total - vendorMeter.ms - storeMeter.ms - pcMeter.ms;
    }
    fileBytes = (await client.read()).view.bytes.length;
    const useP50 = percentileMs(totals, 0.5);
    const useP99 = percentileMs(totals, 0.99);
    const totalMs = totals.reduce((a, b) => a + b, 0);
    const share = Object.fromEntries(HOPS.map((h) => [h, totalMs === 0 ? 0 : round(sums[h] / totalMs)])) as Record<Hop, number>;
    const meanMs = Object.fromEntries(HOPS.map((h) => [h, totals.length === 0 ? 0 : round(sums[h] / totals.length)])) as Record<Hop, number>;
    report(`use: p50 ${useP50} ms, p99 ${useP99} ms over ${totals.length}; share ${HOPS.map((h) => `${h} ${Math.round(share[h] * 100)}%`).join(', ')}${failed ? `; failed ${failed} (${firstError})` : ''}`);

    // The same round trips with empty handlers, in the same run.
    const empty = createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), minVersion: 'TLSv1.3' }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      });
    });
    await new Promise<void>((r) => empty.listen(0, '127.0.0.1', r));
    closers.unshift(() => new Promise((r) => empty.close(() => r(undefined))));
    const emptyLink = providerLink({ url: `https://127.0.0.1:${(empty.address() as AddressInfo).port}`, spkiPin: provider.spkiPin });
    const pingLink = prepaidLink({ terminalId: PROVIDER, terminalKey, centers, clock: systemClock, random: systemRandom, log: silentLogger });
    closers.unshift(() => pingLink.close());
    const emptyMount = join(dir, 'empty-medium');
    mkdirSync(emptyMount);
    const emptyStore = new DirRemovableStore({ mountDir: emptyMount });
    closers.unshift(() => emptyStore.close());
    const fileFill = randomBytes(fileBytes);
    const receiptFill = randomBytes(receiptBytes);
    const emptyTotals: number[] = [];
    const emptySums = { https: 0, framed: 0, vendorHttp: 0, medium: 0 };
    for (let i = 0; i < o.uses + warmup; i++) {
      const t0 = performance.now();
      const t: number[] = [t0];
      await emptyLink.post('/v1/prepaid/use', { x: 1 });
      await emptyLink.post('/v1/prepaid/confirm', { x: 1 });
      t.push(performance.now());
      await pingLink.request({ type: 'ping' });
      await pingLink.request({ type: 'ping' });
      t.push(performance.now());
      await (await fetch(`${vendor.url}/vendor`)).json();
      await (await fetch(`${vendor.url}/vendor`)).json();
      t.push(performance.now());
      // The same writes as a use: pending, the new slot, the receipt; the pending deleted.
      await emptyStore.writeFile('pending.json', Buffer.alloc(200, 0x20));
      await emptyStore.writeFile(SLOT_FILES[i % 2 === 0 ? 0 : 1], fileFill);
      await emptyStore.writeFile('receipt.bin', receiptFill);
      await emptyStore.deleteFile('pending.json');
      t.push(performance.now());
      if (i < warmup) continue;
      emptyTotals.push(t[4]! - t0);
      emptySums.https += t[1]! - t[0]!;
      emptySums.framed += t[2]! - t[1]!;
      emptySums.vendorHttp += t[3]! - t[2]!;
      emptySums.medium += t[4]! - t[3]!;
    }
    const emptyP50 = percentileMs(emptyTotals, 0.5);
    const emptyP99 = percentileMs(emptyTotals, 0.99);
    const n = Math.max(1, emptyTotals.length);
    const emptyMeanMs = { https: round(emptySums.https / n), framed: round(emptySums.framed / n), vendorHttp: round(emptySums.vendorHttp / n), medium: round(emptySums.medium / n) };
    report(`empty round trips: p50 ${emptyP50} ms, p99 ${emptyP99} ms (2 HTTPS ${emptyMeanMs.https} ms, 2 framed pings ${emptyMeanMs.framed} ms, 2 vendor HTTP ${emptyMeanMs.vendorHttp} ms, medium writes ${emptyMeanMs.medium} ms mean)`);

    const balance = (await prepaid.medium(issued.mediumId))?.balanceMinor ?? -1;
    const audit = await auditLedger(storage, [PREPAID_AUDIT]);
    return {
      suite: 'prepaid',
      uses: totals.length,
      failedUses: failed,
      ...(firstError && { firstError }),
      useP50Ms: useP50,
      useP99Ms: useP99,
      usesPerSec: round(totals.length / (totalMs / 1000)),
      hopShare: share,
      hopMeanMs: meanMs,
      emptyP50Ms: emptyP50,
      emptyP99Ms: emptyP99,
      emptyMeanMs,
      useToEmptyP50: emptyP50 === 0 ? 0 : round(useP50 / emptyP50),
      fileBytes,
      balanceOk: balance === issued.balanceMinor - price * (o.uses + warmup - failed),
      auditOk: audit.ok,
    };
  } finally {
    for (const c of closers) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
