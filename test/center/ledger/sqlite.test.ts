import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../../center/storage/open.js';
import { ledgerContract } from './contract.js';

ledgerContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ledger-'));
  const storage = await openStorage({ engine: 'sqlite', path: join(dir, 'ledger.db') });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
