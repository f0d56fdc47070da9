/**
 * Seals and opens secret fields (PROTOCOL.md §4.4) with one session's keys:
 * seal with the sending direction's key, open with the receiving one's.
 * Bound to one session: a retry on a new session must seal again.
 */
import type { Random } from '../../core/random.js';
import type { SessionKeys } from '../crypto/keys.js';
import { open, seal } from '../crypto/seal.js';
import type { Role } from './channel.js';

export interface SessionSealer {
  seal(fieldTag: number, plaintext: Buffer): Buffer;
  open(fieldTag: number, sealed: Buffer): Buffer;
}

export function sessionSealer(keys: SessionKeys, role: Role, random: Random): SessionSealer {
  const sendKey = role === 'terminal' ? keys.encT2c : keys.encC2t;
  const receiveKey = role === 'terminal' ? keys.encC2t : keys.encT2c;
  return {
    seal: (fieldTag, plaintext) => seal(sendKey, fieldTag, plaintext, random),
    open: (fieldTag, sealed) => open(receiveKey, fieldTag, sealed),
  };
}
