import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';

/**
 * `tessera vendor ...`: the simulated software vendor and goods seller paid
 * through prepaid media (seed 000; sim/vendor/README.md).
 *
 *   tessera vendor keygen --out FILE                 a new Ed25519 signing key seed (0600); prints the public key
 *   tessera vendor serve --config FILE               its own process; one JSON ready line {"ready":true,"url":…,"port":…,"vendorId":…,"publicKey":…}, until SIGTERM
 *   tessera vendor orders --config FILE [--json]     the orders, newest first
 *   tessera vendor statement --config FILE [--json]  paid orders against the prepaid center's statement, and the payouts
 */
export function registerVendor(program: Command): void {
  const vendor = program.command('vendor').description('simulated shareware vendor and goods seller paid through prepaid media, its own process and database');
  const load = async (config: string) => {
    const [{ loadVendorConfig }, serve] = await Promise.all([import('../../sim/vendor/config.js'), import('../../sim/vendor/serve.js')]);
    return { config: loadVendorConfig(config), serve };
  };
  const print = (json: boolean | undefined, value: unknown, text: string): void => {
    process.stdout.write(`${json ? JSON.stringify(value) : text}\n`);
  };

  vendor
    .command('keygen')
    .description('write a new receipt signing key (Ed25519 seed, 64 hex) to a new 0600 file; prints the public key')
    .requiredOption('--out <file>', 'the key file to create (refused if it exists)')
    .option('--json', 'print JSON')
    .action(async (o: { out: string; json?: boolean }) => {
      const [{ writeSigningSeed }, { receiptKeyId, receiptPublicKeyRaw, receiptSigningKey }] = await Promise.all([import('../../sim/vendor/serve.js'), import('../../protocol/prepaid/receipt.js')]);
      const seed = await writeSigningSeed(o.out);
      const pub = receiptPublicKeyRaw(receiptSigningKey(seed));
      seed.fill(0);
      print(o.json, { keyFile: o.out, publicKey: pub.toString('hex'), keyId: receiptKeyId(pub) }, `wrote ${o.out}; public key ${pub.toString('hex')} (key id ${receiptKeyId(pub)})`);
    });

  vendor
    .command('serve')
    .description('run the vendor: catalogue, orders, receipts for payments the prepaid center confirms')
    .requiredOption('-c, --config <file>', 'vendor config (JSON; see sim/vendor/config.ts)')
    .action(async (o: { config: string }) => {
      const { config, serve } = await load(o.config);
      const { untilSignal } = await import('../until-signal.js');
      const served = await serve.serveVendor(config, o.config);
      const info = served.vendor.info();
      process.stdout.write(`${JSON.stringify({ ready: true, url: served.url, port: served.port, vendorId: info.vendorId, publicKey: info.publicKey, keyId: info.keyId })}\n`);
      await untilSignal();
      await served.close();
    });

  const withVendor = async (configPath: string, fn: (v: import('../../sim/vendor/vendor.js').Vendor) => Promise<void>): Promise<void> => {
    const { config, serve } = await load(configPath);
    const opened = serve.openVendor(config, { base: dirname(resolve(configPath)) });
    try {
      await fn(opened.vendor);
    } finally {
      await opened.close();
    }
  };

  vendor
    .command('orders')
    .description('the orders, newest first')
    .requiredOption('-c, --config <file>', 'vendor config')
    .option('--json', 'print JSON')
    .action(async (o: { config: string; json?: boolean }) =>
      withVendor(o.config, async (v) => {
        const orders = v.store.list().map(({ receipt, ...x }) => ({ ...x, receipt: receipt ? receipt.toString('base64') : null }));
        print(o.json, { orders }, orders.map((x) => `${x.orderId}  ${x.state.padEnd(4)} ${x.itemCode}  ${x.amountMinor} ${x.currency}${x.requestId ? `  payment ${x.requestId}` : ''}${x.licenceKey ? `  licence ${x.licenceKey}` : ''}`).join('\n') || 'no orders');
      }),
    );

  vendor
    .command('statement')
    .description('reconcile: the paid orders against the prepaid center\'s statement (merchant API), and the payouts to the vendor\'s bank')
    .requiredOption('-c, --config <file>', 'vendor config')
    .option('--json', 'print JSON')
    .action(async (o: { config: string; json?: boolean }) =>
      withVendor(o.config, async (v) => {
        const r = await v.reconcile();
        const lines = [
          `orders paid ${r.ordersPaid} (${r.ordersPaidMinor}); prepaid center: ${r.centerPayments} payments (${r.centerPaidMinor}); unclaimed ${r.unclaimedMinor}`,
          `paid out ${r.paidOutMinor}, pending ${r.pendingMinor}, payable ${r.payableMinor}`,
          ...r.payouts.map((p) => `  ${p.payoutId}  ${p.state.padEnd(7)} ${p.amountMinor}  transfer ${p.transferId}${p.code ? `  ${p.code}` : ''}`),
        ];
        print(o.json, r, lines.join('\n'));
      }),
    );
}
