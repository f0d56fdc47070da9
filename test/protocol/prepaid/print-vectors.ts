/** Prints docs/MEDIUM.md's "Test vectors" section: `npx tsx test/protocol/prepaid/print-vectors.ts`. */
import { logKey, mediumKeys, mediumNonces, systemPassword, passwordVerifier } from '../../../protocol/prepaid/index.js';
import { MEDIUM_VECTORS, V_MASTER, V_MEDIUM_ID } from './vectors.js';

export function vectorsMarkdown(): string {
  const out: string[] = [];
  out.push(`Master key \`${V_MASTER.toString('hex')}\`, medium id \`${V_MEDIUM_ID.toString('hex')}\`, issuer 1, currency JPY.`);
  out.push(`Log key \`${logKey(V_MASTER, V_MEDIUM_ID).toString('hex')}\`.`, '');
  for (const v of MEDIUM_VECTORS) {
    const k = mediumKeys(V_MASTER, V_MEDIUM_ID, v.keyVersion, v.salt);
    const n = mediumNonces(k, v.generation);
    const pw = systemPassword(k, v.generation);
    out.push(`### ${v.name}`, '');
    out.push('```');
    out.push(`salt        ${v.salt.toString('hex')}`);
    out.push(`K1          ${k.k1.toString('hex')}`);
    out.push(`K2          ${k.k2.toString('hex')}`);
    out.push(`password    ${pw.toString('hex')}`);
    out.push(`verifier    ${passwordVerifier(pw).toString('hex')}`);
    out.push(`nonce file  ${n.file.toString('hex')}`);
    out.push(`nonce pw    ${n.password.toString('hex')}`);
    out.push(`file (${v.file.length} bytes):`);
    for (let i = 0; i < v.file.length; i += 32) out.push(`${i.toString().padStart(4)}  ${v.file.subarray(i, i + 32).toString('hex')}`);
    out.push('```', '');
  }
  return out.join('\n');
}

if (process.argv[1]?.endsWith('print-vectors.ts') && process.argv[2] !== 'channel') process.stdout.write(vectorsMarkdown());

import { canonicalRequest, channelKeysOfFile, requestProof, sealReplyFile } from '../../../protocol/prepaid/channel.js';
import { fileDigest } from '../../../protocol/prepaid/medium.js';
import { CHANNEL_REPLY_NONCE, CHANNEL_REQUEST } from './vectors.js';

/** PROTOCOL.md §6.4's vector block: `npx tsx test/protocol/prepaid/print-vectors.ts channel`. */
export function channelVectorsMarkdown(): string {
  const [g1, g2] = MEDIUM_VECTORS;
  const keys = channelKeysOfFile(g1!.file);
  const sealed = sealReplyFile(keys, CHANNEL_REQUEST.requestId, 2, g2!.file, CHANNEL_REPLY_NONCE);
  const hexLines = (b: Buffer) => {
    const out: string[] = [];
    for (let i = 0; i < b.length; i += 32) out.push(`${i.toString().padStart(4)}  ${b.subarray(i, i + 32).toString('hex')}`);
    return out;
  };
  return [
    '```',
    `D (SHA-256 of the generation-1 file of docs/MEDIUM.md)  ${fileDigest(g1!.file).toString('hex')}`,
    `K_req   ${keys.request.toString('hex')}`,
    `K_rep   ${keys.reply.toString('hex')}`,
    `canonical request (use, request id b1…b1, VENDOR-1, 1200 JPY):`,
    ...hexLines(canonicalRequest(CHANNEL_REQUEST)),
    `proof   ${requestProof(keys, CHANNEL_REQUEST).toString('hex')}`,
    `sealed reply (generation-2 file, nonce 0c…0c), SHA-256 ${fileDigest(sealed).toString('hex')}`,
    `first 64 bytes:`,
    ...hexLines(sealed.subarray(0, 64)),
    '```',
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('print-vectors.ts') && process.argv[2] === 'channel') process.stdout.write(channelVectorsMarkdown());
