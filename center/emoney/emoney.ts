/**
 * Composition of the e-money module on a center's storage: tables, ledger
 * accounts, the charge and settlement services, the CenterFlow to pass to
 * the center (center/emoney/module.ts), and the sweep that drives timeouts and resumes payments.
 */
import type { FlowOutcome } from '../server/outcomes.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import type { TerminalKeyLookup } from '../../protocol/session/handshake.js';
import { Ledger } from '../ledger/ledger.js';
import type { Relay } from '../relay/relay.js';
import type { AccountRef } from '../relay/types.js';
import type { CenterFlow } from '../server/session-router.js';
import type { Storage } from '../storage/types.js';
import { ValidityGate } from '../validity/gate.js';
import { ValidityRepository } from '../validity/repository.js';
import { storageSource } from '../validity/storage-source.js';
import { ChargeService } from './charge-service.js';
import { sweepCharges, type SweepReport } from './charge-sweep.js';
import type { EmoneyConfig } from './config.js';
import { emoneyFlow } from './flow.js';
import { ensureEmoneyAccounts } from './ledger-map.js';
import { PursePayments } from './purse-payments.js';
import { emoneyMigrations } from './schema.js';
import { SettlementService, type SettlementStep } from './settlement.js';

export interface EmoneyDeps {
  readonly storage: Storage;
  readonly relay: Relay;
  readonly config: EmoneyConfig;
  readonly lookupTerminalKey: TerminalKeyLookup;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly log?: Logger;
  readonly onSettlementStep?: (step: SettlementStep, batchId: string) => void;
  /** Each charge answered (center/server/outcomes.ts): the module publishes it to the admin API's watchers. */
  readonly onOutcome?: (o: FlowOutcome) => void;
  /**
   * The center's general gate. Default: one reading the validity lists from this storage; the
   * module passes validity's gate (center/validity/module.ts), which judges from the in-memory store.
   */
  readonly gate?: ValidityGate;
  /** Validity's lists (terminals: callback addresses, row locks). Default: opened on this storage. */
  readonly validity?: ValidityRepository;
}

export class Emoney {
  private constructor(
    readonly storage: Storage,
    readonly ledger: Ledger,
    readonly charges: ChargeService,
    readonly settlements: SettlementService,
    readonly flow: CenterFlow,
    /** Every e-money request passes it (terminal, purse card): validity's gate when run as a module. */
    readonly gate: ValidityGate,
    private readonly sweepDeps: Parameters<typeof sweepCharges>[0],
    /** The relay to the bank hosts this instance calls. */
    readonly relay: Relay,
    /** Purse debit records paying at another capability's terminal (the prepaid issuer), booked in its unit. */
    readonly purses: PursePayments,
  ) {}

  static async open(d: EmoneyDeps): Promise<Emoney> {
    const clock = d.clock ?? systemClock;
    const log = d.log ?? silentLogger;
    await d.storage.migrate(emoneyMigrations);
    const ledger = await Ledger.open(d.storage, clock);
    await ensureEmoneyAccounts(ledger, d.config.providerAccounts.map((p) => p.bankCode), d.config.currency);
    const base = { storage: d.storage, ledger, relay: d.relay, config: d.config, clock, log };
    const validity = d.validity ?? (await ValidityRepository.open(d.storage));
    const gate = d.gate ?? new ValidityGate({ source: storageSource(validity), clock, log });
    const charges = new ChargeService({ ...base, ...(d.onOutcome && { onOutcome: d.onOutcome }) });
    const settlements = new SettlementService({
      ...base, gate, terminals: validity, random: d.random ?? systemRandom, lookupTerminalKey: d.lookupTerminalKey, ...(d.onSettlementStep && { onStep: d.onSettlementStep }),
    });
    const flow = emoneyFlow({ storage: d.storage, config: d.config, clock, charges, settlements, gate, log });
    return new Emoney(d.storage, ledger, charges, settlements, flow, gate, { ...base, isInflight: (id) => charges.isInflight(id) }, d.relay, new PursePayments({ ledger, config: d.config, gate, clock }));
  }

  /** Registers (or re-points) a member shop's bank account. */
  async registerShop(shopId: string, account: AccountRef): Promise<void> {
    await this.storage.transact((tx) =>
      tx.run(
        `INSERT INTO emoney_merchants (shop_id, bank_code, branch, account) VALUES (?,?,?,?)
         ON CONFLICT (shop_id) DO UPDATE SET bank_code = excluded.bank_code, branch = excluded.branch, account = excluded.account`,
        [shopId, account.bankCode, account.branchCode, account.accountNumber],
      ),
    );
  }

  /** One pass of the timeouts (charges) and of pending shop payments. Run it periodically and at start. */
  async sweep(): Promise<SweepReport & { paymentsRetried: number }> {
    const charges = await sweepCharges(this.sweepDeps);
    return { ...charges, paymentsRetried: await this.settlements.resumePayments() };
  }

  /** Waits for running settlement callbacks. */
  idle(): Promise<void> {
    return this.settlements.idle();
  }
}
