/** Named limits of the simulated credit company (sim/credit). */
export const CREDIT_LIMITS = {
  /** Largest order, minor units (the TTP's own limit is PASSWORDS_LIMITS.amountMinorMax). */
  orderMinorMax: 500_000,
  /** Customers in one config. */
  customersMax: 10_000,
  /** How often the worker retries orders left open and takes in the TTP's returns, when the config names nothing. */
  workerIntervalMsDefault: 5_000,
  /** Most orders or returns one worker pass handles. */
  workerBatchMax: 100,
  /** Request body limit of the HTTP API. */
  bodyBytesMax: 16 * 1024,
  /** Longest order id (the Idempotency-Key; also the TTP request id). */
  orderIdCharsMax: 64,
} as const;
