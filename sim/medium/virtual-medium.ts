import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraError } from '../../core/errors.js';
import { wrapFile } from '../../terminal/devices/files/file-envelope.js';

/**
 * A floppy-style medium as a directory. Ejected, it lives in `shelfDir`;
 * inserted, it is renamed onto `mountDir`, which is what the removable-store
 * driver watches (presence = the mount directory exists). Content survives
 * eject and re-insert, like a real diskette.
 */
export class VirtualMedium {
  private readonly shelfPath: string;

  constructor(
    readonly name: string,
    private readonly shelfDir: string,
    private readonly mountDir: string,
  ) {
    this.shelfPath = join(shelfDir, name);
    mkdirSync(this.shelfPath, { recursive: true });
  }

  get inserted(): boolean {
    return !existsSync(this.shelfPath) && existsSync(this.mountDir);
  }

  /** Puts the medium into the drive (the mount directory appears). */
  insert(): void {
    if (existsSync(this.mountDir)) throw new TesseraError('SIM_MEDIUM_STATE', 'the drive already holds a medium');
    if (!existsSync(this.shelfPath)) throw new TesseraError('SIM_MEDIUM_STATE', `medium '${this.name}' is not on the shelf`);
    renameSync(this.shelfPath, this.mountDir);
  }

  /** Takes the medium out (the mount directory disappears, at once, even mid-write). */
  eject(): void {
    if (!this.inserted) throw new TesseraError('SIM_MEDIUM_STATE', `medium '${this.name}' is not inserted`);
    renameSync(this.mountDir, this.shelfPath);
  }

  private dir(): string {
    return this.inserted ? this.mountDir : this.shelfPath;
  }

  /** Writes a well-formed Tessera file (as an issuing terminal would have). */
  putFile(fileName: string, payload: Buffer): void {
    writeFileSync(join(this.dir(), fileName), wrapFile(payload));
  }

  /** Writes raw bytes (a foreign or broken file). */
  putRaw(fileName: string, bytes: Buffer): void {
    writeFileSync(join(this.dir(), fileName), bytes);
  }

  /** Flips one byte of a file's payload: the checksum no longer matches. */
  corrupt(fileName: string): void {
    const path = join(this.dir(), fileName);
    const bytes = readFileSync(path);
    const at = bytes.length - 1;
    bytes[at] = (bytes[at] as number) ^ 0xff;
    writeFileSync(path, bytes);
  }

  /** Raw bytes of a file on the medium (tests). */
  rawFile(fileName: string): Buffer {
    return readFileSync(join(this.dir(), fileName));
  }
}
