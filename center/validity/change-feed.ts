import { VALIDITY_LIMITS } from './limits.js';
import type { ChangeCursor, MediumValidity, TerminalValidity, ValiditySource, Versioned } from './types.js';

export interface ChangeFeedOptions {
  readonly source: ValiditySource;
  readonly media: boolean;
  readonly terminals: boolean;
  readonly applyMedium: (r: MediumValidity) => void;
  readonly applyTerminal: (r: TerminalValidity) => void;
  /** A feed read failed: the caller reloads everything (the feed stops until rewound). */
  readonly onError: (e: unknown) => void;
}

/**
 * Follows the database's change feed: on every push, reads the media and
 * terminals changed after its cursors (both feeds in parallel, page by page,
 * in (version, id) order) and applies each row's current state. Reads run one
 * round at a time, so a row read twice is applied in the order it was read.
 */
export class ChangeFeed {
  private media: ChangeCursor = { version: 0, id: null };
  private terminals: ChangeCursor = { version: 0, id: null };
  /** Bumped by rewind(): a round started before it must not move the cursors. */
  private generation = 0;
  /** Every change up to this version is applied. */
  private seen = 0;
  /** Highest version pushed. */
  private wanted = 0;
  /** A read is needed (a push beyond `seen`, a rewind, a full page). */
  private dirty = false;
  private running: Promise<void> | null = null;
  private active = false;
  applied = 0;

  constructor(private readonly opts: ChangeFeedOptions) {}

  /** Highest version whose changes are all applied. */
  get version(): number {
    return this.seen;
  }

  /** After a full reload taken at `version`: re-read everything changed since, then follow pushes. */
  rewind(version: number): void {
    this.generation++;
    this.media = { version, id: null };
    this.terminals = { version, id: null };
    this.seen = version;
    this.active = true;
    this.dirty = true;
    this.kick();
  }

  /** A push announced `version`. */
  poke(version: number): void {
    this.wanted = Math.max(this.wanted, version);
    if (version > this.seen) this.dirty = true;
    this.kick();
  }

  async idle(): Promise<void> {
    for (let i = 0; i < 8 && this.running; i++) await this.running;
  }

  private kick(): void {
    if (!this.active || this.running || !this.dirty) return;
    this.running = this.run().finally(() => {
      this.running = null;
      this.kick();
    });
  }

  private async run(): Promise<void> {
    await Promise.resolve();
    for (let round = 0; round < ROUNDS_MAX && this.dirty; round++) {
      this.dirty = false;
      // A push received before this round began is for a committed change this round's reads see.
      const target = this.wanted;
      const generation = this.generation;
      let more: boolean;
      try {
        more = await this.readRound(generation);
      } catch (e) {
        this.active = false;
        this.opts.onError(e);
        return;
      }
      if (generation !== this.generation) continue;
      if (more) this.dirty = true;
      else this.seen = Math.max(this.seen, target);
    }
  }

  /** One page of each feed; true if either page was full (more to read). */
  private async readRound(generation: number): Promise<boolean> {
    const limit = VALIDITY_LIMITS.changeBatchMax;
    const [media, terminals] = await Promise.all([
      this.opts.media ? this.opts.source.listMediaChangedSince(this.media, limit) : [],
      this.opts.terminals ? this.opts.source.listTerminalsChangedSince(this.terminals, limit) : [],
    ]);
    // Rows are current state: applying them is right even if a rewind happened meanwhile.
    for (const r of media) this.opts.applyMedium(r);
    for (const r of terminals) this.opts.applyTerminal(r);
    this.applied += media.length + terminals.length;
    if (generation === this.generation) {
      this.media = advance(this.media, media);
      this.terminals = advance(this.terminals, terminals);
    }
    return media.length === limit || terminals.length === limit;
  }
}

/** Bounds one run; a longer backlog continues in the next run. */
const ROUNDS_MAX = 10_000;

function advance(cursor: ChangeCursor, rows: readonly Versioned<{ id: string }>[]): ChangeCursor {
  const last = rows[rows.length - 1];
  return last === undefined ? cursor : { version: last.version, id: last.id };
}
