/**
 * A center node with the e-money flow and banks A and B as a child process
 * (crash tests). argv[2]: JSON { dir, masterKeyFile, issuerKeyHex, crashAt? }.
 * Prints `READY <port>`; with crashAt it SIGKILLs itself right after that
 * settlement step became durable.
 */
import { join } from 'node:path';
import type { Emoney } from '../../../center/emoney/emoney.js';
import { EMONEY_MODULE, emoneyModule } from '../../../center/emoney/module.js';
import { cashModule } from '../../../center/cash/module.js';
import { validityModule } from '../../../center/validity/module.js';
import type { SettlementStep } from '../../../center/emoney/settlement.js';
import { Relay } from '../../../center/relay/relay.js';
import { parseCenterConfig } from '../../../center/server/config.js';
import { startCenter } from '../../../center/server/start-center.js';
import { openStorage } from '../../../center/storage/open.js';
import { openBanks, WORLD } from '../../sim/bank/fixtures.js';

const o = JSON.parse(process.argv[2]!) as { dir: string; masterKeyFile: string; issuerKeyHex: string; crashAt?: SettlementStep; port?: number };
const storage = await openStorage(join(o.dir, 'center.db'));
const banks = await openBanks(join(o.dir, 'bank-a.db'), join(o.dir, 'bank-b.db'));
const modules = [
  validityModule(),
  cashModule,
  emoneyModule({
    relay: new Relay({ adapters: [banks.a, banks.b] }),
    secrets: {
      issuerMasterKey: Buffer.from(o.issuerKeyHex, 'hex'),
      currency: 'JPY',
      providerAccounts: [{ ...WORLD.providerA.ref, securityCode: WORLD.providerA.pin }, { ...WORLD.providerB.ref, securityCode: WORLD.providerB.pin }],
    },
    sweepIntervalMs: null,
    onSettlementStep: (step) => {
      if (step === o.crashAt) process.kill(process.pid, 'SIGKILL');
    },
  }),
];
const config = parseCenterConfig({ listen: { host: '127.0.0.1', port: o.port ?? 0 }, terminalKeys: { masterKeyFile: o.masterKeyFile } }, modules);
const center = await startCenter(config, modules, { storage });
const emoney = center.module<Emoney>(EMONEY_MODULE);
await emoney.registerShop('SHOP-A', WORLD.shopA.ref);
await emoney.sweep(); // resumes acknowledged batches' payments after a crash
process.stdout.write(`READY ${center.address.port}\n`);
