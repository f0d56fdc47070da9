/** Frame MAC: HMAC-SHA-256 over header and body, truncated to 16 bytes; compared in constant time. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { PROTOCOL_LIMITS } from '../limits.js';

export function frameMac(key: Buffer, signed: Buffer): Buffer {
  return createHmac('sha256', key).update(signed).digest().subarray(0, PROTOCOL_LIMITS.macBytes);
}

/** Constant-time equality; different lengths are simply unequal. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function verifyFrameMac(key: Buffer, signed: Buffer, mac: Buffer): boolean {
  return safeEqual(frameMac(key, signed), mac);
}
