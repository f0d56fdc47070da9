/** Named limits of the prepaid client (the user's PC; seed 000). */
export const PREPAID_CLIENT_LIMITS = {
  /** One HTTPS call to the provider gives up after this (the request stays pending on the medium: `resume`). */
  callTimeoutMs: 15_000,
  /** Rounds of `resume` answers (another use's generation to write first) one payment goes through before it gives up. */
  resumeRoundsMax: 3,
} as const;
