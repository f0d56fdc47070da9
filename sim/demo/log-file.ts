/**
 * The run's log file (`<run dir>/demo.log`, pino JSON lines). Written
 * synchronously, so what was logged before a crash is on disk; a line
 * logged after close() (a part that outlived its shutdown step) is dropped
 * instead of throwing out of a timer.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export class LogFile {
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a', 0o600);
  }

  write(line: string): void {
    if (this.fd !== null) writeSync(this.fd, line);
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}
