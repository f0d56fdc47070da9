/**
 * Prints PROTOCOL.md §9 from the committed vectors (so both carry the same
 * bytes): npx tsx test/protocol/support/print-vectors-md.ts
 */
import { BODY_VECTORS, ERROR_VECTORS, FIXED_KEYS, FRAME_VECTORS } from '../vectors.js';
import { readFileSync } from 'node:fs';

const src = readFileSync(new URL('../vectors.ts', import.meta.url), 'utf8');
const out: string[] = [];
const hex = (b: Buffer): string => b.toString('hex');

out.push('### 9.1 Fixed inputs and derived keys', '', '```');
out.push(`terminal id        ${FIXED_KEYS.terminalId}`, `terminal key       ${hex(FIXED_KEYS.terminalKey)}`);
out.push(`terminal nonce     ${hex(FIXED_KEYS.nonceT)}`, `center nonce       ${hex(FIXED_KEYS.nonceC)}`);
for (const [k, v] of Object.entries(FIXED_KEYS.main)) out.push(`K_${k.padEnd(16)} ${hex(v)}`);
out.push('', 'callback session:', `callback token     ${hex(FIXED_KEYS.token)}`, `center nonce       ${hex(FIXED_KEYS.cbNonceC)}`, `terminal nonce     ${hex(FIXED_KEYS.cbNonceT)}`);
for (const [k, v] of Object.entries(FIXED_KEYS.callback)) out.push(`K_${k.padEnd(16)} ${hex(v)}`);
out.push('```', '');

out.push('### 9.2 Frames', '', 'One field per line: hex, then what it is. MAC keys per §9.1 (direction as stated).', '');
for (const v of FRAME_VECTORS) {
  const start = src.indexOf(`name: '${v.name}'`);
  const block = src.slice(src.indexOf('bytes: [', start) + 8, src.indexOf('],', src.indexOf('bytes: [', start)));
  out.push(`### ${v.name}`, '', `${v.session} session, ${v.dir === 't2c' ? 'terminal → center' : 'center → terminal'}`, '', '```');
  for (const line of block.split('\n').filter((l) => l.trim())) {
    const m = /'([0-9a-f]+)', \/\/ (.*)$/.exec(line.trim());
    if (m) out.push(`${m[1]}  ${m[2]}`);
  }
  out.push('```', '');
}

out.push('### 9.3 Error vectors', '', 'Each must fail with exactly this code at the receiver state given.', '');
for (const v of ERROR_VECTORS) {
  const st = v.receiver === 'handshake' ? 'before the handshake (512-byte limit, no keys)' : `${v.receiver.session} session keys ${v.receiver.dir}, last sequence ${v.receiver.lastSeq}${v.receiver.established === false ? ', handshake not finished' : ''}`;
  out.push(`- ${v.name} → ${v.code} (${st})`, '', '```', ...v.bytes, '```', '');
}
out.push('### 9.4 Body vectors', '', 'A message body (no frame) decoded for the message code given: `ok`, or exactly this error.', '');
for (const v of BODY_VECTORS) {
  const start = src.indexOf(`name: '${v.name}'`);
  const block = src.slice(src.indexOf('bytes: [', start) + 8, src.indexOf('],', src.indexOf('bytes: [', start)));
  out.push(`- ${v.name} → ${v.result} (message \`${v.code.toString(16).padStart(2, '0').toUpperCase()}\`)`, '', '```');
  for (const line of block.split('\n').filter((l) => l.trim())) {
    const m = /'([0-9a-f]*)', \/\/ (.*)$/.exec(line.trim());
    if (m) out.push(m[1] ? `${m[1]}  ${m[2]}` : `(empty)  ${m[2]}`);
  }
  out.push('```', '');
}
process.stdout.write(out.join('\n'));
