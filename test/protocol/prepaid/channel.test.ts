/** The medium-keyed request proof and sealed reply of PROTOCOL.md §6.4 (protocol/prepaid/channel.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCode } from '../../../core/errors.js';
import { canonicalRequest, channelKeys, channelKeysOfFile, openReplyFile, requestProof, sealReplyFile, verifyRequestProof } from '../../../protocol/prepaid/channel.js';
import { fileDigest } from '../../../protocol/prepaid/medium.js';
import { channelVectorsMarkdown } from './print-vectors.js';
import { CHANNEL_REPLY_NONCE, CHANNEL_REQUEST, MEDIUM_VECTORS } from './vectors.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const [g1, g2] = MEDIUM_VECTORS as [(typeof MEDIUM_VECTORS)[number], (typeof MEDIUM_VECTORS)[number]];
const thrown = (f: () => unknown): string => {
  try {
    f();
    return 'OK';
  } catch (e) {
    return errorCode(e);
  }
};

describe('prepaid channel: medium-keyed proof and sealed reply', () => {
  it('computes the pinned canonical request and proof, and PROTOCOL.md §6.4 shows them', () => {
    expect(canonicalRequest(CHANNEL_REQUEST).toString('hex')).toBe(
      '5453504d2d5245513101b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1000000010001' + '02030405060708090a0b0c0d0e0f00000001010856454e444f522d3100000000' + '000004b04a5059',
    );
    expect(requestProof(channelKeysOfFile(g1.file), CHANNEL_REQUEST).toString('hex')).toBe('0d9231947c6beaf79b225d80276f48f6');
    expect(readFileSync(join(ROOT, 'protocol', 'PROTOCOL.md'), 'utf8')).toContain(channelVectorsMarkdown());
  });

  it('verifies with the keys the center derives from the stored digest, and refuses another generation\'s file or any changed field', () => {
    const proof = requestProof(channelKeysOfFile(g1.file), CHANNEL_REQUEST);
    expect(thrown(() => verifyRequestProof(channelKeys(fileDigest(g1.file)), CHANNEL_REQUEST, proof))).toBe('OK');
    expect(thrown(() => verifyRequestProof(channelKeys(fileDigest(g2.file)), CHANNEL_REQUEST, proof))).toBe('PREPAID_FILE_AUTH_FAILED');
    for (const changed of [{ amountMinor: 1201 }, { payee: 'VENDOR-2' }, { generation: 2 }, { requestId: Buffer.alloc(16, 1) }]) {
      expect(thrown(() => verifyRequestProof(channelKeysOfFile(g1.file), { ...CHANNEL_REQUEST, ...changed }, proof))).toBe('PREPAID_FILE_AUTH_FAILED');
    }
  });

  it('seals the new file so only the holder of the presented file opens it, for this request and generation only', () => {
    const keys = channelKeysOfFile(g1.file);
    const sealed = sealReplyFile(keys, CHANNEL_REQUEST.requestId, 2, g2.file, CHANNEL_REPLY_NONCE);
    expect(openReplyFile(keys, CHANNEL_REQUEST.requestId, 2, sealed).equals(g2.file)).toBe(true);
    expect(thrown(() => openReplyFile(channelKeysOfFile(g2.file), CHANNEL_REQUEST.requestId, 2, sealed))).toBe('PREPAID_FILE_AUTH_FAILED');
    expect(thrown(() => openReplyFile(keys, Buffer.alloc(16), 2, sealed))).toBe('PREPAID_FILE_AUTH_FAILED');
    expect(thrown(() => openReplyFile(keys, CHANNEL_REQUEST.requestId, 3, sealed))).toBe('PREPAID_FILE_AUTH_FAILED');
    expect(thrown(() => openReplyFile(keys, CHANNEL_REQUEST.requestId, 2, sealed.subarray(0, 20)))).toBe('PREPAID_FILE_TRUNCATED');
    for (let i = 0; i < sealed.length; i += 7) {
      const bad = Buffer.from(sealed);
      bad[i] = bad[i]! ^ 1;
      expect(thrown(() => openReplyFile(keys, CHANNEL_REQUEST.requestId, 2, bad))).toBe('PREPAID_FILE_AUTH_FAILED');
    }
  });
});
