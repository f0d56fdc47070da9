/**
 * A center node with the e-money flow and banks A and B as a child process
 * (crash tests). argv[2]: JSON { dir, masterKeyFile, issuerKeyHex, crashAt? }.
 * Prints `READY <port>`; with crashAt it SIGKILLs itself right after that
 * settlement step became durable.
 */
import { join } from 'node:path';
import { Emoney } from '../../../center/emoney/emoney.js';
import type { SettlementStep } from '../../../center/emoney/settlement.js';
import { Relay } from '../../../center/relay/relay.js';
import { createCenter } from '../../../center/server/create-center.js';
import { readMasterKey, terminalKeyLookup } from '../../../center/server/terminal-keys.js';
import { openStorage } from '../../../center/storage/open.js';
import { configOf } from '../server/support.js';
import { openBanks, WORLD } from '../../sim/bank/fixtures.js';

const o = JSON.parse(process.argv[2]!) as { dir: string; masterKeyFile: string; issuerKeyHex: string; crashAt?: SettlementStep; port?: number };
const storage = await openStorage(join(o.dir, 'center.db'));
const banks = await openBanks(join(o.dir, 'bank-a.db'), join(o.dir, 'bank-b.db'));
const emoney = await Emoney.open({
  storage,
  relay: new Relay({ adapters: [banks.a, banks.b] }),
  config: {
    issuerMasterKey: Buffer.from(o.issuerKeyHex, 'hex'),
    currency: 'JPY',
    providerAccounts: [{ ...WORLD.providerA.ref, securityCode: WORLD.providerA.pin }, { ...WORLD.providerB.ref, securityCode: WORLD.providerB.pin }],
  },
  lookupTerminalKey: terminalKeyLookup(storage, readMasterKey(o.masterKeyFile)),
  onSettlementStep: (step) => {
    if (step === o.crashAt) process.kill(process.pid, 'SIGKILL');
  },
});
await emoney.registerShop('SHOP-A', WORLD.shopA.ref);
await emoney.sweep(); // resumes acknowledged batches' payments after a crash
const center = await createCenter(configOf(o.masterKeyFile, { listen: { host: '127.0.0.1', port: o.port ?? 0 } }), { storage, flows: [emoney.flow], gates: [emoney.gate] });
process.stdout.write(`READY ${center.address.port}\n`);
