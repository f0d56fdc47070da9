/**
 * Seed 000 as a center module: runs when the config has a `prepaid` section
 * (or a test hands it its secrets). open() reads the master key from its
 * 0600 file, registers the medium kind `prepaid-medium` on the validity
 * lists (so a frozen or blocked medium is refused everywhere) and opens
 * Prepaid on the center's storage and ledger behind validity's gate.
 * Its flow (flow.ts) serves PREPAID_REQUEST and PREPAID_CONFIRM from the
 * provider centers listed in the section's `providers` (PROTOCOL.md §6.4).
 * Its flow serves PREPAID_ISSUE from prepaid terminals (issue-flow.ts),
 * booking cash through the cash module when it runs (`uses`).
 */
import type { CashBook } from '../cash/cash.js';
import { CASH_MODULE } from '../cash/module.js';
import type { CenterModule } from '../server/module.js';
import { VALIDITY_MODULE, type ValidityApi } from '../validity/module.js';
import { PREPAID_AUDIT } from './audit-check.js';
import { prepaidIssueFlow } from './issue-flow.js';
import { prepaidSectionSchema, type PrepaidSection } from './config-schema.js';
import { readPrepaidMasterKey } from './key-table.js';
import { prepaidFlow } from './flow.js';
import { Prepaid, PREPAID_MEDIUM_KIND, type PrepaidConfig } from './prepaid.js';
import { prepaidMigrations } from './schema.js';

export const PREPAID_MODULE = 'prepaid';

export interface PrepaidModuleOptions {
  /** The secrets themselves instead of the section's file (tests, the demo): the module then runs without a section. */
  readonly secrets?: PrepaidConfig;
  /** Provider centers' terminal ids, added to the section's `providers` (tests, the demo). */
  readonly providers?: readonly string[];
}

export function readPrepaidSecrets(section: PrepaidSection): PrepaidConfig {
  return { masterKey: readPrepaidMasterKey(section.masterKeyFile), issuerId: section.issuerId, currency: section.currency };
}

export function prepaidModule(o: PrepaidModuleOptions = {}): CenterModule<PrepaidSection | undefined, Prepaid> {
  return {
    name: PREPAID_MODULE,
    config: { key: 'prepaid', schema: prepaidSectionSchema.optional().describe('Seed 000 rewritable-medium prepaid (center/prepaid/config-schema.ts): when present the center runs the prepaid center.') },
    migrations: [prepaidMigrations],
    requires: [VALIDITY_MODULE],
    uses: [CASH_MODULE],
    auditChecks: [PREPAID_AUDIT],
    enabled: (section) => section !== undefined || o.secrets !== undefined,
    check: (section) => {
      if (section && !o.secrets) readPrepaidSecrets(section);
    },
    async open(ctx) {
      const validity = ctx.module<ValidityApi>(VALIDITY_MODULE);
      validity.kinds.register(PREPAID_MEDIUM_KIND);
      const config = o.secrets ?? readPrepaidSecrets(ctx.section!);
      const prepaid = await Prepaid.open({ storage: ctx.storage, config, clock: ctx.clock, random: ctx.random, log: ctx.log, validity: { gate: validity.gate, repository: validity.repository } });
      const marked = await prepaid.reconcileFrozen();
      ctx.log.info({ issuerId: config.issuerId, currency: config.currency, frozenMarked: marked, providers: ctx.section?.providers.length ?? 0 }, 'prepaid center running');
      const providers = new Set([...(ctx.section?.providers ?? []), ...(o.providers ?? [])]);
      const flow = prepaidFlow({ prepaid, issuerId: config.issuerId, isProvider: (id) => providers.has(id), log: ctx.log });
      const cash = ctx.optionalModule<CashBook>(CASH_MODULE);
      const issueFlow = prepaidIssueFlow({ prepaid, gate: validity.gate, ...(cash && { cash }), currency: config.currency, log: ctx.log });
      return { api: prepaid, flows: [flow, issueFlow] };
    },
  };
}
