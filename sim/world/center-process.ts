/**
 * A world's center node in a separate process, for crash tests: the same
 * node as in-process (center.ts) behind a JSON spec, started with
 * `node sim/world/center-child.ts <spec>` (compiled or through tsx: node-command.ts); the test SIGKILLs
 * it (or has it SIGKILL itself right after a settlement step, `crashAt`)
 * and starts it again on the same databases. The operator's way, with no
 * hooks, is `tessera center --config` (test/e2e/emoney-processes.test.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ProviderAccount } from '../../center/emoney/config.js';
import type { SettlementStep } from '../../center/emoney/settlement.js';
import type { AccountRef } from '../../center/relay/types.js';
import type { WorldAccount } from './banks.js';
import { nodeCommand } from './node-command.js';

export interface CenterProcessSpec {
  /** The center's database (SQLite path or postgres:// URL). */
  readonly db: string;
  readonly masterKeyFile: string;
  readonly port?: number;
  /** The banks, opened in the center's process on these database files (one per bank, in order). */
  readonly banks: {
    readonly banks: ReadonlyArray<{ readonly bankCode: string; readonly name: string }>;
    readonly accounts: readonly WorldAccount[];
    readonly dbs: readonly string[];
  };
  readonly emoney: {
    readonly issuerKeyHex: string;
    readonly currency: string;
    readonly providerAccounts: readonly ProviderAccount[];
    readonly shops: ReadonlyArray<{ readonly shopId: string; readonly account: AccountRef }>;
  };
  /** SIGKILL itself right after this settlement step became durable. */
  readonly crashAt?: SettlementStep;
}

export interface CenterProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Resolves when the process has ended (however). */
  exited(): Promise<void>;
}

const CHILD = join(import.meta.dirname, 'center-child.ts');

/** Starts the node; resolves once it listens (rejects if it exits first). */
export function startCenterProcess(spec: CenterProcessSpec): Promise<CenterProcess> {
  const { command, args } = nodeCommand(CHILD, [JSON.stringify(spec)]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = (): Promise<void> => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      const m = /READY (\d+)/.exec(b.toString());
      if (m) resolve({ child, port: Number(m[1]), exited });
    });
    child.once('exit', (c) => reject(new Error(`center exited ${c}`)));
  });
}
