/** One check of the demo's summary: its code when it fails, what it checks, whether it held (the e-money scene's and the voucher scene's alike). */
import type { DemoCode } from './errors.js';

export interface Check {
  readonly code: DemoCode;
  readonly name: string;
  readonly ok: boolean;
}
