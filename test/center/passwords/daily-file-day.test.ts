/**
 * The shop's daily file names a business day YYYY-MM-DD; a day the month
 * does not have (2026-02-30, which Date.parse rolls over to 2026-03-02) is a
 * coded refusal naming the field, as the issuer's daily file already did.
 * The executor is a unit-test double: the day is refused before any query.
 */
import { describe, expect, it } from 'vitest';
import { dailyFileIn } from '../../../center/passwords/payouts.js';
import type { SqlExecutor } from '../../../center/storage/types.js';

const noQueries = new Proxy({}, { get: () => () => Promise.reject(new Error('no query expected')) }) as SqlExecutor;

describe("the shop daily file's day", () => {
  it('refuses days a month does not have, and malformed days, with PASSWORD_BAD_REQUEST field day', async () => {
    for (const day of ['2026-02-30', '2026-04-31', '2026-13-01', '2026-2-3', 'today']) {
      await expect(dailyFileIn(noQueries, day, 'UTC', null), day).rejects.toMatchObject({ code: 'PASSWORD_BAD_REQUEST', details: { field: 'day' } });
    }
  });
});
