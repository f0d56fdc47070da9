/**
 * The demo's terminals as the world provisions them (sim/world/terminals.ts):
 * which role each plays, whom it belongs to, which simulated reader slot it
 * uses, whether the center calls it back (shops), its scanner and removable
 * store (shops), and the person at its keypad. Keys are derived from the
 * center's master key and written 0600 by the world; they are never printed.
 */
import type { WorldTerminalSpec } from '../world/terminals.js';
import type { DemoCast } from './cast.js';
import { DEMO_LIMITS } from './limits.js';
import { mountDirOf } from './media.js';
import { PersonKeypad } from './person-keypad.js';

export const PROVIDER_OWNER = 'PROVIDER';

export type TerminalSpec = WorldTerminalSpec<PersonKeypad> & { readonly role: 'provider-kiosk' | 'shop' | 'vending' };

/** Simulator scanners the fleet needs (`scanner0`, `scanner1`, … in shop order). */
export function scannersFor(cast: DemoCast): number {
  return cast.shops.filter((s) => s.scanner).length;
}

/** Reader devices the fleet needs (two slots each). */
export function readerDevicesFor(cast: DemoCast): number {
  return Math.ceil((cast.kiosks.length + cast.shops.length) / 2);
}

/** Every terminal of the cast, in reader-slot order: the kiosks, then the shops. */
export function terminalSpecs(cast: DemoCast, dir: string): TerminalSpec[] {
  const link = { requestTimeoutMs: DEMO_LIMITS.linkRequestTimeoutMs, attempts: 3 };
  const person = (): NonNullable<TerminalSpec['keypad']> => ({ keypad: new PersonKeypad(), enter: () => undefined });
  const specs: TerminalSpec[] = [];
  for (const k of cast.kiosks) specs.push({ terminalId: k, role: 'provider-kiosk', ownerId: PROVIDER_OWNER, reader: specs.length, readerTransmitTimeoutMs: DEMO_LIMITS.readerTransmitTimeoutMs, callback: false, link, keypad: person() });
  // A settle that gets no callback ends (TERM_SETTLE_TIMEOUT) before the demo's step deadline, so the agent stops cleanly.
  const settleWaitMs = DEMO_LIMITS.settleWaitMs;
  let scanners = 0;
  for (const s of cast.shops) {
    const roleSettings =
      s.role === 'vending' ? { products: { ...cast.products }, settleWaitMs } : s.scanner ? { products: { ...cast.items }, settleWaitMs } : { settleWaitMs };
    specs.push({
      terminalId: s.terminalId,
      role: s.role,
      ownerId: s.shopId,
      reader: specs.length,
      readerTransmitTimeoutMs: DEMO_LIMITS.readerTransmitTimeoutMs,
      roleSettings,
      link,
      keypad: person(),
      storeMountDir: mountDirOf(dir, s.terminalId),
      ...(s.role !== 'vending' && s.scanner && { scanner: `scanner${scanners++}` }),
    });
  }
  return specs;
}
