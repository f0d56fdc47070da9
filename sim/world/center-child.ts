/**
 * The entry of a world's center node as a separate process
 * (center-process.ts starts it): argv[2] is the CenterProcessSpec as JSON.
 * Opens the banks in this process (direct transport, their database files)
 * and the center node (center.ts) with the e-money module, sweeping once at
 * start; prints `READY <port>`. With crashAt it SIGKILLs itself right after
 * that settlement step became durable.
 */
import { SeededRandom } from '../../core/random.js';
import { openWorldBanks } from './banks.js';
import { openCenterNode } from './center.js';
import type { CenterProcessSpec } from './center-process.js';

const spec = JSON.parse(process.argv[2]!) as CenterProcessSpec;
const banks = await openWorldBanks({ ...spec.banks, db: (_code, i) => spec.banks.dbs[i]!, random: (i) => new SeededRandom(i + 1) }, '');
const e = spec.emoney;
const node = await openCenterNode({
  db: spec.db,
  masterKeyFile: spec.masterKeyFile,
  ...(spec.port !== undefined && { port: spec.port }),
  relay: banks.relay,
  emoney: {
    config: { issuerMasterKey: Buffer.from(e.issuerKeyHex, 'hex'), currency: e.currency, providerAccounts: e.providerAccounts },
    shops: e.shops,
    sweepAtStart: true, // resumes acknowledged batches' payments after a crash
    onSettlementStep: (step) => {
      if (step === spec.crashAt) process.kill(process.pid, 'SIGKILL');
    },
  },
});
process.stdout.write(`READY ${node.port}\n`);
