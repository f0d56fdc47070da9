/**
 * One registry of numbers: which capability (or platform area) owns which
 * message codes, wire result codes, ledger transfer codes and error-code
 * prefixes. The tables that define the numbers stay where they are
 * (protocol/codes.ts MSG, center/emoney/result-codes.ts, center/cash/cash.ts,
 * center/server/transaction-registry.ts, the ledger maps, each errors.ts);
 * they assert at module load that their numbers lie in their owner's range
 * here, and test/core/numbers.test.ts collects every number from the real
 * registries and fails on a duplicate or an out-of-range one. A new
 * capability takes its numbers from its reserved row (docs/NUMBERS.md).
 *
 * Why the ranges are sized as they are:
 *  - Message codes are one header byte (256 values). A capability has a
 *    request/answer pair per operation, so 16 codes (one high nibble: 0x10
 *    validity, 0x20 e-money, ...) fit its operations with room to grow; the
 *    two small seeds (prepaid: one operation, vouchers: two) share
 *    the 0x3x nibble, 8 codes each. 0x01-0x0f is the handshake and control.
 *  - Wire result codes are u16 (TAG.RESULT_CODE): the high byte names the
 *    block, the low byte the code, so a number read in a log (0x0203) names
 *    its owner at a glance and each block holds 255 codes (e-money, the
 *    largest, has 22). 0x0000 is OK in every block. Validity's
 *    TRANSACTION_RESULT codes were numbered 1, 2, 3 from the start, so
 *    validity owns 0x00xx.
 *  - Ledger transfer codes are u16 (center/ledger/validate.ts) and absent or
 *    0 means none. The hundreds digit is the seed number (e-money, seed 004:
 *    401-405) so an audit reader can tell a transfer's capability; 100 codes
 *    per capability is far more than the handful of moves a flow has.
 *    Prepaid (seed 000) gets 1-99, 0 staying "no code". Cash (issue 9, no
 *    seed) took 5xx; the next unseeded capability takes 6xx. The center
 *    platform's own moves (an operator's adjustment, 901) are 9xx.
 *  - Error-code prefixes: one per registry (`defineErrors(area, prefix)`),
 *    ending in `_`, none the start of another, so a code names its area.
 *
 * Ranges are inclusive [min, max]. Append rows; never move a range that holds
 * a number already in use (they are on the wire and in ledgers).
 */

export type Range = readonly [min: number, max: number];

export interface NumberArea {
  /** The area's name: the `area` of its `defineErrors` call where it has one. */
  readonly area: string;
  /** The seed (capability) number, if the area is a seeded capability. */
  readonly seed?: string;
  /** 'capability': in use; 'reserved': numbers held for a capability not built yet; 'platform': no capability. */
  readonly kind: 'capability' | 'reserved' | 'platform';
  /** Message codes (protocol/codes.ts MSG, u8). */
  readonly messages?: Range;
  /** Wire result codes (TAG.RESULT_CODE, u16; 0x0000 = OK belongs to every block). */
  readonly wireResults?: Range;
  /** Ledger transfer codes (NewTransfer.code, u16). */
  readonly ledger?: Range;
  /** Error-code prefixes of the registries this area owns, by `defineErrors` area name. */
  readonly errors: Readonly<Record<string, string>>;
}

export const WIRE_RESULT_OK = 0x0000;

export const NUMBER_AREAS: readonly NumberArea[] = [
  // Capabilities in use
  { area: 'protocol', kind: 'platform', messages: [0x01, 0x0f], errors: { protocol: 'PROTO_' } },
  {
    area: 'validity', seed: '001', kind: 'capability', messages: [0x10, 0x1f], wireResults: [0x0001, 0x00ff], ledger: [100, 199],
    errors: { validity: 'VALIDITY_' },
  },
  {
    area: 'emoney', seed: '004', kind: 'capability', messages: [0x20, 0x2f], wireResults: [0x0100, 0x01ff], ledger: [400, 499],
    // purse: the e-money card application; cashcard: the user's bank cash card read at the kiosk (seed 004)
    errors: { emoney: 'EMONEY_', purse: 'PURSE_', cashcard: 'CASHCARD_' },
  },
  { area: 'bank', kind: 'capability', wireResults: [0x0200, 0x02ff], errors: { bank: 'BANK_' } },
  { area: 'relay', kind: 'capability', wireResults: [0x0300, 0x03ff], errors: { relay: 'RELAY_' } },
  {
    area: 'cash', kind: 'capability', messages: [0x50, 0x5f], wireResults: [0x0a00, 0x0aff], ledger: [500, 599],
    errors: { cash: 'CASH_' },
  },
  // Reserved for the capabilities still to come (their message codes are already in protocol/codes.ts)
  { area: 'prepaid', seed: '000', kind: 'capability', messages: [0x30, 0x37], wireResults: [0x0400, 0x04ff], ledger: [1, 99], errors: { prepaid: 'PREPAID_', provider: 'PROVIDER_', 'prepaid-client': 'PPCLIENT_' } },
  // The vouchers' HQ (center/hq, `tessera hq serve`) answers the till in the same block: HQ_ codes from 0x0580.
  { area: 'vouchers', seed: '002', kind: 'capability', messages: [0x38, 0x3f], wireResults: [0x0500, 0x05ff], ledger: [200, 299], errors: { vouchers: 'VOUCHER_', hq: 'HQ_' } },
  {
    area: 'passwords', seed: '003', kind: 'capability', messages: [0x40, 0x4f], wireResults: [0x0600, 0x06ff], ledger: [300, 399],
    // password-token: the formats' offline checks (protocol/password/), usable without the center
    errors: { passwords: 'PASSWORD_', 'password-token': 'PWTOKEN_' },
  },
  // Platform areas: error codes only (the center's 9xx ledger codes: operator adjustments, 901)
  { area: 'center', kind: 'platform', ledger: [900, 999], errors: { center: 'CENTER_', admin: 'ADMIN_', ledger: 'LEDGER_', storage: 'STORE_', fleet: 'FLEET_', http: 'HTTP_', merchant: 'MERCHANT_' } },
  { area: 'terminal', kind: 'platform', errors: { terminal: 'TERM_', devices: 'DEV_' } },
  { area: 'sim', kind: 'platform', errors: { sim: 'SIM_', 'bank-host': 'BANKHOST_', demo: 'DEMO_', webshop: 'WEBSHOP_', credit: 'CREDIT_', vendor: 'VENDOR_' } },
  { area: 'cli', kind: 'platform', errors: { cli: 'CLI_' } },
  { area: 'metrics', kind: 'platform', errors: { metrics: 'METRICS_' } },
  // Settlement passwords (seed 003): the TTP's delivery to devices, and the messaging parties of the simulator
  { area: 'password-delivery', kind: 'platform', errors: { 'password-delivery': 'PWDELIVERY_', smsc: 'SMSC_', mailbox: 'MAILBOX_', phone: 'PHONE_' } },
];

export type NumberKind = 'messages' | 'wireResults' | 'ledger';

export function inRange(n: number, r: Range): boolean {
  return Number.isInteger(n) && n >= r[0] && n <= r[1];
}

/** The row named `area` (throws for a name not in the table: a programmer error). */
export function numberArea(area: string): NumberArea {
  const row = NUMBER_AREAS.find((a) => a.area === area);
  if (!row) throw new Error(`no row '${area}' in core/numbers.ts`);
  return row;
}

/** The row whose `kind` range holds `n`, if any. */
export function ownerOf(kind: NumberKind, n: number): NumberArea | undefined {
  return NUMBER_AREAS.find((a) => a[kind] !== undefined && inRange(n, a[kind]));
}

/** The row and registry area an error code belongs to by its prefix, if any. */
export function errorPrefixOwner(code: string): { row: NumberArea; registry: string; prefix: string } | undefined {
  for (const row of NUMBER_AREAS) {
    for (const [registry, prefix] of Object.entries(row.errors)) if (code.startsWith(prefix)) return { row, registry, prefix };
  }
  return undefined;
}

/**
 * Asserts (at module load) that every number of a table lies in the `kind`
 * range of the row `area`. A broken relation is a programmer error: it throws.
 */
export function assertNumbersIn(area: string, kind: NumberKind, table: Readonly<Record<string, number>>, skip: readonly number[] = []): void {
  const r = numberArea(area)[kind];
  if (!r) throw new Error(`row '${area}' has no ${kind} range in core/numbers.ts`);
  for (const [name, n] of Object.entries(table)) {
    if (skip.includes(n)) continue;
    if (!inRange(n, r)) throw new Error(`${kind} number ${name} = ${n} lies outside ${area}'s range ${r[0]}-${r[1]} (core/numbers.ts)`);
  }
}

/**
 * Asserts that each named wire result code lies in the wire-result range of
 * the row whose error prefix starts its name (EMONEY_ → e-money 0x01xx,
 * BANK_ → 0x02xx, ...); OK must be 0x0000.
 */
export function assertWireResultsByPrefix(table: Readonly<Record<string, number>>): void {
  for (const [name, n] of Object.entries(table)) {
    if (name === 'OK') {
      if (n !== WIRE_RESULT_OK) throw new Error(`wire result OK must be 0x0000, is ${n}`);
      continue;
    }
    const owner = errorPrefixOwner(name)?.row;
    const r = owner?.wireResults;
    if (!r || !inRange(n, r)) throw new Error(`wire result ${name} = 0x${n.toString(16)} lies outside its area's range (core/numbers.ts)`);
  }
}
