#!/usr/bin/env node
/**
 * Codemod: limits named one way (issue 10, item 8).
 *
 * Renames every limit of the `<area>/limits.ts` modules to the house rule
 * (STYLE.md "Limits, assertions, time"): one `<AREA>_LIMITS` object per area,
 * keys `<thing><Unit><Kind>` in camelCase (`frameBytesMax`, `tlvDepthMax`,
 * `transmitTimeoutMsDefault`, `readerOpenTimeoutMs`).
 *
 * It rewrites the USES, over every .ts and .md file tracked by git or present
 * in the tree outside node_modules/.git; the limits modules themselves are
 * hand-edited (their structure changed). Driven by the explicit tables below,
 * with word-boundary replacements only:
 *   1. object renames (`ValidityLimits` -> `VALIDITY_LIMITS`);
 *   2. keys qualified by their object or an alias of it (`PROTOCOL_LIMITS.X`,
 *      `const L = PROTOCOL_LIMITS; L.X`, `import { FLEET_LIMITS as L } …; L.x`);
 *   3. UPPER_SNAKE old keys (unique across all tables) also unqualified: in
 *      text (docs, comments, messages) they become `OBJ.newKey`; a local
 *      destructured from the object and a limits module's own declarations
 *      stay bare; skipped (and reported) in a file that declares or imports a
 *      same-named identifier of its own;
 *   4. center/limits.ts's loose exports (`STORAGE_BATCH_MAX`) become
 *      `CENTER_LIMITS.storageBatchMax`; their import specifiers from a
 *      `limits.js` module become one `CENTER_LIMITS` specifier.
 * Idempotent: no new name contains an old name as a whole word, so a second
 * run changes nothing (`--check` exits 1 if a run would change a file).
 *
 * Usage: node scripts/codemods/limits-names.mjs [--check] [root]
 */
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Objects renamed (old -> new), applied first. */
export const OBJECT_RENAMES = {
  ValidityLimits: 'VALIDITY_LIMITS',
  // the kit branch's camelCase objects (their keys below, after the rename)
  EmoneyLimits: 'EMONEY_LIMITS',
  CashLimits: 'CASH_LIMITS',
  RelayLimits: 'RELAY_LIMITS',
  HttpLimits: 'HTTP_LIMITS',
};

/**
 * Key renames per object: [object, oldKey, newKey, newObject?]. A newObject
 * moves the key (a duplicate alias deleted in favour of the owning limit).
 * `bare: true` rows (camelCase) are also replaced unqualified (comments, docs).
 */
export const KEY_RENAMES = [
  // protocol/limits.ts
  ['PROTOCOL_LIMITS', 'HEADER_BYTES', 'headerBytes'],
  ['PROTOCOL_LIMITS', 'MAC_BYTES', 'macBytes'],
  ['PROTOCOL_LIMITS', 'MAX_FRAME_BYTES', 'frameBytesMax'],
  ['PROTOCOL_LIMITS', 'MAX_HANDSHAKE_FRAME_BYTES', 'handshakeFrameBytesMax'],
  ['PROTOCOL_LIMITS', 'MAX_TLV_DEPTH', 'tlvDepthMax'],
  ['PROTOCOL_LIMITS', 'MAX_TLV_ITEMS', 'tlvItemsMax'],
  ['PROTOCOL_LIMITS', 'MAX_RECORDS_PER_FRAME', 'recordsPerFrameMax'],
  ['PROTOCOL_LIMITS', 'MAX_NOTES_PER_REPORT', 'notesPerReportMax'],
  ['PROTOCOL_LIMITS', 'MAX_NOTES_PER_COLLECTION', 'notesPerCollectionMax'],
  ['PROTOCOL_LIMITS', 'MAX_VOUCHERS_PER_REDEEM', 'vouchersPerRedeemMax'],
  ['PROTOCOL_LIMITS', 'MAX_IN_FLIGHT_PER_SESSION', 'inFlightPerSessionMax'],
  ['PROTOCOL_LIMITS', 'MAX_CONNECTIONS', 'connectionsMaxDefault'],
  ['PROTOCOL_LIMITS', 'MAX_UNAUTHENTICATED_CONNECTIONS', 'unauthenticatedConnectionsMax'],
  ['PROTOCOL_LIMITS', 'MAX_UNAUTHENTICATED_PER_SOURCE', 'unauthenticatedPerSourceMax'],
  ['PROTOCOL_LIMITS', 'MAX_CENTER_ADDRESSES', 'centerAddressesMax'],
  ['PROTOCOL_LIMITS', 'MAX_AWAITED_CALLBACKS', 'awaitedCallbacksMax'],
  ['PROTOCOL_LIMITS', 'MAX_PENDING_WRITE_BYTES', 'pendingWriteBytesMax'],
  ['PROTOCOL_LIMITS', 'HANDSHAKE_TIMEOUT_MS', 'handshakeTimeoutMs'],
  ['PROTOCOL_LIMITS', 'UNAUTHENTICATED_TIMEOUT_MS', 'unauthenticatedTimeoutMs'],
  ['PROTOCOL_LIMITS', 'FRAME_COMPLETE_TIMEOUT_MS', 'frameCompleteTimeoutMs'],
  ['PROTOCOL_LIMITS', 'REQUEST_TIMEOUT_MS', 'requestTimeoutMsDefault'],
  ['PROTOCOL_LIMITS', 'IDLE_TIMEOUT_MS', 'idleTimeoutMs'],
  ['PROTOCOL_LIMITS', 'PING_INTERVAL_MS', 'pingIntervalMs'],
  ['PROTOCOL_LIMITS', 'RECONNECT_BASE_MS', 'reconnectDelayMsMin'],
  ['PROTOCOL_LIMITS', 'RECONNECT_MAX_MS', 'reconnectDelayMsMax'],
  ['PROTOCOL_LIMITS', 'RECONNECT_JITTER', 'reconnectJitterFraction'],
  ['PROTOCOL_LIMITS', 'MAX_REQUEST_ATTEMPTS', 'requestAttemptsMax'],
  ['PROTOCOL_LIMITS', 'MAX_CALLBACK_WAIT_MS', 'callbackWaitMsMax'],
  ['PROTOCOL_LIMITS', 'MAX_DEVICES_PER_STATUS', 'devicesPerStatusMax'],
  ['PROTOCOL_LIMITS', 'MAX_SOFTWARE_VERSION_BYTES', 'softwareVersionBytesMax'],
  ['PROTOCOL_LIMITS', 'MAX_DEVICE_REASON_BYTES', 'deviceReasonBytesMax'],
  // center/relay/limits.ts
  ['RELAY_LIMITS', 'BANK_TIMEOUT_MS', 'bankTimeoutMs'],
  ['RELAY_LIMITS', 'MAX_BANKS', 'banksMax'],
  ['RELAY_LIMITS', 'MAX_BANK_BODY_BYTES', 'bankBodyBytesMax'],
  ['RELAY_LIMITS', 'bankAnswerMsMax', 'bankTimeoutMs', undefined, { bare: true }], // kit branch's name
  // center/emoney/limits.ts
  ['EMONEY_LIMITS', 'BANK_DOUBT_MS', 'bankDoubtMs'],
  ['EMONEY_LIMITS', 'ISSUE_TIMEOUT_MS', 'issueTimeoutMs'],
  ['EMONEY_LIMITS', 'IN_DOUBT_HORIZON_MS', 'inDoubtHorizonMs'],
  ['EMONEY_LIMITS', 'BANK_CLAIM_MS', 'bankClaimMs'],
  ['EMONEY_LIMITS', 'SWEEP_BATCH_MAX', 'sweepBatchMax'],
  ['EMONEY_LIMITS', 'CALLBACK_WAIT_MS', 'callbackWaitMs'],
  ['EMONEY_LIMITS', 'CALLBACK_DIAL_ATTEMPTS', 'callbackDialAttemptsMax'],
  ['EMONEY_LIMITS', 'CALLBACK_RETRY_MS', 'callbackRetryMs'],
  ['EMONEY_LIMITS', 'INSTRUCTION_TIMEOUT_MS', 'instructionTimeoutMs'],
  ['EMONEY_LIMITS', 'MAX_CALLBACKS_IN_FLIGHT', 'callbacksInFlightMax'],
  ['EMONEY_LIMITS', 'SWEEP_INTERVAL_MS_DEFAULT', 'sweepIntervalMsDefault'],
  ['EMONEY_LIMITS', 'SWEEP_INTERVAL_MS_MIN', 'sweepIntervalMsMin'],
  ['EMONEY_LIMITS', 'SWEEP_INTERVAL_MS_MAX', 'sweepIntervalMsMax'],
  ['EMONEY_LIMITS', 'MAX_CONFIG_SHOPS', 'configShopsMax'],
  // the kit branch's camelCase names (EmoneyLimits, renamed above) where they differ
  ['EMONEY_LIMITS', 'bankDoubtMsMax', 'bankDoubtMs', undefined, { bare: true }],
  ['EMONEY_LIMITS', 'issueWaitMsMax', 'issueTimeoutMs', undefined, { bare: true }],
  ['EMONEY_LIMITS', 'inDoubtHorizonMsMax', 'inDoubtHorizonMs', undefined, { bare: true }],
  ['EMONEY_LIMITS', 'sweepRowsMax', 'sweepBatchMax', undefined, { bare: true }],
  // qualified only: PROTOCOL_LIMITS.callbackWaitMsMax is a new name
  ['EMONEY_LIMITS', 'callbackWaitMsMax', 'callbackWaitMs'],
  ['EMONEY_LIMITS', 'callbackDialRetryMs', 'callbackRetryMs', undefined, { bare: true }],
  ['EMONEY_LIMITS', 'instructionAnswerMsMax', 'instructionTimeoutMs', undefined, { bare: true }],
  // center/cash/limits.ts (the two wire-limit aliases are deleted: use the protocol's)
  ['CASH_LIMITS', 'NOTES_PER_REPORT_MAX', 'notesPerReportMax', 'PROTOCOL_LIMITS'],
  ['CASH_LIMITS', 'NOTES_PER_COLLECTION_MAX', 'notesPerCollectionMax', 'PROTOCOL_LIMITS'],
  ['CASH_LIMITS', 'NOTE_AMOUNT_MAX_MINOR', 'noteAmountMinorMax'],
  ['CASH_LIMITS', 'LOOKUP_CHUNK', 'noteKeysPerLookupMax'],
  ['CASH_LIMITS', 'lookupNoteKeysMax', 'noteKeysPerLookupMax', undefined, { bare: true }], // kit branch's name
  // center/merchant-api/limits.ts
  ['MERCHANT_LIMITS', 'IDEMPOTENCY_RETENTION_MS', 'idempotencyRetentionMs'],
  ['MERCHANT_LIMITS', 'IDEMPOTENCY_KEY_MAX_CHARS', 'idempotencyKeyCharsMax'],
  ['MERCHANT_LIMITS', 'IDEMPOTENCY_PURGE_BATCH', 'idempotencyPurgeBatchMax'],
  ['MERCHANT_LIMITS', 'IDEMPOTENCY_PURGE_INTERVAL_MS', 'idempotencyPurgeIntervalMs'],
  ['MERCHANT_LIMITS', 'IDEMPOTENCY_INFLIGHT_MAX', 'idempotencyInFlightMax'],
  ['MERCHANT_LIMITS', 'MERCHANT_ACTIVE_KEYS_MAX', 'activeKeysPerMerchantMax'],
  ['MERCHANT_LIMITS', 'RATE_LIMIT_MAX', 'rateRequestsMaxDefault'],
  ['MERCHANT_LIMITS', 'RATE_LIMIT_WINDOW_MS', 'rateWindowMsDefault'],
  ['MERCHANT_LIMITS', 'RATE_LIMIT_KEYS_MAX', 'rateKeysMax'],
  ['MERCHANT_LIMITS', 'PAGE_DEFAULT', 'pageRowsDefault'],
  ['MERCHANT_LIMITS', 'PAGE_MAX', 'pageRowsMax'],
  ['MERCHANT_LIMITS', 'RECONCILE_SETTLEMENTS_MAX', 'reconcileSettlementsMax'],
  ['MERCHANT_LIMITS', 'BODY_MAX_BYTES', 'bodyBytesMax'],
  ['MERCHANT_LIMITS', 'CLIENT_ATTEMPTS_MAX', 'clientAttemptsMax'],
  ['MERCHANT_LIMITS', 'CLIENT_BACKOFF_MS', 'clientBackoffMs'],
  ['MERCHANT_LIMITS', 'CLIENT_RETRY_AFTER_MAX_MS', 'clientRetryAfterMsMax'],
  ['MERCHANT_LIMITS', 'CLIENT_TIMEOUT_MS', 'clientTimeoutMs'],
  // center/fleet/limits.ts (node ids are ASCII: a length in characters)
  ['FLEET_LIMITS', 'nodeIdBytesMax', 'nodeIdCharsMax'],
  // sim/bank/limits.ts
  ['BANK_LIMITS', 'PIN_SCRYPT_N', 'pinScryptCostFactor'],
  ['BANK_LIMITS', 'PIN_SCRYPT_R', 'pinScryptBlockSizeFactor'],
  ['BANK_LIMITS', 'PIN_SCRYPT_P', 'pinScryptParallelFactor'],
  ['BANK_LIMITS', 'PIN_HASH_BYTES', 'pinHashBytes'],
  ['BANK_LIMITS', 'PIN_SALT_BYTES', 'pinSaltBytes'],
  ['BANK_LIMITS', 'MAX_ACCOUNTS', 'accountsMax'],
  ['BANK_LIMITS', 'MAX_BODY_BYTES', 'bodyBytesMax'],
  ['BANK_LIMITS', 'BODY_TIMEOUT_MS', 'bodyTimeoutMs'],
  // terminal/limits.ts
  ['DEVICE_LIMITS', 'serialReopenMs', 'serialReopenMsMin', undefined, { bare: true }],
  ['DEVICE_LIMITS', 'serialReopenMaxMs', 'serialReopenMsMax', undefined, { bare: true }],
  ['DEVICE_LIMITS', 'serialBaudRates', 'serialBaudsAllowed'],
  ['DEVICE_LIMITS', 'storeFileNameMax', 'storeFileNameCharsMax'],
  ['DEVICE_LIMITS', 'cctalkEventBufferSize', 'cctalkEventBufferCount'],
  ['AGENT_LIMITS', 'outboxDrainBatch', 'outboxDrainBatchMax'],
  // sim/limits.ts, sim/demo/limits.ts
  ['SIM_LIMITS', 'vpcdSlotsPerDevice', 'vpcdSlotsPerDeviceCount'],
  ['DEMO_LIMITS', 'scannerBaudRate', 'scannerBaud'],
  ['DEMO_LIMITS', 'runsKept', 'runsKeptMax', undefined, { bare: true }],
  // center/validity/limits.ts (object renamed first)
  ['VALIDITY_LIMITS', 'loadPageSize', 'loadPageRowsMax'],
  ['VALIDITY_LIMITS', 'deferredCheckTimeoutMs', 'deferredCheckTimeoutMsDefault'],
];

/** center/limits.ts: loose exports folded into one CENTER_LIMITS object. */
export const CENTER_OBJECT = 'CENTER_LIMITS';
export const CENTER_RENAMES = {
  STORAGE_BATCH_MAX: 'storageBatchMax',
  STORAGE_QUEUE_MAX: 'storageQueueMax',
  SQLITE_BUSY_TIMEOUT_MS: 'sqliteBusyTimeoutMs',
  PG_POOL_MAX: 'pgPoolMaxDefault',
  PG_UNIT_RETRY_MAX: 'pgUnitRetriesMax',
  PG_PREPARED_MAX: 'pgPreparedMax',
  PG_LISTEN_RECONNECT_MIN_MS: 'pgListenReconnectMsMin',
  PG_LISTEN_RECONNECT_MAX_MS: 'pgListenReconnectMsMax',
  VALIDITY_PAGE_MAX: 'validityPageRowsMax',
  VALIDITY_BULK_MAX: 'validityBulkMax',
  SQL_INSERT_ROWS_MAX: 'sqlInsertRowsMax',
  SQL_PARAMS_MAX: 'sqlParamsMax',
  LEDGER_EVENTS_MAX: 'ledgerEventsMax',
  LEDGER_REFERENCE_MAX_CHARS: 'ledgerReferenceCharsMax',
  LEDGER_PENDING_TIMEOUT_MAX_MS: 'ledgerPendingTimeoutMsMax',
  LEDGER_SWEEP_BATCH_MAX: 'ledgerSweepBatchMax',
  ADMIN_BODY_MAX_BYTES: 'adminBodyBytesMax',
  ADMIN_EVENTS_PER_REQUEST_MAX: 'adminEventsPerRequestMax',
  ADMIN_INFLIGHT_MAX: 'adminInFlightMax',
  ADMIN_BODY_TIMEOUT_MS: 'adminBodyTimeoutMs',
  ADMIN_AUDIT_TARGETS_MAX: 'adminAuditTargetsMax',
  LISTEN_MAX_CONNECTIONS_MAX: 'listenConnectionsMaxMax',
  SECURITY_LOG_LINES_PER_WINDOW_MAX: 'securityLogLinesPerWindowMax',
  SECURITY_LOG_WINDOW_MS: 'securityLogWindowMs',
};

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const word = (s) => new RegExp(`(?<![\\w$])${esc(s)}(?![\\w$])`, 'g');
/** Aliases of a limits object: `const L = OBJ;` or `import { OBJ as L } from '…limits.js'` (group 1 or 2). */
const aliasRe = (obj) => new RegExp(`\\b(?:const|let)\\s+([A-Za-z_$][\\w$]*)\\s*=\\s*${esc(obj)}\\s*;|\\bimport\\s*(?:type\\s+)?\\{[^}]*(?<![\\w$])${esc(obj)}\\s+as\\s+([A-Za-z_$][\\w$]*)[^}]*\\}`, 'g');
const isUpperSnake = (s) => /^[A-Z][A-Z0-9_]*$/.test(s);

/**
 * Table sanity: old names unique per kind, and no new name equal to (or holding
 * as a word) an old one where that old one is replaced: unqualified (UPPER_SNAKE
 * keys, `bare` rows, center exports, objects) as a word anywhere, qualified
 * (camelCase rows) as `OBJ.key`.
 */
export function checkTables() {
  const olds = new Map();
  for (const [obj, oldKey, newKey, newObj] of KEY_RENAMES) {
    const k = `${obj}.${oldKey}`;
    if (olds.has(k)) throw new Error(`duplicate rename ${k}`);
    olds.set(k, `${newObj ?? obj}.${newKey}`);
  }
  const upper = KEY_RENAMES.filter(([, o]) => isUpperSnake(o)).map(([, o]) => o).concat(Object.keys(CENTER_RENAMES));
  if (new Set(upper).size !== upper.length) throw new Error('an UPPER_SNAKE old name is in two tables; bare replacement would be ambiguous');
  const bareOld = new Set([
    ...KEY_RENAMES.filter(([, o, , , opts]) => isUpperSnake(o) || opts?.bare).map(([, o]) => o),
    ...Object.keys(CENTER_RENAMES),
    ...Object.keys(OBJECT_RENAMES),
  ]);
  const newWords = [...KEY_RENAMES.map(([, , n]) => n), ...Object.values(CENTER_RENAMES), ...Object.values(OBJECT_RENAMES)];
  for (const n of newWords) if (bareOld.has(n)) throw new Error(`new name ${n} is also an old name: not idempotent`);
  for (const q of olds.values()) if (olds.has(q)) throw new Error(`new name ${q} is also an old name: not idempotent`);
}

/** Identifiers a file declares or imports itself (a bare replacement must not touch them). */
function ownDeclarations(text) {
  const own = new Set();
  for (const m of text.matchAll(/\b(?:const|let|var|function|class|type|interface|enum)\s+([A-Za-z_$][\w$]*)/g)) own.add(m[1]);
  for (const m of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
    if (/(^|\/)limits\.js$/.test(m[2])) continue;
    for (const spec of m[1].split(',')) {
      const local = spec.trim().split(/\s+as\s+/).pop();
      if (local) own.add(local.replace(/^type\s+/, ''));
    }
  }
  return own;
}

export function transform(text, file, report = () => {}) {
  let out = text;
  const isTs = file.endsWith('.ts');
  const isCenterLimits = /(^|\/)center\/limits\.ts$/.test(file);
  const isLimits = /(^|\/)limits\.ts$/.test(file);
  // 1. objects
  for (const [o, n] of Object.entries(OBJECT_RENAMES)) out = out.replace(word(o), n);
  // 2. qualified keys (object and its aliases `const X = OBJ;`)
  for (const [obj, oldKey, newKey, newObj, opts] of KEY_RENAMES) {
    const target = `${newObj ?? obj}.${newKey}`;
    out = out.replace(new RegExp(`(?<![\\w$])${esc(obj)}\\s*\\.\\s*${esc(oldKey)}(?![\\w$])`, 'g'), target);
    for (const m of out.matchAll(aliasRe(obj))) {
      const alias = m[1] ?? m[2];
      out = out.replace(new RegExp(`(?<![\\w$])${esc(alias)}\\.${esc(oldKey)}(?![\\w$])`, 'g'), `${alias}.${newKey}`);
    }
    if (opts?.bare) out = out.replace(word(oldKey), newKey);
  }
  // 3. bare UPPER_SNAKE keys (destructured locals, comments, docs)
  const own = isTs ? ownDeclarations(out) : new Set();
  for (const [obj, oldKey, newKey, newObj] of KEY_RENAMES) {
    if (!isUpperSnake(oldKey) || !word(oldKey).test(out)) continue;
    if (own.has(oldKey)) {
      report(`${file}: declares its own ${oldKey}; left as is`);
      continue;
    }
    // Text (docs, comments, error messages) names the limit with its object: a bare
    // `frameBytesMax` is hard to find. Bare stays bare where it is code: a local
    // destructured from the object, a limits module's own declarations, `X.OLD` on an alias.
    const qualified = `${newObj ?? obj}.${newKey}`;
    const destructured = new RegExp(`\\{[^}]*(?<![\\w$])${esc(oldKey)}(?![\\w$])[^}]*\\}\\s*=\\s*${esc(obj)}(?![\\w$])`).test(out);
    if (!isLimits && !destructured) out = out.replace(new RegExp(`(?<![\\w$.])${esc(oldKey)}(?![\\w$])`, 'g'), qualified);
    out = out.replace(word(oldKey), newObj ? qualified : newKey);
  }
  // 4. center loose exports -> CENTER_LIMITS.<key>
  if (!isCenterLimits) {
    const names = Object.keys(CENTER_RENAMES);
    if (isTs) {
      out = out.replace(/(import|export)(\s+(?:type\s+)?)\{([^}]*)\}(\s*from\s*)(['"][^'"]*limits\.js['"])/g, (all, kw, sp, specs, from, mod) => {
        const parts = specs.split(',').map((s) => s.trim()).filter(Boolean);
        if (!parts.some((p) => names.includes(p.split(/\s+as\s+/)[0]))) return all;
        const kept = [];
        for (const p of parts) {
          const name = p.split(/\s+as\s+/)[0];
          const spec = names.includes(name) ? CENTER_OBJECT : p;
          if (!kept.includes(spec)) kept.push(spec);
        }
        kept.sort((a, b) => a.localeCompare(b));
        return `${kw}${sp}{ ${kept.join(', ')} }${from}${mod}`;
      });
    }
    const ownC = isTs ? ownDeclarations(out) : new Set();
    for (const [oldName, newKey] of Object.entries(CENTER_RENAMES)) {
      if (!word(oldName).test(out)) continue;
      if (ownC.has(oldName)) {
        report(`${file}: declares its own ${oldName}; left as is`);
        continue;
      }
      out = out.replace(word(oldName), `${CENTER_OBJECT}.${newKey}`);
    }
  }
  return out;
}

function* walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === '.git' || e.name === 'dist' || e.name === 'coverage') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile() && (p.endsWith('.ts') || p.endsWith('.md'))) yield p;
  }
}

function main() {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const root = args.find((a) => !a.startsWith('--')) ?? process.cwd();
  if (!statSync(root).isDirectory()) throw new Error(`${root}: not a directory`);
  checkTables();
  let changed = 0;
  const notes = [];
  // The codemod's own file and its test hold the old names on purpose.
  const skip = /(^|\/)(scripts\/codemods\/limits-names\.mjs|test\/core\/limits-names\.test\.ts)$/;
  for (const abs of walk(root)) {
    const file = relative(root, abs).split('\\').join('/');
    if (skip.test(file)) continue;
    const text = readFileSync(abs, 'utf8');
    const out = transform(text, file, (n) => notes.push(n));
    if (out !== text) {
      changed++;
      if (check) console.log(`would change ${file}`);
      else writeFileSync(abs, out);
    }
  }
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`${check ? 'would change' : 'changed'} ${changed} file(s)`);
  if (check && changed > 0) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) main();
