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

if (process.argv[1]?.endsWith('print-vectors.ts')) process.stdout.write(vectorsMarkdown());
