import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';

/**
 * `tessera credit ...`: the simulated credit company (seed 003's issuer, sim/credit/README.md).
 *
 *   tessera credit serve --config FILE [--check]     its own process; one JSON ready line {"ready":true,"url":…,"port":…}, then event lines, until SIGTERM
 *   tessera credit order --url URL --customer ID --amount N --pin-file FILE [--order-id ID]   place an order
 *   tessera credit order --url URL --keypad            the card holder's keypad line: prompts on stdout, digits on stdin
 *   tessera credit orders --url URL [--json]           the journal of orders
 *   tessera credit lost-phone --url URL --customer ID [--device-key KEY]   a lost phone: its passwords revoked at the TTP, value refunded
 *   tessera credit work --url URL                      one worker pass now (open orders, the TTP's returns)
 *   tessera credit reconcile --url URL --day YYYY-MM-DD [--json]   books against the TTP's daily file; exit 1 on a difference
 */
export function registerCredit(program: Command): void {
  const credit = program.command('credit').description('simulated credit company ordering settlement passwords from the TTP, its own process and database');
  credit
    .command('serve')
    .description('run the credit company: orders, the TTP issue, returns and refunds, reconciliation')
    .requiredOption('-c, --config <file>', 'credit company config (JSON; see sim/credit/config.ts)')
    .option('--check', 'read the config and every secret file, print {"ok":true} and exit')
    .action(async (o: { config: string; check?: boolean }) => {
      const [{ loadCreditConfig }, serve] = await Promise.all([import('../../sim/credit/config.js'), import('../../sim/credit/serve.js')]);
      const config = loadCreditConfig(o.config);
      if (o.check) {
        serve.readCreditSecrets(config, dirname(resolve(o.config)));
        process.stdout.write(`${JSON.stringify({ ok: true, issuer: config.issuer, customers: config.customers.length, banks: config.banks.length })}\n`);
        return;
      }
      const { untilSignal } = await import('../until-signal.js');
      const print = (e: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(e)}\n`);
      const { createLogger } = await import('../../core/log.js');
      const served = await serve.serveCredit(config, o.config, { onEvent: print, log: createLogger('credit') });
      print({ ready: true, url: served.url, port: served.port });
      await untilSignal();
      await served.close();
    });

  const call = async (url: string, method: 'GET' | 'POST', path: string, body?: unknown, key?: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const { TesseraError } = await import('../../core/errors.js');
    let res: Response;
    try {
      res = await fetch(`${url.replace(/\/+$/, '')}${path}`, {
        method, headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(key !== undefined && { 'idempotency-key': key }) }, ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch {
      throw new TesseraError('CLI_BAD_ARGUMENT', `no answer from the credit company at ${url}`, { field: 'url' });
    }
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    const err = json['error'] as { code?: string; message?: string; details?: Record<string, unknown> } | undefined;
    if (!res.ok && err?.code) throw new TesseraError(err.code, err.message ?? '', err.details ?? {});
    return { status: res.status, body: json };
  };
  const say = (o: Record<string, unknown>): string => {
    const head = `order ${String(o['orderId'])}`;
    if (o['state'] !== 'issued') return `${head}: ${String(o['state'])}${o['code'] ? ` (${String(o['code'])})` : ''}`;
    const returned = Number(o['returnedMinor'] ?? 0);
    const refunded = Number(o['refundedMinor'] ?? 0);
    const cur = String(o['currency']);
    if (returned === 0) return `${head}: issued, serial ${String(o['serial'])}; the password is sent to ${String(o['channel'])} ${String(o['address'])}`;
    // Value came back from the TTP (delivery failed, expired, revoked, a single-use rest): say so, and whether the customer has it back.
    const why = (o['returnReasons'] as string[] | undefined)?.join(', ') || 'returned';
    const all = returned >= Number(o['amountMinor']);
    return `${head}: issued, serial ${String(o['serial'])}; ${all ? 'all of it' : `${returned} ${cur}`} came back from the TTP (${why}); ${refunded === returned ? `refunded to the customer: ${refunded} ${cur}` : `refund pending: ${returned - refunded} ${cur}`}`;
  };

  credit
    .command('order')
    .description('order a settlement password: by flags, or the keypad / voice-menu line (--keypad)')
    .requiredOption('--url <url>', "the credit company's HTTP API (its ready line's url)")
    .option('--keypad', 'the card holder\'s keypad line: spoken prompts on stdout, keyed digits (one answer a line, # optional) on stdin')
    .option('--customer <id>', 'customer id')
    .option('--amount <minor>', 'amount, minor units')
    .option('--pin-file <file>', 'file holding the bank PIN (mode 0600)')
    .option('--order-id <id>', 'the order id (a retry with the same id answers the same order)')
    .option('--json', 'print JSON')
    .action(async (o: { url: string; keypad?: boolean; customer?: string; amount?: string; pinFile?: string; orderId?: string; json?: boolean }) => {
      const { TesseraError } = await import('../../core/errors.js');
      let req: { customer: string; amountMinor: number; pin: string };
      if (o.keypad) {
        const [{ keypadDialogue, streamLine }, { createInterface }] = await Promise.all([import('../../sim/credit/keypad.js'), import('node:readline')]);
        const rl = createInterface({ input: process.stdin, terminal: false });
        // The line as keypadDialogue sees it, watched: did the input end, what was keyed last (to say why no order came of it).
        const line = streamLine(rl[Symbol.asyncIterator](), (s) => void process.stdout.write(s));
        let ended = false;
        let cancelled = false;
        const got = await keypadDialogue({
          say: (text) => {
            if (text.startsWith('Cancelled')) cancelled = true;
            line.say(text);
          },
          next: async () => {
            const raw = await line.next();
            if (raw === null) ended = true;
            return raw;
          },
        }, 'JPY');
        rl.close();
        if (!got) {
          const reason = ended ? 'input-ended' : cancelled ? 'cancelled' : 'invalid-entries';
          const text = { 'input-ended': 'the input ended before every answer was keyed', cancelled: 'the card holder cancelled', 'invalid-entries': 'three invalid entries for one prompt' }[reason];
          throw new TesseraError('CREDIT_KEYPAD_ABANDONED', `no order: ${text}; nothing was taken`, { reason });
        }
        req = got;
      } else {
        if (!o.customer || !o.amount || !o.pinFile) throw new TesseraError('CLI_BAD_ARGUMENT', 'give --customer, --amount and --pin-file (or --keypad)', { field: 'customer' });
        if (!/^[1-9][0-9]{0,15}$/.test(o.amount) || !Number.isSafeInteger(Number(o.amount))) {
          throw new TesseraError('CLI_BAD_ARGUMENT', `--amount: a positive whole number of minor units (got ${JSON.stringify(o.amount)})`, { field: 'amount' });
        }
        const { readSecretFile } = await import('../../center/kit/secret-files.js');
        const pin = readSecretFile(o.pinFile, { what: 'PIN', unreadable: 'CREDIT_SECRET_FILE', permissions: 'CREDIT_SECRET_FILE' }).toString('utf8').trim();
        req = { customer: o.customer, amountMinor: Number(o.amount), pin };
      }
      const { body } = await call(o.url, 'POST', '/orders', req, o.orderId);
      process.stdout.write(`${o.json ? JSON.stringify(body) : say(body)}\n`);
    });
  credit
    .command('orders')
    .description('the journal of orders, oldest first')
    .requiredOption('--url <url>', "the credit company's HTTP API")
    .option('--json', 'print JSON')
    .action(async (o: { url: string; json?: boolean }) => {
      const { body } = await call(o.url, 'GET', '/orders');
      const orders = body['orders'] as Record<string, unknown>[];
      process.stdout.write(`${o.json ? JSON.stringify(body) : orders.map(say).join('\n') || 'no orders'}\n`);
    });
  credit
    .command('lost-phone')
    .description("a customer's phone is lost: revoke every live password bound to it at the TTP and refund their value left to the customer's bank account")
    .requiredOption('--url <url>', "the credit company's HTTP API")
    .requiredOption('--customer <id>', 'customer id')
    .option('--device-key <key>', "the lost phone's public key: 64 hex, or the base64url its `phone serve` ready line shows (absent: every phone of the customer's)")
    .option('--json', 'print JSON')
    .action(async (o: { url: string; customer: string; deviceKey?: string; json?: boolean }) => {
      const { TesseraError } = await import('../../core/errors.js');
      let deviceKey: string | undefined;
      if (o.deviceKey !== undefined) {
        if (/^[0-9a-fA-F]{64}$/.test(o.deviceKey)) deviceKey = o.deviceKey.toLowerCase();
        else if (/^[A-Za-z0-9_-]{43}$/.test(o.deviceKey)) deviceKey = Buffer.from(o.deviceKey, 'base64url').toString('hex');
        else throw new TesseraError('CLI_BAD_ARGUMENT', '--device-key: 64 hex characters or 43 base64url characters (an Ed25519 public key)', { field: 'device-key' });
      }
      const { body } = await call(o.url, 'POST', `/customers/${encodeURIComponent(o.customer)}/lost-device`, deviceKey === undefined ? {} : { deviceKey });
      process.stdout.write(`${o.json ? JSON.stringify(body) : `customer ${String(body['customer'])}: ${String(body['count'])} password(s) revoked, ${String(body['returnedMinor'])} returned (${String(body['refunded'])} refund(s) made to the bank account)`}\n`);
    });
  credit
    .command('work')
    .description('one worker pass now: open orders, the TTP\'s returns and their refunds')
    .requiredOption('--url <url>', "the credit company's HTTP API")
    .action(async (o: { url: string }) => {
      process.stdout.write(`${JSON.stringify((await call(o.url, 'POST', '/work')).body)}\n`);
    });
  credit
    .command('reconcile')
    .description('reconcile the books of a UTC day against the TTP\'s daily file (exit 1 on any difference)')
    .requiredOption('--url <url>', "the credit company's HTTP API")
    .requiredOption('--day <day>', 'YYYY-MM-DD (UTC)')
    .option('--json', 'print JSON')
    .action(async (o: { url: string; day: string; json?: boolean }) => {
      const { body } = await call(o.url, 'GET', `/reconciliations/${encodeURIComponent(o.day)}`);
      const findings = body['findings'] as { code: string; message: string }[];
      process.stdout.write(`${o.json ? JSON.stringify(body) : body['matched'] ? `${o.day}: books match the TTP's daily file` : findings.map((f) => `${f.code}: ${f.message}`).join('\n')}\n`);
      if (!body['matched']) process.exitCode = 1;
    });
}
