/**
 * Generation 1's file onto the medium in the drive, into a mirror slot
 * (protocol/prepaid/slots.ts) with the store's atomic write. A medium that
 * holds another medium's file is never overwritten; one that already holds
 * this file (a repeat after a crash) is left as it is.
 */
import { errorCode } from '../../../../core/errors.js';
import { readSlots, SLOT_FILES, slotsMediumId, slotToWrite } from '../../../../protocol/prepaid/slots.js';
import type { RemovableStore } from '../../../devices/removable-store.js';
import { termError } from '../../errors.js';

export interface Written {
  readonly slot: string;
  /** false: the medium held the file already. */
  readonly wrote: boolean;
}

/** A slot's bytes; absent → undefined, unreadable (torn, corrupt) → empty bytes (the slot reads as broken). */
async function slotBytes(store: RemovableStore, name: string): Promise<Uint8Array | undefined> {
  try {
    return await store.readFile(name);
  } catch (e) {
    const code = errorCode(e);
    if (code === 'DEV_FILE_NOT_FOUND') return undefined;
    if (code === 'DEV_FILE_CORRUPT') return new Uint8Array(0);
    throw e;
  }
}

export async function writeIssuedFile(store: RemovableStore, mediumId: string, file: Buffer): Promise<Written> {
  const slots = readSlots(await slotBytes(store, SLOT_FILES[0]), await slotBytes(store, SLOT_FILES[1]));
  const holds = slotsMediumId(slots);
  if (holds !== undefined && holds !== mediumId) throw termError('TERM_PREPAID_MEDIUM_IN_USE', 'the medium in the drive holds another medium\'s file', { heldMediumId: holds });
  if (slots.current && slots.current.view.bytes.equals(file)) return { slot: SLOT_FILES[slots.current.slot], wrote: false };
  const slot = SLOT_FILES[slotToWrite(slots)];
  await store.writeFile(slot, file);
  return { slot, wrote: true };
}
