/** The vendor's signed receipt (protocol/prepaid/receipt.ts, docs/PREPAID.md "The vendor's receipt"). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCode } from '../../../core/errors.js';
import { readReceipt, receiptPublicKeyRaw, receiptSigningKey, receiptText, signReceipt, verifyReceipt } from '../../../protocol/prepaid/receipt.js';
import { RECEIPT_FIELDS, RECEIPT_SEED, receiptVectorMarkdown } from './receipt-vector.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const key = receiptSigningKey(RECEIPT_SEED);
const pub = receiptPublicKeyRaw(key);
const thrown = (f: () => unknown): string => {
  try {
    f();
    return 'OK';
  } catch (e) {
    return errorCode(e);
  }
};

describe("prepaid: the vendor's receipt", () => {
  it('encodes the pinned vector, and docs/PREPAID.md shows it', () => {
    const bytes = signReceipt(RECEIPT_FIELDS, key);
    expect(pub.toString('hex')).toBe('8146640f02493af4fbc54fe33388e75dc2c937ae0b7727cc2b2afb1b75199a3e');
    expect(bytes.length).toBe(191);
    expect(bytes.toString('hex')).toBe(vectorHex());
    expect(readFileSync(join(ROOT, 'docs', 'PREPAID.md'), 'utf8')).toContain(receiptVectorMarkdown());
  });

  it('verifies offline with the vendor public key and gives back every field; the same fields sign to the same bytes', () => {
    const bytes = signReceipt(RECEIPT_FIELDS, key);
    const r = verifyReceipt(bytes, pub);
    expect(r).toMatchObject({ ...RECEIPT_FIELDS, keyId: '8b81c862681b712b' });
    expect(signReceipt(RECEIPT_FIELDS, key).equals(bytes)).toBe(true);
    expect(receiptText(r)).toContain('licence key: ABCDE-FGHJK-MNPQR-STVWX');
    const goods = signReceipt({ ...RECEIPT_FIELDS, kind: 'goods', licenceKey: '' }, key);
    expect(verifyReceipt(goods, pub).kind).toBe('goods');
  });

  it('refuses another vendor key and every single flipped byte with a code, never a crash or a pass', () => {
    const bytes = signReceipt(RECEIPT_FIELDS, key);
    const other = receiptPublicKeyRaw(receiptSigningKey(Buffer.alloc(32, 1)));
    expect(thrown(() => verifyReceipt(bytes, other))).toBe('PREPAID_RECEIPT_FORGED');
    for (let i = 0; i < bytes.length; i++) {
      const b = Buffer.from(bytes);
      b[i] = b[i]! ^ 0x01;
      expect(['PREPAID_RECEIPT_MALFORMED', 'PREPAID_RECEIPT_FORGED'], `byte ${i}`).toContain(thrown(() => verifyReceipt(b, pub)));
    }
    expect(thrown(() => readReceipt(bytes.subarray(0, 100)))).toBe('PREPAID_RECEIPT_MALFORMED');
    expect(thrown(() => readReceipt(Buffer.concat([bytes, Buffer.alloc(1)])))).toBe('PREPAID_RECEIPT_MALFORMED');
    expect(thrown(() => signReceipt({ ...RECEIPT_FIELDS, kind: 'goods' }, key))).toBe('PREPAID_BAD_ARGUMENT');
    expect(thrown(() => signReceipt({ ...RECEIPT_FIELDS, vendorId: 'vendor one' }, key))).toBe('PREPAID_BAD_ARGUMENT');
  });
});

function vectorHex(): string {
  return (
    '5453505201018b81c862681b712b0856454e444f522d31066f5f30303031b1b1' +
    'b1b1b1b1b1b1b1b1b1b1b1b1b1b10953572d454449544f521b54657373657261' +
    '20456469746f722c2073696e676c65207573657200000000000004b04a505900' +
    '00019ad73584001741424344452d4647484a4b2d4d4e5051522d535456575871' +
    'f8cb1a3cdfe5ea9e51cc59091872c2336b540b47010cc5477bc993e6c2552692' +
    'ca765bfe7f2cd16a0ad5cffa7368a0b55318b08547003566d5eaae0eee8d09'
  );
}
