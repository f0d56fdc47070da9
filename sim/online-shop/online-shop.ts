/**
 * A simulated online shop's back office, reaching the center only through the
 * merchant API client (center/merchant-api/client.ts), as a real shop would.
 * It keeps its own books (SQLite) of the payouts it has reconciled; each
 * pass reconciles every paid payout not in its books: it declares the total
 * of the accepted payments it sees for the settlement and records the
 * center's answer. The Idempotency-Key is derived from the settlement id, so
 * a pass cut short (crash, lost answer, books restored from an old copy)
 * never records a reconciliation twice at the center.
 */
import Database from 'better-sqlite3';
import type { MerchantClient } from '../../center/merchant-api/client.js';

export interface ReconcilePass {
  /** Payouts reconciled in this pass (new to the shop's books). */
  readonly reconciled: number;
  /** Of those, how many the center answered with a stored answer (already done before). */
  readonly replayed: number;
  /** Of those, how many did not match the center's control totals. */
  readonly mismatched: number;
}

export class OnlineShop {
  private readonly db: Database.Database;

  constructor(
    private readonly client: MerchantClient,
    booksPath: string,
  ) {
    this.db = new Database(booksPath);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS reconciled (
      payout_id TEXT PRIMARY KEY, settlement_id TEXT NOT NULL, amount_minor INTEGER NOT NULL, reconciliation_id TEXT NOT NULL, matched INTEGER NOT NULL)`);
  }

  /** One pass over every paid payout (all pages). */
  async reconcilePaid(): Promise<ReconcilePass> {
    const seen = this.db.prepare('SELECT 1 FROM reconciled WHERE payout_id = ?');
    const book = this.db.prepare('INSERT INTO reconciled (payout_id, settlement_id, amount_minor, reconciliation_id, matched) VALUES (?,?,?,?,?)');
    let reconciled = 0;
    let replayed = 0;
    let mismatched = 0;
    for await (const payout of this.client.all((q) => this.client.payouts(q), { state: 'paid', limit: 50 })) {
      if (seen.get(payout.id)) continue;
      const detail = await this.client.settlement(payout.settlementId);
      const accepted = detail.payments.filter((p) => p.status === 'accepted');
      const declared = { count: 1, totalMinor: accepted.reduce((s, p) => s + p.amountMinor, 0), currency: payout.currency };
      const r = await this.client.reconcile({ settlementIds: [payout.settlementId], declared }, { idempotencyKey: `recon-${payout.settlementId}` });
      book.run(payout.id, payout.settlementId, payout.amountMinor, r.body.id, r.body.matched ? 1 : 0);
      reconciled++;
      if (r.replayed) replayed++;
      if (!r.body.matched) mismatched++;
    }
    return { reconciled, replayed, mismatched };
  }

  close(): void {
    this.db.close();
  }
}
