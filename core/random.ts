import { randomBytes, randomInt } from 'node:crypto';

/**
 * Injected randomness. Production uses the system CSPRNG; the simulator and
 * tests use a seeded generator so a failing run reproduces from its seed.
 * Seeded randomness is never used for keys or nonces outside simulation.
 */
export interface Random {
  /** n random bytes. */
  bytes(n: number): Buffer;
  /** Integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** Float in [0, 1). */
  float(): number;
}

export class SystemRandom implements Random {
  bytes(n: number): Buffer {
    return randomBytes(n);
  }
  int(maxExclusive: number): number {
    return randomInt(maxExclusive);
  }
  float(): number {
    return randomBytes(4).readUInt32BE(0) / 2 ** 32;
  }
}

export const systemRandom: Random = new SystemRandom();

/** sfc32 seeded from a 32-bit seed through splitmix32: small, fast, reproducible. */
export class SeededRandom implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    let s = this.seed;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  private nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.nextU32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.float() * maxExclusive);
  }
  float(): number {
    return this.nextU32() / 2 ** 32;
  }
}
