import { TesseraError } from '../../core/errors.js';
import { FAULT_ENV, FAULT_FILE_ENV, faultPoint } from '../../core/fault-points.js';
import { SLOT_FILES } from '../../protocol/prepaid/slots.js';
import { systemRandom } from '../../core/random.js';
import { PrepaidClient } from '../../terminal/prepaid-client/client.js';
import { loadClientConfig } from '../../terminal/prepaid-client/config.js';
import { providerLink } from '../../terminal/prepaid-client/provider-link.js';
import { DirRemovableStore } from '../../terminal/devices/files/dir-removable-store.js';
import '../../terminal/prepaid-client/errors.js';

type Op = 'balance' | 'log' | 'pay' | 'resume';

export async function clientCommand(op: Op, o: { config: string; vendor?: string; amount?: string; goods?: boolean; fee?: boolean }): Promise<void> {
  const config = loadClientConfig(o.config);
  // Test hook (core/fault-points.ts): `client.slot-temp` kills the client mid-write of a slot (temp file synced, not renamed).
  const faults = process.env[FAULT_ENV] !== undefined || process.env[FAULT_FILE_ENV] !== undefined;
  const store = new DirRemovableStore({ mountDir: config.mountDir, ...(faults && { afterTempSynced: async (name: string) => void ((SLOT_FILES as readonly string[]).includes(name) && faultPoint('client.slot-temp')) }) });
  const client = new PrepaidClient(store, providerLink(config.provider), systemRandom);
  try {
    const out = await run(client, op, o);
    process.stdout.write(`${JSON.stringify({ ok: true, op, ...out })}\n`);
  } finally {
    await store.close();
  }
}

async function run(client: PrepaidClient, op: Op, o: { vendor?: string; amount?: string; goods?: boolean; fee?: boolean }): Promise<object> {
  if (op === 'balance') return client.balance();
  if (op === 'resume') return client.resume();
  if (op === 'log') {
    const l = await client.log();
    return { ...l, entries: l.entries.map((e) => ({ seq: e.seq, kind: e.kind, amountMinor: e.amountMinor, balanceAfterMinor: e.balanceAfterMinor, atMs: e.atMs, reference: e.reference.toString('hex') })) };
  }
  const { view } = await client.read();
  if (o.fee) {
    if (o.vendor !== undefined || o.amount !== undefined) throw new TesseraError('CLI_BAD_ARGUMENT', '--fee takes no --vendor or --amount', { field: '--fee' });
    const info = await client.provider();
    if (info.feeMinor === null) throw new TesseraError('PROVIDER_NO_FEE', 'this provider charges no usage fee', { providerId: info.providerId });
    return client.pay({ service: 'provider-fee', payee: info.providerId, amountMinor: info.feeMinor, currency: view.currency });
  }
  if (!o.vendor || !/^[A-Z0-9-]{1,16}$/.test(o.vendor)) throw new TesseraError('CLI_BAD_ARGUMENT', '--vendor: 1-16 of A-Z 0-9 - (or --fee)', { field: '--vendor' });
  const amount = Number(o.amount);
  if (!o.amount || !/^[0-9]{1,16}$/.test(o.amount) || !Number.isSafeInteger(amount) || amount < 1) throw new TesseraError('CLI_BAD_ARGUMENT', '--amount: an integer of minor units >= 1', { field: '--amount' });
  return client.pay({ service: 'vendor', ...(o.goods && { goods: true }), payee: o.vendor, amountMinor: amount, currency: view.currency });
}
