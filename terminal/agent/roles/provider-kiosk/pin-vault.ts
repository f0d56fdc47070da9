import { hkdfSync } from 'node:crypto';
import type { Random } from '../../../../core/random.js';
import { TAG } from '../../../../protocol/codes.js';
import { open, seal } from '../../../../protocol/crypto/seal.js';
import { readTerminalKey } from '../../../config/key-file.js';

const SALT = Buffer.from('TESSERA-KIOSK-PIN-V1', 'ascii');

/**
 * Keeps the bank PIN block of a charge whose CHARGE_REQUEST is not answered
 * yet. (A charge is no longer repeated outside its customer's flow — an
 * unanswered one is given up, ROLES.md — so nothing opens it any more; kept
 * until its removal is decided.)
 * The block is never stored in clear: it is sealed (AES-256-GCM, as PIN blocks
 * on the wire) under a key derived from the terminal key and the charge id,
 * and the kiosk drops it from the journal as soon as the charge is answered
 * or given up (charge-entry.ts).
 */
export class PinVault {
  private terminalKey: Buffer | null = null;

  constructor(private readonly keyFile: string) {}

  seal(chargeId: string, pinBlock: Buffer, random: Random): string {
    return seal(this.keyFor(chargeId), TAG.PIN_BLOCK, pinBlock, random).toString('hex');
  }

  /** The PIN block, or null when it does not open (another terminal key, damaged entry). */
  open(chargeId: string, sealedHex: string): Buffer | null {
    try {
      return open(this.keyFor(chargeId), TAG.PIN_BLOCK, Buffer.from(sealedHex, 'hex'));
    } catch {
      return null;
    }
  }

  private keyFor(chargeId: string): Buffer {
    // Read lazily: a card may be served before the role's start() ran.
    this.terminalKey ??= readTerminalKey(this.keyFile);
    return Buffer.from(hkdfSync('sha256', this.terminalKey, SALT, Buffer.from(chargeId, 'hex'), 32));
  }
}
