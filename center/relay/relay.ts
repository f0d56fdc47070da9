/**
 * The transaction relay (the CAFIS role of seed 004): terminals and the
 * center hand it bank-POS transfers; it routes each to the bank host named
 * by the bank code. A transfer moves money only between two accounts of the
 * same bank. Transport failures and timeouts become RELAY_BANK_UNREACHABLE
 * outcomes marked in doubt (the caller retries or reverses by id).
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { RELAY_LIMITS } from './limits.js';
import type { BankHostAdapter, BankOutcome, BankTransferRequest, ReversalOutcome, TransferCode } from './types.js';
import { validTransfer, validTransferId } from './validate.js';

export interface RelayOptions {
  readonly adapters: readonly BankHostAdapter[];
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly bankTimeoutMs?: number;
}

/** One call to a bank host, for metrics: which bank, which operation, its code and how long it took. */
export interface BankCallReport {
  readonly bankCode: string;
  readonly op: 'transfer' | 'reverse';
  readonly code: TransferCode;
  readonly seconds: number;
}

export class Relay {
  private readonly observers = new Set<(c: BankCallReport) => void>();
  private readonly banks = new Map<string, BankHostAdapter>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timeoutMs: number;

  constructor(o: RelayOptions) {
    if (o.adapters.length > RELAY_LIMITS.banksMax) throw new TesseraError('RELAY_BAD_REQUEST', 'too many banks', { count: o.adapters.length });
    for (const a of o.adapters) this.banks.set(a.bankCode, a);
    this.clock = o.clock ?? systemClock;
    this.log = o.log ?? silentLogger;
    this.timeoutMs = o.bankTimeoutMs ?? RELAY_LIMITS.bankTimeoutMs;
  }

  get bankCodes(): string[] {
    return [...this.banks.keys()].sort();
  }

  /** Calls fn after every call that reached for a bank host (metrics); the returned function stops it. */
  observe(fn: (c: BankCallReport) => void): () => void {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }

  async transfer(req: BankTransferRequest): Promise<BankOutcome> {
    const refuse = (code: TransferCode): BankOutcome => ({ transferId: req.transferId, approved: false, code, inDoubt: false });
    if (!validTransfer(req)) return refuse('RELAY_BAD_REQUEST');
    if (req.from.bankCode !== req.to.bankCode) return refuse('RELAY_DIFFERENT_BANKS');
    const bank = this.banks.get(req.from.bankCode);
    if (!bank) return refuse('RELAY_UNKNOWN_BANK');
    const startMs = this.clock.monoMs();
    try {
      const out = await this.withTimeout(bank.transfer(req));
      this.log.info({ transferId: req.transferId, bank: bank.bankCode, code: out.code }, 'relay transfer');
      return this.observed(bank.bankCode, 'transfer', startMs, out);
    } catch (e) {
      this.log.warn({ transferId: req.transferId, bank: bank.bankCode, err: errText(e) }, 'bank unreachable');
      return this.observed(bank.bankCode, 'transfer', startMs, { transferId: req.transferId, approved: false, code: 'RELAY_BANK_UNREACHABLE', inDoubt: true });
    }
  }

  async reverse(bankCode: string, transferId: string): Promise<ReversalOutcome> {
    const fail = (code: TransferCode): ReversalOutcome => ({ transferId, done: false, moved: false, code });
    if (!validTransferId(transferId)) return fail('RELAY_BAD_REQUEST');
    const bank = this.banks.get(bankCode);
    if (!bank) return fail('RELAY_UNKNOWN_BANK');
    const startMs = this.clock.monoMs();
    try {
      return this.observed(bankCode, 'reverse', startMs, await this.withTimeout(bank.reverse(transferId)));
    } catch (e) {
      this.log.warn({ transferId, bank: bankCode, err: errText(e) }, 'bank unreachable (reversal)');
      return this.observed(bankCode, 'reverse', startMs, fail('RELAY_BANK_UNREACHABLE'));
    }
  }

  private observed<T extends { code: TransferCode }>(bankCode: string, op: BankCallReport['op'], startMs: number, out: T): T {
    if (this.observers.size === 0) return out;
    const report = { bankCode, op, code: out.code, seconds: (this.clock.monoMs() - startMs) / 1000 };
    for (const fn of this.observers) fn(report);
    return out;
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimer(this.timeoutMs, () => reject(new TesseraError('RELAY_BANK_UNREACHABLE', 'bank timed out')));
      p.then(
        (v) => {
          timer.cancel();
          resolve(v);
        },
        (e: unknown) => {
          timer.cancel();
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }
}

/** The error's code or class, never its message (which could echo a request). */
function errText(e: unknown): string {
  if (e instanceof TesseraError) return e.code;
  return e instanceof Error ? e.name : 'unknown';
}
