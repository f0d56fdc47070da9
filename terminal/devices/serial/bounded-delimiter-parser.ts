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
 * Splits a serial byte stream into lines, holding at most maxLineBytes (+
 * the bytes that could start a delimiter) whatever arrives.
 *
 * - `ANY`: CR and LF each end a line; the empty line between the CR and LF
 *   of a CRLF is no line for the caller (it skips empty lines), so CR, LF
 *   and CRLF scanners all work, mixed too.
 * - A pinned delimiter: only it ends a line; a CR or LF left at either edge
 *   of a line (a scanner sending CRLF to a CR terminal) is trimmed, never
 *   kept to spoil the next line.
 * - A partial line that grows past maxLineBytes is dropped at once and its
 *   tail dropped when its end arrives: one DEV_SCAN_TOO_LONG for all of it.
 * - idle(): the caller says no byte came for a while. A partial line then is
 *   one that will not end (a scanner with no suffix, or the wrong one): it is
 *   dropped with DEV_SCAN_UNTERMINATED (DEV_SCAN_TOO_LONG if over the limit),
 *   so the next good line is read whole instead of being glued to it.
 */
export class BoundedDelimiterParser {
  private pending: Buffer = Buffer.alloc(0);
  private discarding = false;
  private discardedBytes = 0;
  /** Bytes of a delimiter that may already sit at the end of `pending`. */
  private readonly carry: number;

  constructor(
    private readonly end: LineEnd,
    private readonly maxLineBytes: number,
    private readonly sink: LineSink,
  ) {
    this.carry = end === 'ANY' ? 0 : end.length - 1;
  }

  /** True while part of a line is held (the caller arms its idle timer). */
  get holding(): boolean {
    return this.pending.length > 0 || this.discarding;
  }

  write(chunk: Buffer): void {
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let from = Math.max(0, this.pending.length - this.carry);
    let start = 0;
    for (let hit = this.find(data, from); hit; hit = this.find(data, from)) {
      this.complete(data.subarray(start, hit.index));
      start = from = hit.index + hit.length;
    }
    let rest = data.subarray(start);
    if (rest.length > this.maxLineBytes + this.carry) {
      this.discarding = true;
      this.discardedBytes += rest.length - this.carry;
      rest = rest.subarray(rest.length - this.carry);
    }
    // A copy: `rest` may be a view into a large chunk.
    this.pending = Buffer.from(rest);
  }

  /** No byte arrived for the idle time: drop a partial line with its code. */
  idle(): void {
    if (this.discarding) this.sink.rejected('DEV_SCAN_TOO_LONG', this.discardedBytes + this.pending.length);
    else if (this.pending.length > 0) this.sink.rejected('DEV_SCAN_UNTERMINATED', this.pending.length);
    this.reset();
  }

  /** Forgets a partial line (port closed); returns the bytes dropped. */
  reset(): number {
    const dropped = this.discardedBytes + this.pending.length;
    this.pending = Buffer.alloc(0);
    this.discarding = false;
    this.discardedBytes = 0;
    return dropped;
  }

  private find(data: Buffer, from: number): { index: number; length: number } | null {
    if (this.end !== 'ANY') {
      const index = data.indexOf(this.end, from);
      return index < 0 ? null : { index, length: this.end.length };
    }
    const cr = data.indexOf(CR, from);
    const lf = data.indexOf(LF, from);
    const index = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
    return index < 0 ? null : { index, length: 1 };
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

function trimLineEnds(line: Buffer): Buffer {
  let a = 0;
  let b = line.length;
  while (a < b && (line[a] === CR || line[a] === LF)) a++;
  while (b > a && (line[b - 1] === CR || line[b - 1] === LF)) b--;
  return line.subarray(a, b);
}
