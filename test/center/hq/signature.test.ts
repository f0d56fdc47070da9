import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NonceWindow, signRequest, signedString, verifyRequest } from '../../../center/hq/signature.js';
import '../../../center/hq/errors.js';

// PROTOCOL.md §6.5.1 vector: the Ed25519 key from the seed 00 01 .. 1f.
const seed = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const key = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
const pub = createPublicKey(key);
const body = Buffer.from('{"requestId":"13131313131313131313131313131313","storeId":"STORE-1","terminalId":"POS-1","serial":"9001000000000422","amount":3000,"currency":"JPY"}');
const parts = { method: 'POST', path: '/hq/v1/activations', hqId: 'HQ-1', timestampMs: 1_767_225_600_000, nonce: '000102030405060708090a0b0c0d0e0f', body };
const SIGNATURE = 'otl2/YNvHwXRREfACxYbKZn/yPZroGZ8lilgaW+lhiq2pggzvgDgdY3HWZ9HbO+69rk+XRjI02zcouWBkUfXCg==';

const verify = (headers: Record<string, string>, o: { nowMs?: number; nonces?: NonceWindow; body?: Buffer; path?: string } = {}) =>
  verifyRequest({ method: 'POST', path: o.path ?? parts.path, headers, body: o.body ?? body }, { publicKeyOf: (id) => (id === 'HQ-1' ? pub : undefined), nowMs: o.nowMs ?? parts.timestampMs, nonces: o.nonces ?? new NonceWindow() });
const codeOf = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('HQ link request signatures (PROTOCOL.md §6.5.1)', () => {
  it('gives the vector of PROTOCOL.md: the signed string, the public key and the signature', () => {
    expect(signedString(parts)).toBe(['TESSERA-HQ-1', 'POST', '/hq/v1/activations', 'HQ-1', '1767225600000', '000102030405060708090a0b0c0d0e0f', 'b49045316aaf7e9d7685f3ea7ff4fa4f0899c4e8f4b86cc52a2b32fc4e200250'].join('\n'));
    expect(signRequest(key, parts)['tessera-signature']).toBe(SIGNATURE);
    const doc = readFileSync(new URL('../../../protocol/PROTOCOL.md', import.meta.url), 'utf8');
    for (const s of [SIGNATURE, '03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8', 'b49045316aaf7e9d7685f3ea7ff4fa4f0899c4e8f4b86cc52a2b32fc4e200250', body.toString()]) expect(doc).toContain(s);
    expect((pub.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('hex')).toBe('03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8');
  });

  it('verifies the vector and names the HQ', () => {
    expect(verify(signRequest(key, parts))).toBe('HQ-1');
  });

  it('refuses a changed body, path, missing header, unknown HQ, stale timestamp and a replayed nonce, each coded', () => {
    const h = signRequest(key, parts);
    expect(codeOf(() => verify(h, { body: Buffer.from(body.toString().replace('3000', '5000')) }))).toBe('HQ_SIGNATURE_INVALID');
    expect(codeOf(() => verify(h, { path: '/hq/v1/voids' }))).toBe('HQ_SIGNATURE_INVALID');
    expect(codeOf(() => verify({ ...h, 'tessera-signature': '' }))).toBe('HQ_SIGNATURE_MISSING');
    expect(codeOf(() => verify({ ...h, 'tessera-hq-id': 'HQ-2' }))).toBe('HQ_SIGNATURE_INVALID');
    expect(codeOf(() => verify(h, { nowMs: parts.timestampMs + 120_001 }))).toBe('HQ_SIGNATURE_STALE');
    expect(codeOf(() => verify(h, { nowMs: parts.timestampMs - 120_001 }))).toBe('HQ_SIGNATURE_STALE');
    const nonces = new NonceWindow();
    expect(codeOf(() => verify(h, { nonces }))).toBe('ok');
    expect(codeOf(() => verify(h, { nonces }))).toBe('HQ_SIGNATURE_REPLAYED');
  });
});
