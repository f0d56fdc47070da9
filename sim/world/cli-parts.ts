/**
 * The world's parts as the operator runs them, each a `tessera` child
 * process started from the same spec as its in-process twin, with the
 * config and secret files (0600) the world writes into its directory:
 *
 *   banks      `tessera bank serve --config bank-<code>.json` (PIN files),
 *              their HTTP ports read from the ready lines;
 *   hardware   `tessera sim --state-dir <dir>/sim serve` (pcscd + vpcd
 *              readers; the issuer key file), cards issued with `tessera sim
 *              issue`, inserted over its control socket;
 *   terminals  `tessera terminal --config <id>.json` (key file), talking
 *              to the simulator's pcscd through PCSCLITE_CSOCK_NAME.
 *
 * The center's process is center-cli.ts. Every process is stopped at close
 * (SIGTERM, SIGKILL after a grace period); `processes` keeps what each
 * printed (tests scan it for secrets).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendControlCommand } from '../control/control-client.js';
import type { AccountRef } from '../../center/relay/types.js';
import type { WorldAccount } from './banks.js';
import { CliProcess, runCli, type JsonLine } from './cli-process.js';

/** Writes a secret file 0600 into dir; returns its path. */
export function writeSecretFile(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** Writes a JSON config file into dir; returns its path. */
export function writeConfigFile(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

const refKey = (r: AccountRef): string => `${r.bankCode}-${r.branchCode}-${r.accountNumber}`;

export interface CliBanks {
  /** Each bank's process by bank code. */
  readonly processes: ReadonlyMap<string, CliProcess>;
  /** Each bank's HTTP URL by bank code. */
  readonly urls: ReadonlyMap<string, string>;
  /** Each bank's ready line (bankCode, port, accounts). */
  readonly ready: ReadonlyMap<string, JsonLine>;
  readonly dbPath: (bankCode: string) => string;
  /** The PIN (security code) file of an account of the spec. */
  readonly pinFile: (ref: AccountRef) => string;
  close(): Promise<void>;
}

/** Starts `tessera bank serve` per bank of the spec, its accounts in its config (PINs in 0600 files); resolves once all are ready. */
export async function startCliBanks(spec: { banks: ReadonlyArray<{ bankCode: string }>; accounts: readonly WorldAccount[] }, dir: string, o: { readyMs?: number } = {}): Promise<CliBanks> {
  const pinFiles = new Map<string, string>();
  for (const a of spec.accounts) pinFiles.set(refKey(a.ref), writeSecretFile(dir, `pin-${refKey(a.ref)}`, `${a.pin}\n`));
  const dbPath = (code: string): string => join(dir, `bank-${code}.db`);
  const processes = new Map<string, CliProcess>();
  const readyLines: Array<Promise<readonly [string, JsonLine]>> = [];
  for (const b of spec.banks) {
    const accounts = spec.accounts
      .filter((a) => a.ref.bankCode === b.bankCode)
      .map((a) => ({ holder: a.holder, role: a.role, branchCode: a.ref.branchCode, accountNumber: a.ref.accountNumber, pinFile: pinFiles.get(refKey(a.ref)), ...(a.openingMinor !== undefined && { openingMinor: a.openingMinor }) }));
    const config = writeConfigFile(dir, `bank-${b.bankCode}.json`, { bankCode: b.bankCode, db: dbPath(b.bankCode), listen: { host: '127.0.0.1', port: 0 }, accounts });
    const p = new CliProcess(`bank ${b.bankCode}`, ['bank', 'serve', '--config', config]);
    processes.set(b.bankCode, p);
    // Waiting from the start: a line already printed does not count for a later wait.
    readyLines.push(p.ready(o.readyMs ?? 20_000).then((line) => [b.bankCode, line] as const));
  }
  const close = async (): Promise<void> => void (await Promise.all([...processes.values()].map((p) => p.stop())));
  try {
    const ready = new Map<string, JsonLine>();
    for (const [code, line] of await Promise.all(readyLines)) ready.set(code, line);
    const urls = new Map([...ready].map(([code, r]) => [code, `http://127.0.0.1:${Number(r['port'])}`]));
    return {
      processes,
      urls,
      ready,
      dbPath,
      pinFile: (ref) => {
        const f = pinFiles.get(refKey(ref));
        if (!f) throw new Error(`no account ${refKey(ref)} in this world`);
        return f;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

export interface CliSim {
  readonly process: CliProcess;
  /** The ready line (readers, pcscSocket, control socket, …). */
  readonly info: JsonLine;
  readonly stateDir: string;
  /** Reader names in order. */
  readonly readers: readonly string[];
  /** The environment a process needs to reach this simulator's pcscd. */
  readonly pcscEnv: Readonly<Record<string, string>>;
  /** `tessera sim issue <args>` on this simulator's state. */
  issue(args: readonly string[]): Promise<{ code: number | null; output: string }>;
  /** A control command (insert, remove, …) over the control socket. */
  control(cmd: Record<string, unknown>): ReturnType<typeof sendControlCommand>;
  close(): Promise<void>;
}

/** Starts `tessera sim serve` with the world's issuer key (0600) in its state directory; resolves on its ready line. */
export async function startCliSim(o: { dir: string; readerDevices: number; issuerMasterKey: Buffer }): Promise<CliSim> {
  const stateDir = join(o.dir, 'sim');
  mkdirSync(stateDir, { recursive: true });
  writeSecretFile(stateDir, 'issuer.key', `${o.issuerMasterKey.toString('hex')}\n`);
  const p = new CliProcess('sim serve', ['sim', '--state-dir', stateDir, 'serve', '--vpcd-devices', String(o.readerDevices), '--scanners', '0']);
  let info: JsonLine;
  try {
    info = await p.ready(20_000);
  } catch (e) {
    await p.stop();
    throw e;
  }
  return {
    process: p,
    info,
    stateDir,
    readers: (info['readers'] as Array<{ name: string }>).map((r) => r.name),
    pcscEnv: { PCSCLITE_CSOCK_NAME: String(info['pcscSocket']) },
    // A loaded machine can take many seconds to start a tsx process: a generous bound.
    issue: (args) => runCli(['sim', '--state-dir', stateDir, 'issue', ...args], {}, 60_000),
    control: (cmd) => sendControlCommand(join(stateDir, 'sim.sock'), cmd),
    close: async () => void (await p.stop()),
  };
}
