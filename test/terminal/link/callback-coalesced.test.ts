/**
 * The center may send AUTH_OK and the first request back to back; TCP can
 * deliver them in one segment. The terminal must check the request against
 * the post-handshake frame limit, not the 512-byte handshake limit (found by
 * the demo: a settlement instruction of 24 records was refused with
 * PROTO_FRAME_TOO_LARGE).
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deriveSessionKeys, proofOf } from '../../../protocol/crypto/keys.js';
import { RECORD_STATUS, TAG } from '../../../protocol/codes.js';
import { FrameDecoder, type RawFrame } from '../../../protocol/frame/decoder.js';
import { encodeFrame } from '../../../protocol/frame/encoder.js';
import { PROTOCOL_LIMITS } from '../../../protocol/limits.js';
import { decodeBody } from '../../../protocol/messages/catalog.js';
import type { Message, SettlementInstruction } from '../../../protocol/messages/types.js';
import { sessionSealer, type SessionSealer } from '../../../protocol/session/sealer.js';
import { SeededRandom } from '../../../core/random.js';
import { CallbackListener } from '../../../terminal/link/callback-listener.js';
import { KEY, TID } from '../../center/net/support.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Frames from the socket, one at a time. */
function frames(socket: Socket): () => Promise<Message> {
  const d = new FrameDecoder();
  const got: RawFrame[] = [];
  let wake: (() => void) | undefined;
  socket.on('data', (c: Buffer) => {
    d.push(c, (f) => got.push(f));
    wake?.();
  });
  return async () => {
    while (got.length === 0) await new Promise<void>((r) => (wake = r));
    const f = got.shift()!;
    return decodeBody(f.header.code, f.body);
  };
}

function bigInstruction(sealer: SessionSealer, records: number): SettlementInstruction {
  const results = Array.from({ length: records }, (_, i) => ({ mediumId: Buffer.alloc(8, i + 1), cardCounter: i + 1, status: RECORD_STATUS.ACCEPTED }));
  return {
    type: 'settlementInstruction', bankCode: '0001', branchCode: '001', accountNumber: '1234567',
    securityCode: sealer.seal(TAG.SECURITY_CODE, Buffer.from('4321')), totalMinor: 100 * records, currency: 'JPY', results,
  };
}

describe('callback session: AUTH_OK and a large request in one write', () => {
  it('the instruction after AUTH_OK is judged by the full frame limit and answered', async () => {
    const token = Buffer.alloc(16, 0x5a);
    let received: SettlementInstruction | undefined;
    const listener = new CallbackListener({
      terminalId: TID,
      terminalKey: KEY,
      onInstruction: async (m) => {
        received = m;
        return { type: 'settlementAck', erased: [] };
      },
    });
    const { port } = await listener.listen(0);
    cleanups.push(() => listener.close());
    listener.expect(token, 5_000);

    const socket = connect({ host: '127.0.0.1', port });
    cleanups.push(() => void socket.destroy());
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const next = frames(socket);
    const nonceC = Buffer.alloc(32, 3);
    socket.write(encodeFrame({ type: 'callbackHello', terminalId: TID, token, nonce: nonceC }, { seq: 0, requestId: 0, response: false }));
    const auth = await next();
    if (auth.type !== 'callbackAuth') throw new Error(`got ${auth.type}`);
    const keys = deriveSessionKeys(KEY, auth.nonce, nonceC, TID);
    const sealer = sessionSealer(keys, 'center', new SeededRandom(9));
    const authOk = encodeFrame({ type: 'authOk', proof: proofOf(keys, 'center', auth.nonce, nonceC) }, { seq: 1, requestId: 0, response: false, macKey: keys.macC2t });
    const instruction = encodeFrame(bigInstruction(sealer, 40), { seq: 2, requestId: 1, response: false, macKey: keys.macC2t });
    expect(instruction.length).toBeGreaterThan(PROTOCOL_LIMITS.handshakeFrameBytesMax);
    socket.write(Buffer.concat([authOk, instruction]));

    const ack = await next();
    expect(ack).toEqual({ type: 'settlementAck', erased: [] });
    expect(received?.results).toHaveLength(40);
  });
});
