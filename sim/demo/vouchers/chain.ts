/**
 * The convenience-store chain of the voucher scene: its headquarters and
 * the voucher tills of its two stores.
 *
 * The HQ runs as `tessera hq serve` does (cli/commands/hq-run.ts: startCenter
 * with the validity and hq modules) on its own SQLite database in the run
 * directory; its tills are on its terminal list, keyed from the world's
 * terminal master key, and it forwards their sales to the settlement
 * center's HQ link (signed with its Ed25519 key). The tills are
 * `voucher-pos` terminal agents of the world (a reader slot, a simulator
 * scanner on a socat pty, the clerk at the keypad) whose link goes to the
 * HQ, not to the center. The tills sell this batch's cards at its face
 * value (their item master: the batch's serial prefix).
 */
import { join } from 'node:path';
import type { Clock } from '../../../core/clock.js';
import { TesseraError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { systemRandom } from '../../../core/random.js';
import type { HqSection } from '../../../center/hq/config-schema.js';
import { buildDailyFile, compareFiles } from '../../../center/hq/daily-file.js';
import { hqModule, linkOf } from '../../../center/hq/module.js';
import { parseCenterConfig, sectionOf } from '../../../center/server/config.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { validityModule } from '../../../center/validity/module.js';
import { ValidityRepository } from '../../../center/validity/repository.js';
import type { HqDailyFile, VoucherBatch } from '../../../center/voucher/api.js';
import type { RoleRegistry } from '../../../terminal/agent/role-registry.js';
import type { WorldTerminal } from '../../world/terminals.js';
import type { World } from '../../world/world.js';
import { DEMO_LIMITS } from '../limits.js';
import { PersonKeypad } from '../person-keypad.js';
import { VOUCHER_CHAIN } from './plan.js';
import type { VoucherSetup } from './setup.js';

export interface DemoTill {
  readonly terminalId: string;
  readonly storeId: string;
  /** The simulator scanner on the till's serial port. */
  readonly scanner: string;
  readonly terminal: WorldTerminal<PersonKeypad>;
}

export interface DemoChain {
  readonly hq: Center;
  readonly hqStorage: Storage;
  readonly section: HqSection;
  readonly tills: ReadonlyMap<string, DemoTill>;
  /**
   * The HQ's daily file for a day (from its journal) and the center's
   * (fetched over the signed link), compared line by line and by control
   * totals as `tessera hq settle` does before it pays. The payment itself is
   * booked only once the day has ended (the center refuses an open day), so
   * the demo reconciles and shows what is due.
   */
  reconcile(day: string): Promise<{ hq: HqDailyFile; center: HqDailyFile; differences: number }>;
  /** Waits until the HQ has nothing left to forward. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The longest common prefix of the batch's first and last serial (its cards' item-master entry at the tills), at most 15 digits. */
export function batchPrefix(batch: Pick<VoucherBatch, 'firstSerial' | 'lastSerial'>): string {
  let n = 0;
  while (n < 15 && batch.firstSerial[n] === batch.lastSerial[n]) n++;
  return batch.firstSerial.slice(0, Math.max(1, n));
}

export async function startChain(o: {
  world: World;
  setup: VoucherSetup;
  batch: VoucherBatch;
  /** The simulator scanners free for the tills, in store order. */
  scanners: readonly string[];
  roles: RoleRegistry;
  clock: Clock;
  log: Logger;
}): Promise<DemoChain> {
  const modules = [validityModule(), hqModule()] as const;
  const config = parseCenterConfig({ listen: { host: '127.0.0.1', port: 0 }, terminalKeys: { masterKeyFile: o.world.masterKeyFile }, hq: hqSectionOf(o.setup) }, modules);
  const section = sectionOf<HqSection | undefined>(config, modules[1])!;
  const hqStorage = await openStorage({ engine: 'sqlite', path: join(o.setup.dir, 'hq.db') });
  let hq: Center | null = null;
  const tills = new Map<string, DemoTill>();
  const close = async (): Promise<void> => {
    for (const t of tills.values()) await t.terminal.stop().catch(() => undefined);
    await hq?.close();
    await hqStorage.close();
  };
  try {
    // The tills on the HQ's terminal list before its listener opens (as the world registers a center's terminals).
    const validity = await ValidityRepository.open(hqStorage);
    await validity.addTerminals(VOUCHER_CHAIN.stores.map((s) => ({ id: s.till, ownerKind: 'store' as const, ownerId: s.storeId, keyRef: `k-${s.till}` })));
    hq = await startCenter(config, modules, { storage: hqStorage, clock: o.clock, log: o.log.child({ part: 'hq' }) });
    const hqPort = hq.address.port;
    const products = [{ serialPrefix: batchPrefix(o.batch), amountMinor: o.batch.denomination! }];
    for (const [i, s] of VOUCHER_CHAIN.stores.entries()) {
      const scanner = o.scanners[i]!;
      const terminal = await o.world.startTerminal<PersonKeypad>({
        terminalId: s.till,
        role: 'voucher-pos',
        ownerId: s.storeId,
        register: false,
        callback: false,
        scanner,
        roles: o.roles,
        roleSettings: { currency: section.currency, products },
        link: { requestTimeoutMs: DEMO_LIMITS.linkRequestTimeoutMs, attempts: 1 },
        keypad: { keypad: new PersonKeypad(), enter: () => undefined },
        config: { centers: [{ host: '127.0.0.1', port: hqPort }] },
      });
      tills.set(s.till, { terminalId: s.till, storeId: s.storeId, scanner, terminal });
    }
    for (const t of tills.values()) await t.terminal.linkUp();
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
  const link = linkOf(section, { clock: o.clock, random: systemRandom });
  const center = hq;
  return {
    hq: center,
    hqStorage,
    section,
    tills,
    reconcile: async (day) => {
      const hqFile = await hqStorage.read((q) => buildDailyFile(q, section, day));
      const got = await link.call<HqDailyFile>('GET', `/hq/v1/daily-files/${day}`);
      if (!got.ok) throw new TesseraError(got.code, 'the settlement center refused the daily file', { day, ...got.details });
      return { hq: hqFile, center: got.value, differences: compareFiles(hqFile, got.value).length };
    },
    idle: () => center.idle(),
    close,
  };
}

/** The HQ's config section (hq/config-schema.ts fills in the rest). */
function hqSectionOf(setup: VoucherSetup): Record<string, unknown> {
  return {
    hqId: VOUCHER_CHAIN.hqId,
    currency: 'JPY',
    commissionBp: VOUCHER_CHAIN.commissionBp,
    timeZone: 'Asia/Tokyo',
    stores: VOUCHER_CHAIN.stores.map((s) => ({ storeId: s.storeId, terminals: [s.till] })),
    center: { url: `http://127.0.0.1:${setup.hqLinkPort}`, keyFile: setup.hqKeyFile },
  };
}
