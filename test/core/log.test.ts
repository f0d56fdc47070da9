import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';

describe('logger redaction', () => {
  it('never writes PINs or keys, at the top level or nested', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk);
        cb();
      },
    });
    const log = createLogger('t', { level: 'info' }, sink);
    log.info({ pin: '1234', card: { key: 'deadbeef' }, op: { req: { secret: 'hunter2' } }, cardId: 'C1' }, 'x');
    expect(out).toContain('C1');
    expect(out).toContain('[redacted]');
    expect(out).not.toContain('1234');
    expect(out).not.toContain('deadbeef');
    expect(out).not.toContain('hunter2');
  });
});
