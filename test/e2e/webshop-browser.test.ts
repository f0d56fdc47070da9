/**
 * A buyer at the web shop, in a real browser (Debian chromium through
 * playwright-core), each actor its own process: the settlement center
 * (`tessera center` with the voucher and merchant API sections, world
 * builder `process: 'cli'`) and the shop (`tessera webshop serve`, its own
 * SQLite journal, the merchant API key in a 0600 file). The cards come from
 * a sheet printed by `tessera voucher print`'s writer: their serials decoded from the
 * bars (pdftoppm + zbarimg) and activated through VoucherApi as the HQ would,
 * their PINs read from the panels (pdftotext). The buyer pays a shipped
 * item with two PINs (typed as printed, in groups) and sees each card's
 * remaining balance; the shop ships it (its admin page captures); a card
 * that was never sold shows the refusal in plain words, and another card
 * then pays the order. No PIN in the shop's journal or either process's
 * output.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printVoucherSheet } from '../../cli/commands/voucher-print.js';
import { MerchantRegistry } from '../../center/merchant-api/merchants.js';
import { openStorage } from '../../center/storage/open.js';
import { MediumKinds } from '../../center/validity/kinds.js';
import { ValidityRepository } from '../../center/validity/repository.js';
import { VOUCHER_MEDIUM_KIND } from '../../center/voucher/module.js';
import { Vouchers } from '../../center/voucher/vouchers.js';
import { systemClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import { systemRandom } from '../../core/random.js';
import { decodeSheet } from '../../sim/scanner/sheet-reader.js';
import { CliProcess } from '../../sim/world/cli-process.js';
import { freeLoopbackPort } from '../../sim/world/terminals.js';
import { openWorld, type World } from '../../sim/world/world.js';
import { readSheetPins, type SheetCardText } from '../support/voucher-sheet.js';

const PIN_KEY = Buffer.alloc(32, 7);
let world: World;
let shopProcess: CliProcess;
let shopUrl: string;
let shopConfig: string;
let browser: Browser;
/** The printed cards: serial from the bars, PIN from the panel. */
let cards: SheetCardText[];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webshop-e2e-'));
  const pinKeyFile = join(dir, 'voucher-pin.key');
  writeFileSync(pinKeyFile, PIN_KEY, { mode: 0o600 });
  const apiPort = await freeLoopbackPort();
  world = await openWorld({
    center: {
      process: 'cli',
      cliSections: {
        voucher: { pinKeyFile, hqs: [{ hqId: 'HQ-1', commissionBp: 250 }], sweepIntervalMs: 60_000 },
        merchantApi: { host: '127.0.0.1', port: apiPort },
      },
    },
  });
  const db = join(world.dir, 'center.db');

  // The settlement center's operator issues a batch and prints it (the PINs leave the center in the sheet only).
  const storage = await openStorage(db);
  const kinds = new MediumKinds();
  kinds.register(VOUCHER_MEDIUM_KIND);
  const vouchers = await Vouchers.open({ storage, clock: systemClock, random: systemRandom, log: silentLogger, pinKey: PIN_KEY, validity: await ValidityRepository.open(storage, kinds) });
  const batch = await vouchers.issueBatch({ hqId: 'HQ-1', denomination: 1_000, count: 4 });
  const sheet = join(dir, 'sheet.pdf');
  // The print command's own writer (the CLI process around it is test/cli/voucher-print-cli.test.ts).
  await printVoucherSheet(vouchers, batch.batchId, sheet);
  const serials = (await decodeSheet(sheet)).map((s) => s.data);
  cards = readSheetPins(sheet);
  expect([...serials].sort()).toEqual(cards.map((c) => c.serial).sort());
  // Three cards sold at the till (HQ → center); the fourth stays on the rack, worth nothing.
  for (const [i, c] of cards.slice(0, 3).entries()) {
    await vouchers.activate({ requestId: `pos-${i}`, hqId: 'HQ-1', storeId: 'S1', terminalId: 'POS-1', serial: c.serial, amount: 1_000, currency: 'JPY' });
  }
  const merchants = await MerchantRegistry.open(storage, systemClock, systemRandom);
  await merchants.add('web-shop');
  writeFileSync(join(dir, 'shop.key'), `${(await merchants.addKey('web-shop')).key}\n`, { mode: 0o600 });
  await storage.close();

  // The shop: its own process, its own journal, the merchant API only.
  writeFileSync(join(dir, 'admin.pw'), 'admin-secret\n', { mode: 0o600 });
  shopConfig = join(dir, 'webshop.json');
  writeFileSync(
    shopConfig,
    JSON.stringify({ db: 'webshop.db', listen: { port: 0 }, merchantApi: { url: `http://127.0.0.1:${apiPort}`, apiKeyFile: 'shop.key' }, adminPasswordFile: 'admin.pw' }),
  );
  shopProcess = new CliProcess('webshop', ['webshop', 'serve', '--config', shopConfig]);
  // Started together: the shop's process and the browser (each takes seconds on a loaded machine).
  const [ready, launched] = await Promise.all([shopProcess.ready(30_000), chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })]);
  shopUrl = String(ready['url']);
  browser = launched;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await shopProcess?.stop();
  await world?.close();
});

async function pay(page: Page, pins: readonly string[]): Promise<void> {
  for (const [i, pin] of pins.entries()) {
    if (i > 0) await page.getByTestId('add-card').click();
    await page.getByTestId(`pin-${i}`).fill(pin);
  }
  await page.getByTestId('pay').click();
}

describe('web shop checkout in a browser', () => {
  it('pays a shipped item with two PINs from the printed sheet and shows each card\'s remaining balance; the shop ships it from its admin page', { timeout: 90_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(`${shopUrl}/`);
    await page.getByTestId('buy-MUG-1').click();
    expect(await page.getByTestId('total').textContent()).toBe('1,800 JPY');
    // Typed as printed on the panels: groups of four.
    await pay(page, [cards[0]!.printedPin, cards[1]!.printedPin]);
    const approved = page.getByTestId('approved');
    await approved.waitFor();
    expect(await approved.getAttribute('data-state')).toBe('authorized');
    const last4 = (i: number): string => cards[i]!.serial.slice(-4);
    expect(await page.getByTestId(`remaining-${last4(0)}`).textContent()).toBe('0 JPY');
    expect(await page.getByTestId(`remaining-${last4(1)}`).textContent()).toBe('200 JPY');
    const orderId = /\/orders\/([^/?]+)$/.exec(page.url())?.[1];
    expect(orderId).toMatch(/^WS-/);

    // The parcel ships: the shop's admin page (HTTP Basic) captures the authorisation.
    const admin = await browser.newContext({ httpCredentials: { username: 'admin', password: 'admin-secret' } });
    const adminPage = await admin.newPage();
    await adminPage.goto(`${shopUrl}/admin`);
    await adminPage.getByTestId(`capture-${orderId}`).click();
    expect(await adminPage.getByTestId('notice').textContent()).toBe(`${orderId}: shipped`);
    await admin.close();
    await page.reload();
    expect(await page.getByTestId('approved').getAttribute('data-state')).toBe('shipped');
    await page.close();
  });

  it('a card never sold shows the refusal in plain words; another card then pays the same order', { timeout: 90_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(`${shopUrl}/checkout?sku=EBOOK-1`);
    await pay(page, [cards[3]!.pin]);
    const refused = page.getByTestId('refused');
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('VOUCHER_PIN_REFUSED');
    expect(await refused.textContent()).toContain('cannot pay');
    const orderUrl = page.url();
    // Try other cards: a new attempt on the same order.
    await pay(page, [cards[2]!.pin]);
    await page.getByTestId('approved').waitFor();
    expect(page.url()).toBe(orderUrl);
    expect(await page.getByTestId('approved').getAttribute('data-state')).toBe('paid');
    expect(await page.getByTestId(`remaining-${cards[2]!.serial.slice(-4)}`).textContent()).toBe('200 JPY');
    await page.close();

    // The shop's journal and both processes' output hold no PIN.
    const files = readdirSync(dir).filter((n) => n.startsWith('webshop.db'));
    expect(files.length).toBeGreaterThan(0);
    const texts = [...files.map((f) => readFileSync(join(dir, f)).toString('latin1')), shopProcess.output, ...(world.centerCli?.processes.map((p) => p.output) ?? [])];
    for (const c of cards) for (const t of texts) expect(t.includes(c.pin)).toBe(false);
  });
});
