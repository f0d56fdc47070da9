/**
 * Test vectors of the password formats (docs/PASSWORDS.md and PROTOCOL.md
 * §6.6 print the same bytes): literal terms with one comment per field,
 * decoded, re-encoded (compared as hex), signed (Ed25519 is deterministic:
 * the signature is a vector too) and verified; the QR texts and the device's
 * presentation bytes. Keys: TTP seed 32 × 0x11, device seed 32 × 0x22.
 */
import { describe, expect, it } from 'vitest';
import {
  codeDigest, decodeQr, decodeTerms, encodeBearerQr, encodeDeviceQr, encodeTerms, encodeToken, presentationBytes, privateKeyFromSeed, rawPublicKey, signTerms, TrustedKeys, verifyQr,
} from '../../../protocol/password/index.js';
import { readFileSync } from 'node:fs';
import { ByteWriter } from '../../../protocol/bytes/writer.js';
import { MSG, TAG } from '../../../protocol/codes.js';
import { decodeBody, encodeBodyToBuffer } from '../../../protocol/messages/catalog.js';
import { TlvWriter } from '../../../protocol/tlv/writer.js';

const ttp = privateKeyFromSeed(Buffer.alloc(32, 0x11));
const device = privateKeyFromSeed(Buffer.alloc(32, 0x22));
const CODE = '7K3QZ9T2M4XW8RHD';
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+|\/\/[^\n]*/g, ''), 'hex');

const BEARER_TERMS = hex(`
  54505731                          // magic "TPW1"
  10ba682c                          // ttpKeyId = SHA-256(TTP public key)[0..4]
  000102030405060708090a0b0c0d0e0f  // serial
  992a6d7e940443ed2f161b93061ba059  // codeDigest = SHA-256("tessera-password-code:7K3QZ9T2M4XW8RHD")[0..16]
  00                                // binding 0 = bearer
  01                                // flags: bit 0 partial
  0000000000001388                  // amountMinor 5000
  4a5059                            // currency "JPY"
  000001a3185c5000                  // issuedAtMs 1800000000000
  000001a3b2db1800                  // expiresAtMs 1802592000000 (+30 days)
  08 4352454449542d41               // issuer "CREDIT-A"
  02 05 424f4f4b53                  // payee: kind 2 category, "BOOKS"
  00                                // user: none
  02 03 423031 03 423032            // goods: "B01", "B02"
`);
const BEARER_SIG = hex('6a0be22b419c14b6f595c2becbe2360b55af4c872fbef35cc49b128acf55d10e41ff05efa86b8ec092bce18b6deadfae8ec59e5a4deaf8036f7888a7d14a6204');

const DEVICE_TERMS = hex(`
  54505731 10ba682c 000102030405060708090a0b0c0d0e0f 992a6d7e940443ed2f161b93061ba059
  01                                // binding 1 = device
  00                                // flags: single use
  0000000000001388 4a5059 000001a3185c5000 000001a3b2db1800
  08 4352454449542d41               // issuer "CREDIT-A"
  00 00                             // payee: none
  00                                // user: none
  00                                // goods: any
  a09aa5f47a6759802ff955f8dc2d2a14a5c99d23be97f864127ff9383455a4f0 // device public key (seed 32 x 0x22)
`);
const DEVICE_SIG = hex('23bc8172da9fbcb5b94bac63c8ded014b42d4556e50a2bfea5847d074d0f72f542850e9125ead5a60aece64eff1289a7767b6896e2945ae1c3e63986c64af406');

const PRESENTATION = hex(`
  54504431                          // magic "TPD1"
  000102030405060708090a0b0c0d0e0f  // serial
  000001a3185d3a60                  // timeMs 1800000060000
  00000001                          // counter 1
  06 53484f502d31                   // shop id "SHOP-1"
  00000000000004b0                  // amountMinor 1200
`);

describe('password vectors', () => {
  it('bearer terms: decode, re-encode byte for byte, the deterministic signature, the token and QR texts', () => {
    const t = decodeTerms(BEARER_TERMS);
    expect(t).toMatchObject({ binding: 'bearer', partial: true, amountMinor: 5_000, currency: 'JPY', issuer: 'CREDIT-A', payee: { kind: 'category', id: 'BOOKS' }, user: null, goods: ['B01', 'B02'] });
    expect(t.codeDigest).toEqual(codeDigest(CODE));
    expect(encodeTerms(t).toString('hex')).toBe(BEARER_TERMS.toString('hex'));
    const s = signTerms(t, ttp);
    expect(s.signature.toString('hex')).toBe(BEARER_SIG.toString('hex'));
    expect(encodeToken(s)).toBe('TPW1:KRIFOMIQXJUCYAABAIBQIBIGA4EASCQLBQGQ4D4ZFJWX5FAEIPWS6FQ3SMDBXICZAAAQAAAAAAAAAE4IJJIFSAAAAGRRQXCQAAAAAANDWLNRQAAIINJEKRCJKQWUCAQFIJHU6S2TAABAGQRQGEBUEMBSNIF6EK2BTQKLN5MVYK7MXYRWBNK26TEHF67PGXGETMJIVT2V2EHED7YF56UGXDWASK6ODC3N5LP25DWFTZNE32XYANXXRCFH2FFGEBA');
    const qr = encodeBearerQr(s, CODE);
    expect(qr).toBe('TPQ1:AEAF6VCQK4YRBOTIFQAACAQDAQCQMBYIBEFAWDANBYHZSKTNP2KAIQ7NF4LBXEYGDOQFSAABAAAAAAAAAAJYQSSQLEAAAANDDBOFAAAAAAA2HMW3DAAAQQ2SIVCESVBNIEBAKQSPJ5FVGAACANBDAMIDIIYDE2QL4IVUDHAUW32ZLQV6ZPRDMC2VV5GIOL566NOMJGYSRLHVLUIOIH7QL35INOHMBEV44GFW32W7V2HMLHS2JXVPQA3PPCEKPUKKMICBAN2LGNIVUOKUGJGTIWCXHBJEQRA');
    expect(verifyQr(qr, new TrustedKeys([rawPublicKey(ttp)]), { nowMs: 1_800_000_060_000 }).expired).toBe(false);
  });

  it('device terms and a device presentation: bytes, signature, QR, verified for SHOP-1 and 1,200', () => {
    const t = decodeTerms(DEVICE_TERMS);
    expect(t).toMatchObject({ binding: 'device', partial: false, payee: null, goods: [] });
    expect(t.deviceKey).toEqual(rawPublicKey(device));
    expect(encodeTerms(t).toString('hex')).toBe(DEVICE_TERMS.toString('hex'));
    const s = signTerms(t, ttp);
    expect(s.signature.toString('hex')).toBe(DEVICE_SIG.toString('hex'));
    const p = { timeMs: 1_800_000_060_000, counter: 1, shopId: 'SHOP-1', amountMinor: 1_200 };
    expect(presentationBytes(t.serial, p).toString('hex')).toBe(PRESENTATION.toString('hex'));
    const qr = encodeDeviceQr(s, p, device);
    expect(qr).toBe('TPQ1:AIAHEVCQK4YRBOTIFQAACAQDAQCQMBYIBEFAWDANBYHZSKTNP2KAIQ7NF4LBXEYGDOQFSAIAAAAAAAAAAAJYQSSQLEAAAANDDBOFAAAAAAA2HMW3DAAAQQ2SIVCESVBNIEAAAAAAUCNKL5D2M5MYAL7ZKX4NYLJKCSS4THJDX2L7QZASP74TQNCVUTYCHPEBOLNJ7PFVXFF2YY6I33IBJNBNIVLOKCRL72SYI7IHJUHXF5KCQUHJCJPK2WTAV3HGJ37RFCNHOZ5WRFXCSRNODQ7GHGDMMSXUAYAAAANDDBOTUYAAAAAACBSTJBHVALJRAAAAAAAAAACLA5RNL4QWKRZHYONEUWYFWRNRFP5AMUTDD5H7L5CVLBYRZEASQGH5U6RGPK4V63SWWAEOUFXDQEAUJMJJMMKUK6DXQAQAY2XSWJ4SIMBQ');
    const d = decodeQr(qr);
    expect(d.kind).toBe('device');
    expect(verifyQr(qr, new TrustedKeys([rawPublicKey(ttp)]), { nowMs: 1_800_000_090_000, shopId: 'SHOP-1', amountMinor: 1_200 }).terms.serial.toString('hex')).toBe('000102030405060708090a0b0c0d0e0f');
  });

  it('every truncation of the vectors is refused with PWTOKEN_MALFORMED, never a crash', () => {
    for (const v of [BEARER_TERMS, DEVICE_TERMS]) {
      for (let i = 0; i < v.length; i++) {
        expect(() => decodeTerms(v.subarray(0, i))).toThrow(expect.objectContaining({ code: 'PWTOKEN_MALFORMED' }));
      }
    }
  });
});

describe('PROTOCOL.md §6.6 body vectors', () => {
  const tx = Buffer.from('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf', 'hex');
  const body = (f: (w: TlvWriter) => void): string => {
    const o = new ByteWriter();
    f(new TlvWriter(o));
    return o.toBuffer().toString('hex');
  };
  const doc = readFileSync(new URL('../../../protocol/PROTOCOL.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('### 6.6 '), doc.indexOf('### 6.7 '));
  /** The hex of one vector block of the section: the first column of its lines, joined. */
  const vector = (title: string): string => {
    const lines = section.slice(section.indexOf(`${title}\n`) + title.length + 1).split('\n');
    return lines.slice(0, lines.findIndex((l) => l.trim() === '' || l.startsWith('```'))).map((l) => l.split(/\s+/)[0]).join('');
  };

  it('the sale request (keypad code and QR) and both results are the bytes the section prints, and the codec reads them back', () => {
    const req = decodeBody(MSG.PASSWORD_SALE_REQUEST, Buffer.from(vector('PASSWORD_SALE_REQUEST, keypad code'), 'hex'));
    expect(req).toMatchObject({ type: 'passwordSaleRequest', amountMinor: 1200, currency: 'JPY', password: '4921083315770642', goodsClasses: ['B01'] });
    expect(encodeBodyToBuffer(req).toString('hex')).toBe(vector('PASSWORD_SALE_REQUEST, keypad code'));
    const res = decodeBody(MSG.PASSWORD_SALE_RESULT, Buffer.from(vector('PASSWORD_SALE_RESULT, approved'), 'hex'));
    expect(res).toMatchObject({ type: 'passwordSaleResult', status: 0, resultCode: 0, amountMinor: 1200, balanceMinor: 1800, expiresAtMs: 1_802_592_000_000 });
    expect(vector('PASSWORD_SALE_REQUEST, keypad code')).toBe(body((w) => void w.bytes(TAG.TRANSACTION_ID, tx).u64(TAG.AMOUNT_MINOR, 1200).ascii(TAG.CURRENCY, 'JPY').ascii(TAG.PASSWORD, '4921083315770642').ascii(TAG.GOODS_CLASS, 'B01')));
    expect(vector('PASSWORD_SALE_REQUEST, scanned QR (text shortened here; the whole QR text in a real request)')).toBe(body((w) => void w.bytes(TAG.TRANSACTION_ID, tx).u64(TAG.AMOUNT_MINOR, 1200).ascii(TAG.CURRENCY, 'JPY').ascii(TAG.PASSWORD_QR, 'TPQ1:AIAH')));
    expect(vector('PASSWORD_SALE_RESULT, approved')).toBe(body((w) => void w.bytes(TAG.TRANSACTION_ID, tx).u8(TAG.STATUS, 0).u16(TAG.RESULT_CODE, 0).u64(TAG.AMOUNT_MINOR, 1200).u64(TAG.BALANCE_MINOR, 1800).u64(TAG.EXPIRES_AT_MS, 1_802_592_000_000)));
    expect(vector('PASSWORD_SALE_RESULT, declined over the amount')).toBe(body((w) => void w.bytes(TAG.TRANSACTION_ID, tx).u8(TAG.STATUS, 1).u16(TAG.RESULT_CODE, 0x0608).u64(TAG.BALANCE_MINOR, 1800)));
  });
});
