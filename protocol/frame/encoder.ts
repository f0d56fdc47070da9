/** Encodes one message as one frame: header, TLV body, and the MAC when a key is given. */
import { assert } from '../../core/assert.js';
import { ByteWriter } from '../bytes/writer.js';
import { FLAG_MAC, FLAG_RESPONSE, MAGIC, VERSION } from '../codes.js';
import { frameMac } from '../crypto/mac.js';
import { PROTOCOL_LIMITS } from '../limits.js';
import { encodeBody } from '../messages/catalog.js';
import type { Message } from '../messages/types.js';

const { headerBytes, frameBytesMax, macBytes } = PROTOCOL_LIMITS;

export interface FrameOptions {
  seq: number;
  requestId: number;
  response: boolean;
  /** Present for authenticated frames (seq >= 1); absent for seq-0 handshake and pre-session error frames. */
  macKey?: Buffer | undefined;
}

export function encodeFrame(m: Message, o: FrameOptions): Buffer {
  assert(o.macKey === undefined ? o.seq === 0 : o.seq >= 1 && o.seq <= 0xffff_ffff, 'seq must match MAC presence');
  const w = new ByteWriter(256);
  const flags = (o.macKey ? FLAG_MAC : 0) | (o.response ? FLAG_RESPONSE : 0);
  w.u16(MAGIC).u8(VERSION).u8(0).u16(flags).u32(o.seq).u32(o.requestId).u32(0);
  const code = encodeBody(m, w);
  const bodyLength = w.length - headerBytes;
  w.patchU32(14, bodyLength);
  const frame = w.view();
  frame[3] = code;
  assert(frame.length + (o.macKey ? macBytes : 0) <= frameBytesMax, `frame for ${m.type} exceeds frameBytesMax`);
  if (!o.macKey) return Buffer.from(frame);
  return Buffer.concat([frame, frameMac(o.macKey, frame)]);
}
