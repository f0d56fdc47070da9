/**
 * The center killed (SIGKILL) mid-settlement, restarted on the same
 * databases: the shop settles again, the batch resumes, the shop is paid
 * exactly once, money is conserved and every ledger audit passes.
 */
import { ValidityRepository } from '../../center/validity/repository.js';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../../center/ledger/audit.js';
import { deriveTerminalKey } from '../../center/server/terminal-keys.js';
import { openStorage } from '../../center/storage/open.js';
import { CardStateStore } from '../../sim/card/card-state-store.js';
import { personaliseCard } from '../../sim/card/card-state.js';
import { PurseApplet } from '../../sim/card/purse-applet.js';
import { CallbackListener } from '../../terminal/link/callback-listener.js';
import { LinkClient } from '../../terminal/link/link-client.js';
import { keyDir } from '../center/server/support.js';
import { chargeRequest, creditCard, onInstruction, TestCard, TestShop } from '../../sim/world/emoney-parties.js';
import { WORLD, WORLD_ACCOUNTS, WORLD_BANKS, WORLD_PROVIDER_ACCOUNTS } from '../../sim/world/accounts.js';
import { startCenterProcess } from '../../sim/world/center-process.js';
import type { SettlementStep } from '../../center/emoney/settlement.js';
import { openBanks } from '../sim/bank/fixtures.js';

const SHOP = 'SHOP-A1';
const keys = keyDir();
const issuerKey = randomBytes(32);
let shop: TestShop;
let card: TestCard;

/** The center node (e-money, banks A and B in its process) as a child process on the test's databases. */
function startCenter(crashAt?: SettlementStep): Promise<{ child: ChildProcess; port: number }> {
  return startCenterProcess({
    db: join(keys.dir, 'center.db'),
    masterKeyFile: keys.masterKeyFile,
    banks: { banks: WORLD_BANKS, accounts: WORLD_ACCOUNTS, dbs: [join(keys.dir, 'bank-a.db'), join(keys.dir, 'bank-b.db')] },
    emoney: { issuerKeyHex: issuerKey.toString('hex'), currency: 'JPY', providerAccounts: WORLD_PROVIDER_ACCOUNTS, shops: [{ shopId: 'SHOP-A', account: WORLD.shopA.ref }] },
    ...(crashAt && { crashAt }),
  });
}

function link(id: string, port: number): LinkClient {
  const c = new LinkClient({ terminalId: id, terminalKey: deriveTerminalKey(keys.masterKey, `k-${id}`), centers: [{ host: '127.0.0.1', port }], maxAttempts: 1 });
  c.start();
  return c;
}

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

beforeAll(async () => {
  const listener = new CallbackListener({ terminalId: SHOP, terminalKey: deriveTerminalKey(keys.masterKey, `k-${SHOP}`), onInstruction: onInstruction(() => shop) });
  const port = (await listener.listen()).port;
  const storage = await openStorage(join(keys.dir, 'center.db'));
  const validity = await ValidityRepository.open(storage);
  await validity.addTerminals([
    { id: 'KIOSK-1', ownerKind: 'store', ownerId: 'PROVIDER', keyRef: 'k-KIOSK-1' },
    { id: SHOP, ownerKind: 'store', ownerId: 'SHOP-A', keyRef: `k-${SHOP}`, callbackAddress: `127.0.0.1:${port}` },
  ]);
  await validity.addMedia([{ id: 'c0ffee0000000001', expiresAtMs: 4_102_444_800_000 }]);
  await storage.close();
  const store = new CardStateStore(join(keys.dir, 'cards'));
  await store.save(personaliseCard({ cardId: 'c0ffee0000000001', pin: '1234', masterKey: issuerKey }));
  card = new TestCard(new PurseApplet(store, 'c0ffee0000000001'), '1234');
  shop = new TestShop(SHOP, undefined as unknown as LinkClient, listener);
});
afterAll(async () => {
  await shop.listener.close();
  keys.remove();
});

async function settleOnce(port: number): Promise<void> {
  const l = link(SHOP, port);
  try {
    const res = await l.request({ type: 'settleRequest', terminalId: SHOP, records: shop.journal });
    if (res.type !== 'awaitCallback') throw new Error(res.type);
    shop.listener.expect(res.token, res.waitMs);
  } finally {
    await l.close();
  }
}

describe('center killed mid-settlement', () => {
  for (const step of ['instructed', 'acked'] as const) {
    it(`SIGKILL after '${step}': restart, settle again, the shop is paid exactly once`, async () => {
      const first = await startCenter();
      const kiosk = link('KIOSK-1', first.port);
      const t = randomBytes(16);
      await chargeRequest(kiosk, t, WORLD.aliceA.ref, WORLD.aliceA.pin, 2_000);
      await creditCard(kiosk, t, card, 2_000);
      await kiosk.close();
      await shop.sell(card, 800, randomBytes(8));
      await shop.sell(card, 200, randomBytes(8));
      first.child.kill('SIGTERM');
      await exited(first.child);

      const doomed = await startCenter(step);
      const killed = exited(doomed.child);
      await settleOnce(doomed.port);
      await killed;
      expect(doomed.child.signalCode).toBe('SIGKILL');

      const again = await startCenter();
      await settleOnce(again.port);
      // The callback runs after AWAIT_CALLBACK; wait until the shop has been paid (bounded).
      let paid = 0;
      for (let i = 0; i < 100 && paid === 0; i += 1) {
        await new Promise((r) => setTimeout(r, 50));
        const banks = await openBanks(join(keys.dir, 'bank-a.db'), join(keys.dir, 'bank-b.db'));
        paid = await banks.a.balance(WORLD.shopA.ref);
        await banks.close();
      }
      again.child.kill('SIGTERM');
      await exited(again.child);
      const banks = await openBanks(join(keys.dir, 'bank-a.db'), join(keys.dir, 'bank-b.db'));
      const shopPaid = await banks.a.balance(WORLD.shopA.ref);
      expect(shop.journal).toEqual([]);
      // Money conserved: user's bank + card + unsettled records + shop's bank.
      const users = (await banks.a.totalOf('user')) + (await banks.b.totalOf('user'));
      expect(users + card.balanceMinor + shop.unsettledMinor + shopPaid).toBe(
        WORLD.aliceA.openingMinor + WORLD.bobB.openingMinor + WORLD.carolA.openingMinor,
      );
      expect((await auditLedger(banks.a.storage)).ok).toBe(true);
      await banks.close();
      const center = await openStorage(join(keys.dir, 'center.db'));
      expect((await auditLedger(center)).ok).toBe(true);
      const batches = await center.read((q) => q.all<{ state: string; total: number }>(`SELECT state, total FROM emoney_batches WHERE state = 'settled'`));
      await center.close();
      expect(batches.reduce((s, b) => s + Number(b.total), 0)).toBe(shopPaid);
    }, 60_000);
  }
});
