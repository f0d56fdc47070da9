import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { SIM_LIMITS } from '../limits.js';
import { StoredCardSchema, type CardState, type StoredCard } from './card-state.js';

/**
 * Card states, one JSON file per card (`<cardId>.json`) in a directory,
 * written atomically. Any simulator (any process) pointed at the same
 * directory sees the same cards, so a card can move between terminals.
 */
export class CardStateStore {
  private writes = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private path(cardId: string): string {
    if (!/^[0-9a-f]{16}$/.test(cardId)) throw new TesseraError('SIM_BAD_COMMAND', 'card id must be 16 lowercase hex chars');
    return join(this.dir, `${cardId}.json`);
  }

  has(cardId: string): boolean {
    return existsSync(this.path(cardId));
  }

  /** The stored purse (or foreign) card state, or null when the card was never issued here. Corrupt files are SIM_CARD_STATE_CORRUPT. */
  load(cardId: string): CardState | null {
    const state = this.loadAny(cardId);
    if (state?.application === 'cash') throw new TesseraError('SIM_BAD_COMMAND', `card ${cardId} is a bank cash card, not a purse card`, { cardId });
    return state;
  }

  /** Any stored card (purse, foreign or cash), or null when never issued here. */
  loadAny(cardId: string): StoredCard | null {
    const path = this.path(cardId);
    if (!existsSync(path)) return null;
    if (statSync(path).size > SIM_LIMITS.cardStateFileBytesMax) throw corrupt(cardId, 'file too large');
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      throw corrupt(cardId, 'not JSON');
    }
    const result = StoredCardSchema.safeParse(parsed);
    if (!result.success || result.data.cardId !== cardId) throw corrupt(cardId, 'schema mismatch');
    return result.data;
  }

  async save(state: StoredCard): Promise<void> {
    const count = readdirSync(this.dir).length;
    if (!this.has(state.cardId) && count >= SIM_LIMITS.cardsMax) throw new TesseraError('SIM_BAD_COMMAND', 'card store is full');
    this.writes += 1;
    await writeFileAtomic(this.path(state.cardId), Buffer.from(JSON.stringify(state, null, 2)), `${process.pid}-${this.writes}`);
  }

  list(): string[] {
    return readdirSync(this.dir)
      .filter((f) => /^[0-9a-f]{16}\.json$/.test(f))
      .map((f) => f.slice(0, 16))
      .sort();
  }
}

function corrupt(cardId: string, why: string): TesseraError {
  return new TesseraError('SIM_CARD_STATE_CORRUPT', `card state unreadable: ${why}`, { cardId });
}
