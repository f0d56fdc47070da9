/** Cash taken by terminals' bill validators (center/cash/README.md) as a center module: CASH_NOTES_REPORT and CASH_COLLECTION. */
import type { CenterModule } from '../server/module.js';
import { CashBook } from './cash.js';
import { cashMigrations } from './schema.js';

export const CASH_MODULE = 'cash';

export const cashModule: CenterModule<undefined, CashBook> = {
  name: CASH_MODULE,
  migrations: [cashMigrations],
  async open(ctx) {
    const cash = await CashBook.open(ctx.storage, ctx.clock, ctx.log);
    return { api: cash, flows: [cash.flow] };
  },
};
