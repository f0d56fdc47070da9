/**
 * The simulated phone shows a stored password as a QR code PNG
 * (`tessera phone qr`): black on white with a quiet zone, decoded back by
 * zbarimg (what the shop's scanner simulation uses) to the exact payload;
 * the dynamic code is signed by the device key made on first run (0600).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../sim/world/cli-process.js';
import { writeConfigFile } from '../../../sim/world/cli-parts.js';
import { findMessage, qrPayload, writeQrPng } from '../../../sim/phone/phone.js';
import { deviceKey, PhoneStore } from '../../../sim/phone/store.js';
import {
  codeDigest, decodeQr, encodeToken, formatCode, keyIdOf, privateKeyFromSeed, rawPublicKey, signTerms, TrustedKeys, verifyQr, type PasswordTerms,
} from '../../../protocol/password/index.js';
import { testDir } from '../../center/passwords/delivery/support/messaging.js';

// pngjs (qrcode's own PNG library) has no types installed: the one call used here.
const { PNG } = createRequire(import.meta.url)('pngjs') as { PNG: { sync: { read(b: Buffer): { width: number; height: number; data: Buffer } } } };

const ttpKey = privateKeyFromSeed(Buffer.alloc(32, 0x11));
const keys = new TrustedKeys([rawPublicKey(ttpKey)]);
const CODE = '7K3QZ9T2M4XW8RHD';
const terms = (o: Partial<PasswordTerms>): PasswordTerms => ({
  ttpKeyId: keyIdOf(rawPublicKey(ttpKey)), serial: Buffer.alloc(16, 0xab), codeDigest: codeDigest(CODE), binding: 'bearer', partial: false,
  amountMinor: 5_000, currency: 'JPY', issuedAtMs: Date.now() - 1_000, expiresAtMs: Date.now() + 86_400_000, issuer: 'CREDIT-A',
  payee: null, user: null, goods: [], deviceKey: null, ...o,
});

function zbar(png: string): string {
  return execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8' }).replace(/\n$/, '');
}

describe('tessera phone qr', () => {
  let dir: string;
  let phoneDir: string;
  let config: string;

  beforeAll(() => {
    dir = testDir('phone-qr');
    phoneDir = join(dir, 'phone');
    mkdirSync(phoneDir, { mode: 0o700 });
    config = writeConfigFile(dir, 'phone.json', { msisdn: '819000000001', dir: phoneDir });
    // What the phone stored from SMS (the store's own API, as its SMPP receiver calls it): a bearer password,
    // a password bound to this phone's device key (made on first run), and a keypad password (no token).
    const device = rawPublicKey(deviceKey(phoneDir).privateKey);
    const store = new PhoneStore(phoneDir);
    const bearer = encodeToken(signTerms(terms({}), ttpKey));
    const bound = encodeToken(signTerms(terms({ binding: 'device', deviceKey: device, serial: Buffer.alloc(16, 0xcd) }), ttpKey));
    store.add({ channel: 'sms', from: 'TESSERA', receivedMs: 1, text: `Tessera password 5000 JPY\nCode ${formatCode(CODE)}\ntoken:${bearer}\nref:d-1` });
    store.add({ channel: 'sms', from: 'TESSERA', receivedMs: 2, text: `Tessera password 5000 JPY\nCode ${formatCode(CODE)}\ntoken:${bound}\nref:d-2` });
    store.add({ channel: 'sms', from: 'TESSERA', receivedMs: 3, text: `Tessera password 5000 JPY\nKeypad code 1234-5678-9012-3456\nref:d-3` });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("renders a bearer password's static QR (TPQ1, signed terms and code) as a PNG on white with a 4-module quiet zone; zbarimg reads it back and it verifies offline", async () => {
    const out = join(dir, 'static.png');
    const r = await runCli(['phone', 'qr', '--config', config, '--message', 'sms-1', '--out', out], {}, 30_000);
    expect(r.code, r.output).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const text = zbar(out);
    expect(text).toMatch(/^TPQ1:[A-Z2-7]+$/);
    const v = verifyQr(text, keys, { nowMs: Date.now() });
    expect(v.payload).toMatchObject({ kind: 'bearer', code: CODE });
    expect(v.terms.amountMinor).toBe(5_000);
    const png = PNG.sync.read(readFileSync(out));
    const px = (x: number, y: number): number[] => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4)];
    const quiet = 4 * 8; // 4 modules of 8 px
    for (let i = 0; i < png.width; i += 3) {
      for (const [x, y] of [[i, 0], [i, quiet - 1], [0, i], [quiet - 1, i], [i, png.height - 1], [png.width - 1, i]] as const) expect(px(x, y)).toEqual([255, 255, 255, 255]);
    }
    // Only black and white modules.
    const colours = new Set<string>();
    for (let o = 0; o < png.data.length; o += 4) colours.add(png.data.subarray(o, o + 4).join(','));
    expect([...colours].sort()).toEqual(['0,0,0,255', '255,255,255,255']);
  }, 60_000);

  it("renders a device-bound password as a fresh presentation signed by the phone's device key (0600, made on first run): verifies for the shop and amount entered, never the same counter twice", async () => {
    const a = join(dir, 'dyn-a.png');
    const b = join(dir, 'dyn-b.png');
    expect((await runCli(['phone', 'qr', '--config', config, '--message', 'sms-2', '--out', a, '--shop', 'SHOP-7', '--amount', '500'], {}, 30_000)).code).toBe(0);
    // The second one in process (the same code the command runs), to keep the file short on a loaded machine.
    const store = new PhoneStore(phoneDir);
    await writeQrPng(b, qrPayload(phoneDir, store, findMessage(store, 'sms-2'), {}, Date.now()));
    expect(statSync(join(phoneDir, 'device-key.pem')).mode & 0o777).toBe(0o600);
    const va = verifyQr(zbar(a), keys, { nowMs: Date.now(), shopId: 'SHOP-7', amountMinor: 500 });
    expect(va.payload).toMatchObject({ kind: 'device', presentation: { shopId: 'SHOP-7', amountMinor: 500, counter: 1 } });
    const pb = decodeQr(zbar(b));
    expect(pb).toMatchObject({ kind: 'device', presentation: { shopId: null, amountMinor: null, counter: 2 } });
    // Another shop or amount than the one signed is refused.
    expect(() => verifyQr(zbar(a), keys, { nowMs: Date.now(), shopId: 'SHOP-8' })).toThrow(/PWTOKEN_PRESENTATION_MISMATCH/);
    expect(() => verifyQr(zbar(a), keys, { nowMs: Date.now(), amountMinor: 50_000 })).toThrow(/PWTOKEN_PRESENTATION_MISMATCH/);
  }, 90_000);

  it('has no QR for a keypad password (display-only devices type the code): PHONE_NO_QR', async () => {
    const r = await runCli(['phone', 'qr', '--config', config, '--message', 'sms-3', '--out', join(dir, 'k.png')], {}, 30_000);
    expect(r.code).toBe(1);
    expect(r.output).toContain('PHONE_NO_QR');
    expect(r.output).not.toMatch(/\n\s+at /);
    expect(new PhoneStore(phoneDir).messages[2]).toMatchObject({ token: null, code: '1234567890123456' });
  }, 60_000);

  it('refuses a message id it does not hold (PHONE_NO_SUCH_MESSAGE)', () => {
    expect(() => findMessage(new PhoneStore(phoneDir), 'sms-9')).toThrow(/PHONE_NO_SUCH_MESSAGE/);
  });
});
