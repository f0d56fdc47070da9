import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedDelimiterParser } from '../../../terminal/devices/serial/bounded-delimiter-parser.js';

function feed(chunks: Buffer[], delimiter: string, max: number): { lines: string[]; tooLong: number[] } {
  const out = { lines: [] as string[], tooLong: [] as number[] };
  const parser = new BoundedDelimiterParser(Buffer.from(delimiter), max, (bytes) => out.tooLong.push(bytes));
  parser.on('data', (line: Buffer) => out.lines.push(line.toString('latin1')));
  for (const c of chunks) parser.write(c);
  return out;
}

describe('BoundedDelimiterParser', () => {
  it('splits on a 2-byte delimiter cut across chunks', () => {
    expect(feed([Buffer.from('AB\r'), Buffer.from('\nCD\r\n')], '\r\n', 16)).toEqual({ lines: ['AB', 'CD'], tooLong: [] });
  });

  it('drops an over-long line once, keeps its neighbours, and never holds more than the limit', () => {
    const chunks = [Buffer.from('OK1\r'), ...Array.from({ length: 50 }, () => Buffer.alloc(10, 0x58)), Buffer.from('X\rOK2\r')];
    expect(feed(chunks, '\r', 32)).toEqual({ lines: ['OK1', 'OK2'], tooLong: [501] });
  });

  it('emits the same lines whatever the chunking (property)', () => {
    const line = fc.stringMatching(/^[A-Z0-9]{0,20}$/);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 30 }), (lines, cuts) => {
        const stream = Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');
        const chunks: Buffer[] = [];
        let at = 0;
        for (const c of cuts) {
          chunks.push(stream.subarray(at, Math.min(stream.length, at + c)));
          at = Math.min(stream.length, at + c);
        }
        chunks.push(stream.subarray(at));
        // An empty line is an empty chunk, which a byte stream does not emit.
        expect(feed(chunks, '\r\n', 20)).toEqual({ lines: lines.filter((l) => l.length > 0), tooLong: [] });
      }),
    );
  });
});
