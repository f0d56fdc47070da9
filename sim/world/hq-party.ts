/**
 * The store headquarters of seed 002 as a world party: `tessera hq serve`
 * in its own process with its own SQLite database (`<dir>/<name>.db`), its
 * tills registered on its terminal list (keys derived from the world's
 * terminal master key by keyRef `k-<id>`, as the world's terminals' key
 * files are), its signing key in a 0600 file. The settlement center's HQ
 * link URL is known before the center starts (the test picks its port), so
 * the party starts before the center as every party does; it calls the
 * center only when a till sells. `restart()` starts another process on the
 * same config and database (after a kill -9 of `process`).
 */
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { openStorage } from '../../center/storage/open.js';
import { ValidityRepository } from '../../center/validity/repository.js';
import { CliProcess } from './cli-process.js';
import { writeConfigFile, writeSecretFile } from './cli-parts.js';
import { freeLoopbackPort } from './terminals.js';
import type { WorldParty } from './world.js';

export interface HqPartySpec {
  readonly name?: string;
  readonly hqId: string;
  /** The settlement center's HQ link (`hqLink` listener), e.g. http://127.0.0.1:port. */
  readonly centerUrl: string;
  readonly signingKey: KeyObject;
  readonly stores: readonly { readonly storeId: string; readonly terminals: readonly string[] }[];
  readonly commissionBp?: number;
  readonly forwardDeadlineMs?: number;
}

export interface RunningHq {
  readonly port: number;
  readonly configPath: string;
  readonly dbPath: string;
  /** The current `tessera hq serve` process. */
  process: CliProcess;
  restart(): Promise<CliProcess>;
  close(): Promise<void>;
}

export function hqParty(spec: HqPartySpec): WorldParty<RunningHq> {
  const name = spec.name ?? 'hq';
  return {
    name,
    async start({ dir }) {
      const dbPath = join(dir, `${name}.db`);
      const storage = await openStorage(dbPath);
      try {
        const validity = await ValidityRepository.open(storage);
        const rows = spec.stores.flatMap((s) => s.terminals.map((id) => ({ id, ownerKind: 'store' as const, ownerId: s.storeId, keyRef: `k-${id}` })));
        const fresh = [];
        for (const r of rows) if (!(await validity.getTerminal(r.id))) fresh.push(r);
        if (fresh.length > 0) await validity.addTerminals(fresh);
      } finally {
        await storage.close();
      }
      const keyFile = writeSecretFile(dir, `${name}-signing.key`, spec.signingKey.export({ format: 'pem', type: 'pkcs8' }) as string);
      const port = await freeLoopbackPort();
      const configPath = writeConfigFile(dir, `${name}.json`, {
        listen: { host: '127.0.0.1', port },
        db: dbPath,
        terminalKeys: { masterKeyFile: join(dir, 'center-master.key') },
        hq: {
          hqId: spec.hqId,
          commissionBp: spec.commissionBp ?? 0,
          stores: spec.stores,
          center: { url: spec.centerUrl, keyFile },
          ...(spec.forwardDeadlineMs !== undefined && { forwardDeadlineMs: spec.forwardDeadlineMs }),
        },
      });
      const launch = async (): Promise<CliProcess> => {
        const p = new CliProcess(name, ['hq', 'serve', '--config', configPath]);
        await p.ready(30_000);
        return p;
      };
      const hq: RunningHq = {
        port,
        configPath,
        dbPath,
        process: await launch(),
        restart: async () => (hq.process = await launch()),
        close: async () => void (await hq.process.stop()),
      };
      return hq;
    },
  };
}
