/**
 * The settlement-password formats (protocol/password/): the canonical terms
 * round-trip and have one encoding, the signed token and the two QR kinds
 * round-trip, and the offline verifier refuses each forgery with its code:
 * a changed term, an unknown key, a wrong code, a device signature by
 * another key, a stale or future presentation, another shop or amount.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../core/random.js';
import {
  base32Decode, base32Encode, codeDigest, CROCKFORD, decodeQr, decodeTerms, decodeToken, encodeBearerQr, encodeDeviceQr, encodeTerms, encodeToken, formatCode,
  keyIdOf, newCode, newKeypadCode, normalizeCode, privateKeyFromSeed, rawPublicKey, signTerms, TrustedKeys, verifyQr, type PasswordTerms,
} from '../../../protocol/password/index.js';

const ttpKey = privateKeyFromSeed(Buffer.alloc(32, 0x11));
const deviceKey = privateKeyFromSeed(Buffer.alloc(32, 0x22));
const otherKey = privateKeyFromSeed(Buffer.alloc(32, 0x33));
const keys = new TrustedKeys([rawPublicKey(ttpKey)]);
const CODE = '7K3QZ9T2M4XW8RHD';
const NOW = 1_800_000_000_000;

const terms = (o: Partial<PasswordTerms> = {}): PasswordTerms => ({
  ttpKeyId: keyIdOf(rawPublicKey(ttpKey)), serial: Buffer.alloc(16, 0xab), codeDigest: codeDigest(CODE), binding: 'bearer', partial: true,
  amountMinor: 5_000, currency: 'JPY', issuedAtMs: NOW - 1000, expiresAtMs: NOW + 86_400_000, issuer: 'CREDIT-A',
  payee: { kind: 'category', id: 'BOOKS' }, user: 'user-42', goods: ['B01', 'B02'], deviceKey: null, ...o,
});
const expectCode = (f: () => unknown, code: string): void => {
  try {
    f();
  } catch (e) {
    expect((e as { code?: string }).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
};

describe('password terms', () => {
  it('round-trip through their canonical bytes, and every field is checked strictly', () => {
    const t = terms();
    const bytes = encodeTerms(t);
    expect(decodeTerms(bytes)).toEqual(t);
    const device = terms({ binding: 'device', deviceKey: rawPublicKey(deviceKey), payee: null, user: null, goods: [] });
    expect(decodeTerms(encodeTerms(device))).toEqual(device);
    expectCode(() => decodeTerms(Buffer.concat([bytes, Buffer.from([0])])), 'PWTOKEN_MALFORMED');
    expectCode(() => decodeTerms(bytes.subarray(0, bytes.length - 1)), 'PWTOKEN_MALFORMED');
    expectCode(() => encodeTerms(terms({ goods: ['B02', 'B01'] })), 'PWTOKEN_MALFORMED');
    expectCode(() => encodeTerms(terms({ deviceKey: rawPublicKey(deviceKey) })), 'PWTOKEN_MALFORMED');
    expectCode(() => encodeTerms(terms({ amountMinor: 0 })), 'PWTOKEN_MALFORMED');
    expectCode(() => encodeTerms(terms({ expiresAtMs: NOW - 1000 })), 'PWTOKEN_MALFORMED');
    const flagged = Buffer.from(bytes);
    flagged[41] = 0x03; // an unknown flag bit
    expectCode(() => decodeTerms(flagged), 'PWTOKEN_MALFORMED');
  });

  it('codes: 80 random bits as 16 Crockford characters, keypad codes 16 digits, typed forms normalised', () => {
    const r = new SeededRandom(7);
    const c = newCode(r);
    expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    expect(/[A-Z]/.test(c)).toBe(true);
    expect(newKeypadCode(r)).toMatch(/^[0-9]{16}$/);
    expect(normalizeCode(formatCode(CODE).toLowerCase())).toBe(CODE);
    expect(normalizeCode('7k3q-z9t2-m4xw-8rhd')).toBe(CODE);
    expect(normalizeCode('1234 5678 9012 3456')).toBe('1234567890123456');
    expectCode(() => normalizeCode('7K3QZ9T2M4XW8RH'), 'PWTOKEN_MALFORMED');
    expectCode(() => normalizeCode('7K3QZ9T2M4XW8RHU'), 'PWTOKEN_MALFORMED');
    expect(base32Decode(base32Encode(Buffer.from('hello'), CROCKFORD), CROCKFORD).toString()).toBe('hello');
    expectCode(() => base32Decode('AB'), 'PWTOKEN_MALFORMED'); // non-canonical tail bits
  });
});

describe('signed tokens and QR payloads', () => {
  it('a token and a bearer QR round-trip and verify offline; any changed term breaks the signature', () => {
    const s = signTerms(terms(), ttpKey);
    expect(decodeToken(encodeToken(s))).toEqual(s);
    const qr = encodeBearerQr(s, CODE);
    expect(qr).toMatch(/^TPQ1:[A-Z2-7]+$/);
    expect(decodeQr(qr)).toEqual({ kind: 'bearer', signed: s, code: CODE });
    const v = verifyQr(qr, keys, { nowMs: NOW });
    expect(v.terms.amountMinor).toBe(5_000);
    expect(v.expired).toBe(false);
    // Forged terms: the amount raised in the signed bytes, the signature kept.
    const forged = Buffer.from(s.termsBytes);
    forged.writeBigUInt64BE(500_000n, 42);
    expectCode(() => verifyQr(encodeBearerQr({ ...s, terms: decodeTerms(forged), termsBytes: forged }, CODE), keys, { nowMs: NOW }), 'PWTOKEN_BAD_SIGNATURE');
    expectCode(() => verifyQr(qr, new TrustedKeys([rawPublicKey(otherKey)]), { nowMs: NOW }), 'PWTOKEN_UNKNOWN_KEY');
    expectCode(() => verifyQr(encodeBearerQr(s, 'AAAAAAAAAAAAAAAA'), keys, { nowMs: NOW }), 'PWTOKEN_CODE_MISMATCH');
    expect(verifyQr(qr, keys, { nowMs: NOW + 86_400_000 }).expired).toBe(true);
  });

  it('a device QR verifies with the bound key only, within its window, for the shop and amount it names', () => {
    const s = signTerms(terms({ binding: 'device', deviceKey: rawPublicKey(deviceKey) }), ttpKey);
    const p = { timeMs: NOW, counter: 7, shopId: 'SHOP-1', amountMinor: 1_200 };
    const qr = encodeDeviceQr(s, p, deviceKey);
    const d = decodeQr(qr);
    expect(d.kind === 'device' && d.presentation).toEqual(p);
    expect(verifyQr(qr, keys, { nowMs: NOW + 1000, shopId: 'SHOP-1', amountMinor: 1_200 }).terms.binding).toBe('device');
    expectCode(() => verifyQr(encodeDeviceQr(s, p, otherKey), keys, { nowMs: NOW }), 'PWTOKEN_BAD_DEVICE_SIGNATURE');
    expectCode(() => verifyQr(qr, keys, { nowMs: NOW + 120_001 }), 'PWTOKEN_STALE');
    expectCode(() => verifyQr(qr, keys, { nowMs: NOW - 30_001 }), 'PWTOKEN_STALE');
    expectCode(() => verifyQr(qr, keys, { nowMs: NOW, shopId: 'SHOP-2' }), 'PWTOKEN_PRESENTATION_MISMATCH');
    expectCode(() => verifyQr(qr, keys, { nowMs: NOW, amountMinor: 1_300 }), 'PWTOKEN_PRESENTATION_MISMATCH');
    const open = encodeDeviceQr(s, { timeMs: NOW, counter: 8, shopId: null, amountMinor: null }, deviceKey);
    expect(verifyQr(open, keys, { nowMs: NOW, shopId: 'SHOP-2', amountMinor: 9 }).terms.serial).toEqual(s.terms.serial);
    // A device-bound password has no static QR, and a bearer one no device QR.
    expectCode(() => encodeBearerQr(s, CODE), 'PWTOKEN_MALFORMED');
    expectCode(() => encodeDeviceQr(signTerms(terms(), ttpKey), p, deviceKey), 'PWTOKEN_MALFORMED');
  });
});
