import type { Command } from 'commander';

/**
 * The messaging parties of the simulator, each its own process:
 *   `tessera smsc serve --config <file>`     the SMSC (SMPP server), sim/smsc/serve.ts
 *   `tessera mailbox serve --config <file>`  the mail server (SMTP), sim/mailbox/serve.ts
 *   `tessera phone serve|show|qr --config <file>` a simulated phone, sim/phone/
 *   `tessera phone revoke SERIAL|--all`, `tessera phone balance [SERIAL]`: the phone app asks the TTP (sim/phone/ttp.ts)
 * Servers print `{"ready":true,"host":…,"port":…}`, then JSON event lines;
 * they take control lines on stdin (fault modes) and run until SIGTERM/SIGINT.
 */
export function registerMessaging(program: Command): void {
  const smsc = program.command('smsc').description('simulated SMSC (SMPP server) delivering SMS to simulated phones');
  smsc
    .command('serve')
    .description('run the SMSC until SIGTERM; fault modes by config or stdin control lines')
    .requiredOption('-c, --config <file>', 'SMSC config (JSON; see sim/smsc/serve.ts)')
    .action(async (opts: { config: string }) => {
      const [{ loadSmscConfig, serveSmsc }, { untilSignal }] = await Promise.all([import('../../sim/smsc/serve.js'), import('../until-signal.js')]);
      const served = await serveSmsc(loadSmscConfig(opts.config));
      process.stdout.write(`${JSON.stringify({ ready: true, host: served.address.address, port: served.address.port })}\n`);
      await untilSignal();
      await served.close();
    });

  const mailbox = program.command('mailbox').description('simulated mail server (SMTP) holding simulated mailboxes');
  mailbox
    .command('serve')
    .description('run the mail server until SIGTERM; fault modes by config or stdin control lines')
    .requiredOption('-c, --config <file>', 'mail server config (JSON; see sim/mailbox/serve.ts)')
    .action(async (opts: { config: string }) => {
      const [{ loadMailboxConfig, serveMailbox }, { untilSignal }] = await Promise.all([import('../../sim/mailbox/serve.js'), import('../until-signal.js')]);
      const served = await serveMailbox(loadMailboxConfig(opts.config));
      process.stdout.write(`${JSON.stringify({ ready: true, host: served.address.address, port: served.address.port })}\n`);
      await untilSignal();
      await served.close();
    });

  const phone = program.command('phone').description('a simulated phone: receives SMS and e-mail, shows passwords as QR codes');
  phone
    .command('serve')
    .description('switch the phone on: attach to the SMSC, read the mailbox, until SIGTERM')
    .requiredOption('-c, --config <file>', 'phone config (JSON; see sim/phone/config.ts)')
    .action(async (opts: { config: string }) => {
      const [{ loadPhoneConfig }, { startPhone }, { untilSignal }] = await Promise.all([import('../../sim/phone/config.js'), import('../../sim/phone/phone.js'), import('../until-signal.js')]);
      const c = loadPhoneConfig(opts.config);
      const print = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
      const { ttpUrl: _ttp, ...phoneOptions } = c;
      const p = await startPhone({ ...phoneOptions, onEvent: print });
      print({ ready: true, msisdn: c.msisdn, devicePublicKey: p.publicKeyRaw.toString('base64url') });
      await untilSignal();
      await p.close();
    });
  phone
    .command('revoke')
    .description("revoke a device-bound password from the phone (signed by its device key; the value left goes back to the credit company and the customer), or --all of them")
    .requiredOption('-c, --config <file>', 'phone config (JSON, with ttpUrl)')
    .argument('[password]', 'the password: its serial (32 hex) or its message id (from `tessera phone show`)')
    .option('--all', 'every device-bound password the phone holds')
    .action(async (ref: string | undefined, opts: { config: string; all?: boolean }) => {
      const [{ loadPhoneConfig }, { PhoneStore }, ttp, { TesseraError }] = await Promise.all([
        import('../../sim/phone/config.js'), import('../../sim/phone/store.js'), import('../../sim/phone/ttp.js'), import('../../core/errors.js'),
      ]);
      if ((ref === undefined) === (opts.all !== true)) throw new TesseraError('CLI_BAD_ARGUMENT', 'name one password (serial or message id) or pass --all', { field: 'password' });
      const c = loadPhoneConfig(opts.config);
      const store = new PhoneStore(c.dir);
      const targets = ref !== undefined ? [ttp.findBound(store, ref)] : ttp.boundPasswords(store);
      for (const t of targets) {
        const v = await ttp.deviceCall(c.ttpUrl, c.dir, t.serial, 'revoke');
        process.stdout.write(`${JSON.stringify({ ok: true, serial: t.serial, message: t.message.id, state: v.state, remainingMinor: v.remainingMinor, currency: v.currency })}\n`);
      }
      if (opts.all) process.stdout.write(`${JSON.stringify({ ok: true, revoked: targets.length })}\n`);
    });
  phone
    .command('balance')
    .description("ask the TTP for a device-bound password's state and value left (after a use), or for every one the phone holds")
    .requiredOption('-c, --config <file>', 'phone config (JSON, with ttpUrl)')
    .argument('[password]', 'the password: its serial (32 hex) or its message id (absent: all)')
    .action(async (ref: string | undefined, opts: { config: string }) => {
      const [{ loadPhoneConfig }, { PhoneStore }, ttp] = await Promise.all([import('../../sim/phone/config.js'), import('../../sim/phone/store.js'), import('../../sim/phone/ttp.js')]);
      const c = loadPhoneConfig(opts.config);
      const store = new PhoneStore(c.dir);
      for (const t of ref !== undefined ? [ttp.findBound(store, ref)] : ttp.boundPasswords(store)) {
        const v = await ttp.deviceCall(c.ttpUrl, c.dir, t.serial, 'status');
        const used = v.amountMinor - v.remainingMinor;
        process.stdout.write(`${JSON.stringify({ serial: t.serial, message: t.message.id, state: v.state, spendable: v.spendable, amountMinor: v.amountMinor, usedMinor: used, remainingMinor: v.remainingMinor, currency: v.currency, expiresAtMs: v.expiresAtMs })}\n`);
      }
    });
  phone
    .command('show')
    .description("print what the phone holds, one JSON line per message (the phone's screen: passwords are shown)")
    .requiredOption('-c, --config <file>', 'phone config (JSON)')
    .action(async (opts: { config: string }) => {
      const [{ loadPhoneConfig }, { PhoneStore }] = await Promise.all([import('../../sim/phone/config.js'), import('../../sim/phone/store.js')]);
      const store = new PhoneStore(loadPhoneConfig(opts.config).dir);
      for (const m of store.messages) process.stdout.write(`${JSON.stringify(m)}\n`);
    });
  phone
    .command('qr')
    .description("render a stored password as a QR code PNG: a fresh device-signed code for a device-bound password, the static code for a bearer one")
    .requiredOption('-c, --config <file>', 'phone config (JSON)')
    .requiredOption('-m, --message <id>', 'stored message id (from `tessera phone show`)')
    .requiredOption('-o, --out <file.png>', 'PNG to write (0600)')
    .option('--shop <id>', 'shop id the user entered (signed into a device-bound code)')
    .option('--amount <minor>', 'amount the user entered, minor units (signed into a device-bound code)')
    .action(async (opts: { config: string; message: string; out: string; shop?: string; amount?: string }) => {
      const [{ loadPhoneConfig }, { PhoneStore }, phone, { TesseraError }] = await Promise.all([
        import('../../sim/phone/config.js'),
        import('../../sim/phone/store.js'),
        import('../../sim/phone/phone.js'),
        import('../../core/errors.js'),
      ]);
      const c = loadPhoneConfig(opts.config);
      const store = new PhoneStore(c.dir);
      const m = phone.findMessage(store, opts.message);
      const amount = opts.amount === undefined ? undefined : Number(opts.amount);
      if (amount !== undefined && !(Number.isSafeInteger(amount) && amount > 0)) throw new TesseraError('CLI_BAD_ARGUMENT', '--amount: a positive integer in minor units', { field: 'amount' });
      const payload = phone.qrPayload(c.dir, store, m, { ...(opts.shop !== undefined && { shopId: opts.shop }), ...(amount !== undefined && { amountMinor: amount }) }, Date.now());
      await phone.writeQrPng(opts.out, payload);
      process.stdout.write(`${JSON.stringify({ ok: true, message: m.id, out: opts.out })}\n`);
    });
}
