import { bankPayoutTableSql } from '../relay/bank-payouts.js';
import type { ModuleMigrations } from '../storage/types.js';

/**
 * The prepaid center's payout tables, a migration set of their own
 * (`prepaid-payouts`) beside the module's core tables:
 *
 *   prepaid_payouts   one row per payout of a vendor's payable or a provider's fees: its reconciliation id,
 *                     the payable ledger account it empties (`payee_account`), the bank transfer id
 *   prepaid_usage_payee   an index: a vendor's payments by date (the merchant API's listing)
 */
export const prepaidPayoutMigrations: ModuleMigrations = {
  module: 'prepaid-payouts',
  migrations: [
    {
      version: 1,
      name: 'vendor and provider payouts; payments by payee and date',
      sql: `${bankPayoutTableSql('prepaid_payouts', 'payee_account', 'BIGINT')};
            CREATE INDEX prepaid_usage_payee ON prepaid_usage (payee, kind, at_ms)`,
    },
  ],
};
