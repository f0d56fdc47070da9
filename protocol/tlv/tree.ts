/**
 * Iterative well-formedness check of a TLV list (used for opaque content
 * TLVs): every constructed value is itself a valid TLV list, nesting depth is
 * bounded, item counts are bounded. An explicit stack, never recursion.
 */
import { ByteReader } from '../bytes/reader.js';
import { protoError } from '../errors.js';
import { PROTOCOL_LIMITS } from '../limits.js';
import { readTlvHead } from './header.js';

interface Level {
  reader: ByteReader;
  depth: number;
  items: number;
}

export function checkTlvTree(buf: Buffer, start: number, end: number, depth: number): void {
  const stack: Level[] = [{ reader: new ByteReader(buf, start, end), depth, items: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Level;
    if (top.reader.remaining === 0) {
      stack.pop();
      continue;
    }
    if (++top.items > PROTOCOL_LIMITS.tlvItemsMax) throw protoError('PROTO_TLV_TOO_MANY', 'too many TLVs in one list');
    const head = readTlvHead(top.reader);
    if (!head.constructed) continue;
    if (top.depth + 1 > PROTOCOL_LIMITS.tlvDepthMax) throw protoError('PROTO_TLV_TOO_DEEP', 'TLV nesting too deep', { tag: head.tag });
    stack.push({ reader: new ByteReader(buf, head.start, head.end), depth: top.depth + 1, items: 0 });
  }
}
