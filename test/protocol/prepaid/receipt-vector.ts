/** The receipt vector of docs/PREPAID.md ("The vendor's receipt"): `npx tsx test/protocol/prepaid/receipt-vector.ts`. */
import { receiptKeyId, receiptPublicKeyRaw, receiptSigningKey, signReceipt, type ReceiptFields } from '../../../protocol/prepaid/receipt.js';

export const RECEIPT_SEED = Buffer.alloc(32, 0x5e);
export const RECEIPT_FIELDS: ReceiptFields = {
  kind: 'registration',
  vendorId: 'VENDOR-1',
  orderId: 'o_0001',
  requestId: 'b1'.repeat(16),
  itemCode: 'SW-EDITOR',
  itemName: 'Tessera Editor, single user',
  amountMinor: 1200,
  currency: 'JPY',
  paidAtMs: 1_764_547_200_000,
  licenceKey: 'ABCDE-FGHJK-MNPQR-STVWX',
};

export function receiptVectorMarkdown(): string {
  const key = receiptSigningKey(RECEIPT_SEED);
  const pub = receiptPublicKeyRaw(key);
  const bytes = signReceipt(RECEIPT_FIELDS, key);
  const out = ['```', `vendor key seed  ${RECEIPT_SEED.toString('hex')}`, `public key       ${pub.toString('hex')}`, `key id           ${receiptKeyId(pub)}`];
  out.push(`receipt (${bytes.length} bytes; registration, VENDOR-1, order o_0001, request b1…b1, SW-EDITOR, 1200 JPY, paid 2025-12-01T00:00:00Z):`);
  for (let i = 0; i < bytes.length; i += 32) out.push(`${i.toString().padStart(4)}  ${bytes.subarray(i, i + 32).toString('hex')}`);
  out.push('```');
  return out.join('\n');
}

if (process.argv[1]?.endsWith('receipt-vector.ts')) process.stdout.write(`${receiptVectorMarkdown()}\n`);
