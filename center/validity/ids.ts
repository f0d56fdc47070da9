/** Medium id: 8 bytes as 16 lowercase hex; terminal id: 1-16 of [A-Z0-9-] (team conventions). */
const MEDIUM_ID = /^[0-9a-f]{16}$/;
const TERMINAL_ID = /^[A-Z0-9-]{1,16}$/;

export function isMediumId(id: string): boolean {
  return MEDIUM_ID.test(id);
}

export function isTerminalId(id: string): boolean {
  return TERMINAL_ID.test(id);
}

/** High 32 bits of a (valid) medium id. */
export function mediumHi(id: string): number {
  return Number.parseInt(id.slice(0, 8), 16);
}

/** Low 32 bits of a (valid) medium id. */
export function mediumLo(id: string): number {
  return Number.parseInt(id.slice(8, 16), 16);
}

export function mediumIdOf(hi: number, lo: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}
