import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';

/**
 * `tessera webshop ...`: the simulated web shop paying with voucher PINs
 * through the merchant API (sim/webshop/README.md).
 *
 *   tessera webshop serve --config FILE          its own process; one JSON ready line {"ready":true,"url":…,"port":…}, until SIGTERM
 *   tessera webshop orders --config FILE [--json] the journal of orders, newest first
 *   tessera webshop capture ORDER --config FILE [--amount N]   ship: capture an authorised order
 *   tessera webshop cancel ORDER --config FILE                 cancel an authorised order
 *   tessera webshop refund ORDER --config FILE [--amount N]    refund (part of) a captured order
 */
export function registerWebshop(program: Command): void {
  const webshop = program.command('webshop').description('simulated web shop paying with voucher PINs through the merchant API, its own process and database');
  const load = async (config: string) => {
    const [{ loadWebshopConfig }, serve] = await Promise.all([import('../../sim/webshop/config.js'), import('../../sim/webshop/serve.js')]);
    return { config: loadWebshopConfig(config), serve };
  };
  webshop
    .command('serve')
    .description('run the shop: goods, checkout with one or more PINs, order pages, admin page')
    .requiredOption('-c, --config <file>', 'web shop config (JSON; see sim/webshop/config.ts)')
    .action(async (o: { config: string }) => {
      const { config, serve } = await load(o.config);
      const { untilSignal } = await import('../until-signal.js');
      const served = await serve.serveWebshop(config, o.config);
      process.stdout.write(`${JSON.stringify({ ready: true, url: served.url, port: served.port })}\n`);
      await untilSignal();
      await served.close();
    });

  const withShop = async (configPath: string, fn: (shop: import('../../sim/webshop/shop.js').Webshop) => Promise<void>): Promise<void> => {
    const { config, serve } = await load(configPath);
    const opened = serve.openWebshop(config, { base: dirname(resolve(configPath)) });
    try {
      await fn(opened.shop);
    } finally {
      await opened.close();
    }
  };
  const print = (json: boolean | undefined, value: unknown, text: string): void => {
    process.stdout.write(`${json ? JSON.stringify(value) : text}\n`);
  };
  const amountOf = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));

  webshop
    .command('orders')
    .description('the journal of orders, newest first')
    .requiredOption('-c, --config <file>', 'web shop config')
    .option('--json', 'print JSON')
    .action(async (o: { config: string; json?: boolean }) =>
      withShop(o.config, async (shop) => {
        const orders = shop.journal.list();
        print(o.json, { orders }, orders.map((x) => `${x.orderId}  ${x.state.padEnd(15)} ${x.sku} x${x.quantity}  ${x.amountMinor} ${x.currency}  captured ${x.capturedMinor} refunded ${x.refundedMinor}${x.lastCode ? `  ${x.lastCode}` : ''}`).join('\n') || 'no orders');
      }),
    );
  for (const step of ['capture', 'cancel', 'refund'] as const) {
    const c = webshop
      .command(`${step} <orderId>`)
      .description(step === 'capture' ? 'ship an authorised order: capture its amount' : step === 'cancel' ? 'cancel an authorised order: the value goes back to the cards' : 'refund a captured order to its cards')
      .requiredOption('-c, --config <file>', 'web shop config')
      .option('--json', 'print JSON');
    if (step !== 'cancel') c.option('--amount <minor>', step === 'capture' ? 'capture less than authorised (minor units)' : 'refund this much (minor units; default: all that is left)');
    c.action(async (orderId: string, o: { config: string; json?: boolean; amount?: string }) =>
      withShop(o.config, async (shop) => {
        const order = step === 'capture' ? await shop.capture(orderId, amountOf(o.amount)) : step === 'cancel' ? await shop.cancel(orderId) : await shop.refund(orderId, amountOf(o.amount));
        print(o.json, { order }, `${order.orderId}: ${order.state} (captured ${order.capturedMinor}, refunded ${order.refundedMinor} ${order.currency})`);
      }),
    );
  }
}
