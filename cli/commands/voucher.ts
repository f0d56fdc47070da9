import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import { TesseraError } from '../../core/errors.js';
import { systemRandom } from '../../core/random.js';
import type { VoucherBatch } from '../../center/voucher/api.js';
import type { VoucherSection } from '../../center/voucher/config-schema.js';
import type { Vouchers } from '../../center/voucher/vouchers.js';

/**
 * `tessera voucher …`: the settlement center's voucher stock (seed 002), on
 * the center's database and PIN key as its config names them (`--config`:
 * the center config with a `voucher` section). `tessera voucher print` (the
 * printable sheet, the one time PINs leave the center) is beside these.
 *
 *   tessera voucher issue --config C --hq HQ-1 --denomination 1000 --count 500   a batch of fixed cards
 *   tessera voucher issue --config C --hq HQ-1 --max-load 10000 --count 100      a batch of variable-load cards
 *   tessera voucher batches --config C                                           the batches, newest first
 *   tessera voucher block --config C --hq HQ-1 --batch ID --reason "stolen"      a batch (or --from S --to S) lost or stolen
 */
export function registerVoucher(program: Command): void {
  const voucher = program.command('voucher').description('voucher batches of the settlement center (seed 002): issue, list, block');
  const cfg = (c: Command): Command => c.requiredOption('--config <file>', 'the center config (its db and voucher section)').option('--json', 'print JSON');

  cfg(voucher.command('issue').description('issue a batch of cards (no value until activated at a till); print it with tessera voucher print'))
    .requiredOption('--hq <hqId>', 'the HQ (chain) the cards are for')
    .option('--denomination <yen>', 'fixed face value: 500, 1000, 2000, 3000 or 5000')
    .option('--max-load <yen>', 'variable-load cards: the largest amount a till may load')
    .requiredOption('--count <n>', 'cards in the batch')
    .option('--valid-days <days>', 'days a card stays spendable after its activation')
    .action(async (o: { config: string; json?: boolean; hq: string; denomination?: string; maxLoad?: string; count: string; validDays?: string }) =>
      withVouchers(o.config, async (v) => {
        const b = await v.issueBatch({
          hqId: o.hq, count: int(o.count, '--count'),
          ...(o.denomination !== undefined && { denomination: int(o.denomination, '--denomination') }),
          ...(o.maxLoad !== undefined && { maxLoad: int(o.maxLoad, '--max-load') }),
          ...(o.validDays !== undefined && { validDays: int(o.validDays, '--valid-days') }),
        });
        out(o.json ? JSON.stringify({ batch: b }) : `issued ${batchLine(b)}`);
      }),
    );

  cfg(voucher.command('batches').description('list the batches, newest first')).action(async (o: { config: string; json?: boolean }) =>
    withVouchers(o.config, async (v) => {
      const list = await v.batches();
      out(o.json ? JSON.stringify({ batches: list }) : list.length === 0 ? 'no batches' : list.map(batchLine).join('\n'));
    }),
  );

  cfg(voucher.command('block').description('block an HQ\'s batch or serial range (lost or stolen): unsold and unspent cards are refused everywhere'))
    .requiredOption('--hq <hqId>', 'the HQ reporting it')
    .option('--batch <batchId>', 'the whole batch')
    .option('--from <serial>', 'first serial of a range')
    .option('--to <serial>', 'last serial of a range')
    .requiredOption('--reason <text>', 'why (a reason naming "stolen" marks the cards stolen on the validity lists, else lost)')
    .action(async (o: { config: string; json?: boolean; hq: string; batch?: string; from?: string; to?: string; reason: string }) =>
      withVouchers(o.config, async (v) => {
        const r = await v.block({ hqId: o.hq, reason: o.reason, ...(o.batch !== undefined && { batchId: o.batch }), ...(o.from !== undefined && { fromSerial: o.from }), ...(o.to !== undefined && { toSerial: o.to }) });
        out(o.json ? JSON.stringify(r) : `blocked ${r.blocked} card(s); ${r.refused} left alone (sold and spent)`);
      }),
    );
}

/**
 * The voucher engine on the database and PIN key of a center config (the
 * CLI's way in, `tessera voucher print` included): the cards also go on the
 * validity lists as media of kind `voucher`.
 */
export async function withVouchers<T>(configPath: string, fn: (v: Vouchers) => Promise<T>): Promise<T> {
  // The center's code is loaded when a voucher command runs, not when any tessera command starts.
  const [{ CENTER_MODULES }, { loadCenterConfig }, { openStorage }, { MediumKinds }, { ValidityRepository }, { VOUCHER_MEDIUM_KIND }, { readPinKeyFile }, { Vouchers }] = await Promise.all([
    import('../../center/modules.js'),
    import('../../center/server/config.js'),
    import('../../center/storage/open.js'),
    import('../../center/validity/kinds.js'),
    import('../../center/validity/repository.js'),
    import('../../center/voucher/module.js'),
    import('../../center/voucher/pins.js'),
    import('../../center/voucher/vouchers.js'),
  ]);
  const config = loadCenterConfig(configPath, CENTER_MODULES);
  const section = config['voucher'] as VoucherSection | undefined;
  if (!section) throw new TesseraError('CLI_BAD_ARGUMENT', 'the center config has no voucher section', { path: configPath, field: 'voucher' });
  const pinKey = readPinKeyFile(section.pinKeyFile);
  const storage = await openStorage(config.db);
  try {
    const kinds = new MediumKinds();
    kinds.register(VOUCHER_MEDIUM_KIND);
    const validity = await ValidityRepository.open(storage, kinds);
    const v = await Vouchers.open({ storage, clock: systemClock, random: systemRandom, log: silentLogger, pinKey, currency: section.currency, timeZone: section.timeZone, validity });
    for (const h of section.hqs) await v.registerHq(h.hqId, { commissionBp: h.commissionBp });
    return await fn(v);
  } finally {
    pinKey.fill(0);
    await storage.close();
  }
}

function int(text: string, flag: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n)) throw new TesseraError('CLI_BAD_ARGUMENT', `${flag}: a whole number`, { field: flag });
  return n;
}

function batchLine(b: VoucherBatch): string {
  const value = b.denomination !== null ? `${b.denomination} ${b.currency}` : `up to ${b.maxLoad} ${b.currency}`;
  return `${b.batchId}  ${b.hqId}  ${b.count} cards of ${value}  ${b.firstSerial}..${b.lastSerial}  ${b.printed ? 'printed' : 'not printed'}`;
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}
