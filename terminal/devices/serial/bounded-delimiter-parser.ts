import { DelimiterParser } from '@serialport/parser-delimiter';

/** How lines end: `ANY` (CR, LF or CRLF, the default) or one pinned delimiter of 1-4 bytes. */
export type LineEnd = 'ANY' | Buffer;

export interface LineSink {
  /** A complete line, without its end (may be empty: two ends in a row). */
  line(bytes: Buffer): void;
  /** A line discarded: over maxLineBytes, or never ended (see idle()). */
  rejected(code: 'DEV_SCAN_TOO_LONG' | 'DEV_SCAN_UNTERMINATED', bytes: number): void;
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * @serialport/parser-delimiter (the design card's line framer) driven in
 * place: `_transform` splits a chunk on the delimiter and keeps the partial
 * line in `buffer`; each line comes out through `push`, taken here instead of
 * going to the stream's readable side. It is called directly, not through
 * `write()`, because the driver needs each chunk's lines and `holding` at
 * once, in the same tick, to arm its idle timer (a stream delivers later).
 */
class LineSplitter extends DelimiterParser {
  constructor(
    delimiter: Buffer,
    private readonly onLine: (line: Buffer) => void,
  ) {
    super({ delimiter, includeDelimiter: false });
  }

  override push(line: Buffer | null): boolean {
    if (line !== null) this.onLine(line);
    return true;
  }

  split(chunk: Buffer): void {
    // 'buffer' is what a Writable passes for a Buffer chunk (the typing lacks it); the library ignores it.
    this._transform(chunk, 'buffer' as BufferEncoding, (error) => {
      if (error) throw error;
    });
  }
}

/**
 * Splits a serial byte stream into lines with @serialport/parser-delimiter
 * (the design card fixes it for scanner line framing), adding what the
 * library lacks for a scanner: any line ending, a bound, and an idle drop.
 * Whatever arrives, it holds at most maxLineBytes (+ the bytes that could
 * start a delimiter): the library alone keeps a partial line without limit.
 *
 * - `ANY`: CR and LF each end a line. Each LF in a chunk is turned into a CR
 *   (in a copy) and the library splits on CR; the empty line between the CR
 *   and LF of a CRLF is no line for the caller (it skips empty lines), so CR,
 *   LF and CRLF scanners all work, mixed too.
 * - A pinned delimiter: the library splits on it alone; a CR or LF left at
 *   either edge of a line (a scanner sending CRLF to a CR terminal) is
 *   trimmed, never kept to spoil the next line.
 * - A partial line (the library's `buffer`) that grows past maxLineBytes is
 *   dropped at once and its tail dropped when its end arrives: one
 *   DEV_SCAN_TOO_LONG for all of it.
 * - idle(): the caller says no byte came for a while. A partial line then is
 *   one that will not end (a scanner with no suffix, or the wrong one): it is
 *   dropped with DEV_SCAN_UNTERMINATED (DEV_SCAN_TOO_LONG if over the limit),
 *   so the next good line is read whole instead of being glued to it.
 */
export class BoundedDelimiterParser {
  private readonly splitter: LineSplitter;
  private discarding = false;
  private discardedBytes = 0;
  /** Bytes of a delimiter that may already sit at the end of the partial line. */
  private readonly carry: number;

  constructor(
    private readonly end: LineEnd,
    private readonly maxLineBytes: number,
    private readonly sink: LineSink,
  ) {
    this.carry = end === 'ANY' ? 0 : end.length - 1;
    this.splitter = new LineSplitter(end === 'ANY' ? Buffer.from([CR]) : end, (line) => this.complete(line));
  }

  /** True while part of a line is held (the caller arms its idle timer). */
  get holding(): boolean {
    return this.splitter.buffer.length > 0 || this.discarding;
  }

  write(chunk: Buffer): void {
    this.splitter.split(this.end === 'ANY' ? lfToCr(chunk) : chunk);
    let rest = this.splitter.buffer;
    if (rest.length > this.maxLineBytes + this.carry) {
      this.discarding = true;
      this.discardedBytes += rest.length - this.carry;
      rest = rest.subarray(rest.length - this.carry);
    }
    // A copy: the library's `buffer` is a view into all of the chunk it split.
    this.splitter.buffer = Buffer.from(rest);
  }

  /** No byte arrived for the idle time: drop a partial line with its code. */
  idle(): void {
    const pending = this.splitter.buffer.length;
    if (this.discarding) this.sink.rejected('DEV_SCAN_TOO_LONG', this.discardedBytes + pending);
    else if (pending > 0) this.sink.rejected('DEV_SCAN_UNTERMINATED', pending);
    this.reset();
  }

  /** Forgets a partial line (port closed); returns the bytes dropped. */
  reset(): number {
    const dropped = this.discardedBytes + this.splitter.buffer.length;
    this.splitter.buffer = Buffer.alloc(0);
    this.discarding = false;
    this.discardedBytes = 0;
    return dropped;
  }

  private complete(line: Buffer): void {
    if (this.discarding) {
      const bytes = this.discardedBytes + line.length;
      this.discarding = false;
      this.discardedBytes = 0;
      this.sink.rejected('DEV_SCAN_TOO_LONG', bytes);
      return;
    }
    const body = this.end === 'ANY' ? line : trimLineEnds(line);
    if (body.length > this.maxLineBytes) this.sink.rejected('DEV_SCAN_TOO_LONG', line.length);
    else this.sink.line(body);
  }
}

/** `chunk` with each LF as a CR (a copy when it has any LF; the caller's chunk is never changed). */
function lfToCr(chunk: Buffer): Buffer {
  let at = chunk.indexOf(LF);
  if (at < 0) return chunk;
  const out = Buffer.from(chunk);
  for (; at >= 0; at = out.indexOf(LF, at + 1)) out[at] = CR;
  return out;
}

function trimLineEnds(line: Buffer): Buffer {
  let a = 0;
  let b = line.length;
  while (a < b && (line[a] === CR || line[a] === LF)) a++;
  while (b > a && (line[b - 1] === CR || line[b - 1] === LF)) b--;
  return line.subarray(a, b);
}
