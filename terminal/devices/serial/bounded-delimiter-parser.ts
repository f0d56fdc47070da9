import type { TransformCallback } from 'node:stream';
import { DelimiterParser } from '@serialport/parser-delimiter';

/**
 * @serialport/parser-delimiter with a bound: the base parser keeps a partial
 * line in `buffer` until the delimiter comes, without limit. Here a partial
 * line longer than maxLineBytes is dropped as soon as it passes the limit
 * (keeping only the bytes that could start a delimiter), its tail is dropped
 * when the delimiter arrives, and onTooLong is called once per such line.
 * A complete line over the limit inside one chunk is dropped the same way.
 * A partial line at end of stream is dropped, never emitted.
 */
export class BoundedDelimiterParser extends DelimiterParser {
  private discarding = false;
  private discardedBytes = 0;

  constructor(
    delimiter: Buffer,
    private readonly maxLineBytes: number,
    private readonly onTooLong: (bytes: number) => void,
  ) {
    super({ delimiter, includeDelimiter: false });
  }

  override push(line: Buffer | null): boolean {
    if (line === null) return super.push(null);
    if (this.discarding || line.length > this.maxLineBytes) {
      const bytes = this.discardedBytes + line.length;
      this.discarding = false;
      this.discardedBytes = 0;
      this.onTooLong(bytes);
      return true;
    }
    return super.push(line);
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, cb: TransformCallback): void {
    super._transform(chunk, encoding, (error) => {
      if (this.buffer.length > this.maxLineBytes) {
        const keep = this.delimiter.length - 1;
        this.discarding = true;
        this.discardedBytes += this.buffer.length - keep;
        this.buffer = Buffer.from(this.buffer.subarray(this.buffer.length - keep));
      }
      cb(error);
    });
  }

  override _flush(cb: TransformCallback): void {
    this.buffer = Buffer.alloc(0);
    this.discarding = false;
    this.discardedBytes = 0;
    cb();
  }
}
