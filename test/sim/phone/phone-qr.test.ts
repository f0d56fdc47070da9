/**
 * The simulated phone shows a stored password as a QR code PNG
 * (`tessera phone qr`): black on white with a quiet zone, decoded back by
 * zbarimg (what the shop's scanner simulation uses) to the exact payload;
 * the dynamic code is signed by the device key made on first run (0600).
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../sim/world/cli-process.js';
import { writeConfigFile } from '../../../sim/world/cli-parts.js';
import { deviceKey, PhoneStore } from '../../../sim/phone/store.js';
import { testDir } from '../../center/passwords/delivery/support/messaging.js';

// pngjs (qrcode's own PNG library) has no types installed: the one call used here.
const { PNG } = createRequire(import.meta.url)('pngjs') as { PNG: { sync: { read(b: Buffer): { width: number; height: number; data: Buffer } } } };

const TOKEN = 'TP1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';

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
    // What the phone stored from an SMS (the store's own API, as its SMPP receiver calls it).
    new PhoneStore(phoneDir).add({ channel: 'sms', from: 'TESSERA', receivedMs: 1, text: `Tessera settlement password\npw:${TOKEN}\nref:d-1` });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders the password token (static) as a QR PNG on white with a 4-module quiet zone, and zbarimg reads it back exactly', async () => {
    const out = join(dir, 'static.png');
    const r = await runCli(['phone', 'qr', '--config', config, '--message', 'sms-1', '--out', out, '--static'], {}, 30_000);
    expect(r.code, r.output).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(zbar(out)).toBe(TOKEN);
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
  });

  it('renders a device-bound dynamic code: signed by the device key over the token, time, counter and what the user entered; never the same twice', async () => {
    const a = join(dir, 'dyn-a.png');
    const b = join(dir, 'dyn-b.png');
    expect((await runCli(['phone', 'qr', '--config', config, '--message', 'sms-1', '--out', a, '--shop', 'SHOP-7', '--amount', '500'], {}, 30_000)).code).toBe(0);
    expect((await runCli(['phone', 'qr', '--config', config, '--message', 'sms-1', '--out', b], {}, 30_000)).code).toBe(0);
    const pa = zbar(a);
    const pb = zbar(b);
    const [tag, body, sig] = pa.split('.');
    expect(tag).toBe('TPQ1');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ pw: TOKEN, n: 1, shop: 'SHOP-7', amount: 500 });
    expect(JSON.parse(Buffer.from(pb.split('.')[1]!, 'base64url').toString('utf8'))).toMatchObject({ pw: TOKEN, n: 2 });
    // The device key was made on first run, 0600; its public key verifies the code, and a changed term does not.
    expect(statSync(join(phoneDir, 'device-key.pem')).mode & 0o777).toBe(0o600);
    const raw = deviceKey(phoneDir).publicKeyRaw;
    const pub = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
    expect(verify(null, Buffer.from(`TPQ1.${body}`), pub, Buffer.from(sig!, 'base64url'))).toBe(true);
    const forged = Buffer.from(JSON.stringify({ ...claims, amount: 50_000 })).toString('base64url');
    expect(verify(null, Buffer.from(`TPQ1.${forged}`), pub, Buffer.from(sig!, 'base64url'))).toBe(false);
  });

  it('refuses a message id it does not hold, with its code and no stack trace', async () => {
    const r = await runCli(['phone', 'qr', '--config', config, '--message', 'sms-9', '--out', join(dir, 'x.png')], {}, 30_000);
    expect(r.code).toBe(1);
    expect(r.output).toContain('PHONE_NO_SUCH_MESSAGE');
    expect(r.output).not.toMatch(/\n\s+at /);
  });
});
